// Waiting for a condition with a deadline instead of sleeping: the condition
// is checked every few milliseconds, and a timeout says what never became
// true, so a failure reads as a sentence rather than a bare "false".
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "tests/support/poll_until.h"

namespace meshfwd::test {

// For ASSERT_TRUE(eventually(...)): the message names the condition.
inline ::testing::AssertionResult eventually(const std::string& what, std::chrono::milliseconds timeout,
                                             const std::function<bool()>& condition,
                                             std::chrono::milliseconds interval = kPollInterval) {
  if (pollUntil(condition, timeout, interval)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "never became true within " << timeout.count() << " ms: " << what;
}

}  // namespace meshfwd::test
