#include "userspace/event_loop.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

namespace meshfwd {

EventLoop::EventLoop() : epollFd_(epoll_create1(EPOLL_CLOEXEC)) {}

EventLoop::~EventLoop() {
  if (epollFd_ >= 0) close(epollFd_);
}

int EventLoop::addReadable(int fd, Callback onReadable) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  if (epoll_ctl(epollFd_, EPOLL_CTL_ADD, fd, &ev) != 0) return -errno;
  readers_[fd] = std::move(onReadable);
  return 0;
}

void EventLoop::remove(int fd) {
  epoll_ctl(epollFd_, EPOLL_CTL_DEL, fd, nullptr);
  readers_.erase(fd);
}

EventLoop::TimerId EventLoop::runAt(SteadyClock::time_point when, Callback cb) {
  TimerId id = nextTimerId_++;
  timers_.emplace(id, std::make_pair(when, std::move(cb)));
  timersByTime_.emplace(when, id);
  return id;
}

void EventLoop::cancel(TimerId id) {
  auto it = timers_.find(id);
  if (it == timers_.end()) return;
  auto range = timersByTime_.equal_range(it->second.first);
  for (auto r = range.first; r != range.second; ++r) {
    if (r->second == id) {
      timersByTime_.erase(r);
      break;
    }
  }
  timers_.erase(it);
}

void EventLoop::fireDueTimers() {
  auto now = SteadyClock::now();
  // Collect first: a callback may add or cancel timers.
  std::vector<TimerId> due;
  for (auto it = timersByTime_.begin(); it != timersByTime_.end() && it->first <= now; ++it) due.push_back(it->second);
  for (TimerId id : due) {
    auto it = timers_.find(id);
    if (it == timers_.end()) continue;  // cancelled by an earlier callback
    Callback cb = std::move(it->second.second);
    cancel(id);
    cb();
  }
}

int EventLoop::runOnce(std::chrono::milliseconds maxWait) {
  auto wait = maxWait;
  if (!timersByTime_.empty()) {
    auto untilNext = std::chrono::ceil<std::chrono::milliseconds>(timersByTime_.begin()->first - SteadyClock::now());
    wait = std::clamp(untilNext, std::chrono::milliseconds(0), maxWait);
  }
  epoll_event events[16];
  int n = epoll_wait(epollFd_, events, 16, static_cast<int>(wait.count()));
  if (n < 0) {
    if (errno == EINTR) return 0;
    return -errno;
  }
  for (int i = 0; i < n; ++i) {
    auto it = readers_.find(events[i].data.fd);
    if (it == readers_.end()) continue;
    Callback cb = it->second;  // copy: the callback may remove itself
    cb();
  }
  fireDueTimers();
  return 0;
}

int EventLoop::run() {
  stopped_ = false;
  while (!stopped_) {
    int r = runOnce(std::chrono::milliseconds(1000));
    if (r < 0) return r;
  }
  return 0;
}

}  // namespace meshfwd
