// The daemon's loop: timers fire in deadline order, cancelled timers never
// fire, readable fds dispatch, and a callback may stop the loop.
#include <gtest/gtest.h>
#include <unistd.h>

#include <vector>

#include "userspace/event_loop.h"

namespace meshfwd {
namespace {

using namespace std::chrono_literals;

TEST(EventLoop, TimersFireInDeadlineOrderAndCancelledOnesNever) {
  EventLoop loop;
  std::vector<int> fired;
  auto now = SteadyClock::now();
  loop.runAt(now + 3ms, [&] { fired.push_back(3); });
  loop.runAt(now + 1ms, [&] { fired.push_back(1); });
  auto cancelled = loop.runAt(now + 2ms, [&] { fired.push_back(2); });
  loop.cancel(cancelled);
  loop.runAt(now + 4ms, [&] { loop.stop(); });
  ASSERT_EQ(loop.run(), 0);
  EXPECT_EQ(fired, (std::vector<int>{1, 3}));
}

TEST(EventLoop, ReadableFdDispatchesUntilRemoved) {
  EventLoop loop;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  int reads = 0;
  ASSERT_EQ(loop.addReadable(fds[0], [&] {
    char c;
    ASSERT_EQ(read(fds[0], &c, 1), 1);
    if (++reads == 2) loop.remove(fds[0]);
  }), 0);
  ASSERT_EQ(write(fds[1], "ab", 2), 2);
  auto deadline = SteadyClock::now() + 2s;
  while (reads < 2 && SteadyClock::now() < deadline) ASSERT_EQ(loop.runOnce(100ms), 0);
  EXPECT_EQ(reads, 2);
  ASSERT_EQ(write(fds[1], "c", 1), 1);
  ASSERT_EQ(loop.runOnce(10ms), 0);
  EXPECT_EQ(reads, 2);  // removed: the third byte is not read
  close(fds[0]);
  close(fds[1]);
}

TEST(EventLoop, TimerMayScheduleAnotherTimer) {
  EventLoop loop;
  int count = 0;
  std::function<void()> again = [&] {
    if (++count < 3) loop.runAfter(1ms, again);
    else loop.stop();
  };
  loop.runAfter(1ms, again);
  ASSERT_EQ(loop.run(), 0);
  EXPECT_EQ(count, 3);
}

TEST(EventLoop, AddReadableRejectsBadFd) {
  EventLoop loop;
  EXPECT_LT(loop.addReadable(-1, [] {}), 0);
}

}  // namespace
}  // namespace meshfwd
