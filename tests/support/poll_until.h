// Waiting for a condition with a deadline instead of sleeping, without
// GoogleTest: for the support code that the benchmark links as well
// (ns_poll.h adds the test-side `eventually`).
#pragma once

#include <chrono>
#include <functional>
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

}  // namespace meshfwd::test
