// Waiting for a condition with a deadline instead of sleeping: the condition
// is checked every few milliseconds, and a timeout says what never became
// true, so a failure reads as a sentence rather than a bare "false".
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

namespace meshfwd::test {

using namespace std::chrono_literals;

inline constexpr auto kPollInterval = 5ms;

// True as soon as `condition()` is; false if it is still false at the deadline.
inline bool pollUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                      std::chrono::milliseconds interval = kPollInterval) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(interval);
  }
}

// For ASSERT_TRUE(eventually(...)): the message names the condition.
inline ::testing::AssertionResult eventually(const std::string& what, std::chrono::milliseconds timeout,
                                             const std::function<bool()>& condition,
                                             std::chrono::milliseconds interval = kPollInterval) {
  if (pollUntil(condition, timeout, interval)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "never became true within " << timeout.count() << " ms: " << what;
}

}  // namespace meshfwd::test
