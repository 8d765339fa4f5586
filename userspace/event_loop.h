// A single-threaded epoll loop with deadline timers: the daemon's netlink
// socket, signal fd, VRRP and RA sockets all run on it, so no locks are
// needed between them. The clock is injectable for tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <unordered_map>

namespace meshfwd {

using SteadyClock = std::chrono::steady_clock;

class EventLoop {
 public:
  using Callback = std::function<void()>;
  using TimerId = uint64_t;

  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Calls `onReadable` whenever `fd` is readable (level-triggered) until
  // remove(fd). Returns 0 or -errno.
  int addReadable(int fd, Callback onReadable);
  void remove(int fd);

  TimerId runAt(SteadyClock::time_point when, Callback cb);
  TimerId runAfter(std::chrono::milliseconds delay, Callback cb) { return runAt(SteadyClock::now() + delay, cb); }
  void cancel(TimerId id);

  // Waits for at most `maxWait` (or the next timer), dispatches what is
  // ready, then returns. Returns -errno on an epoll failure.
  int runOnce(std::chrono::milliseconds maxWait);
  // Runs until stop().
  int run();
  void stop() { stopped_ = true; }
  bool stopped() const { return stopped_; }

 private:
  void fireDueTimers();

  int epollFd_ = -1;
  bool stopped_ = false;
  TimerId nextTimerId_ = 1;
  std::unordered_map<int, Callback> readers_;
  std::multimap<SteadyClock::time_point, TimerId> timersByTime_;
  std::unordered_map<TimerId, std::pair<SteadyClock::time_point, Callback>> timers_;
};

}  // namespace meshfwd
