// The failover figures: the loss window of a probe (which packets came
// back), and the benchmark's medians and back-to-back ratios.
#include <gtest/gtest.h>

#include "tools/bench/failover_report.h"
#include "tools/bench/loss_probe.h"

namespace meshfwd::bench {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Packets every 5 ms; `lost` lists the sequence numbers that never came back.
lab::LossReport reportFor(size_t sent, std::vector<size_t> lost) {
  std::vector<Clock::time_point> times;
  std::vector<bool> answered(sent, true);
  Clock::time_point t0{};
  for (size_t i = 0; i < sent; ++i) times.push_back(t0 + i * 5ms);
  for (size_t i : lost) answered[i] = false;
  return lab::lossReport(times, answered, 5000us);
}

TEST(LossReport, NothingLostIsAZeroWindow) {
  auto r = reportFor(100, {});
  EXPECT_EQ(r.window, 0us);
  EXPECT_EQ(r.received, 100u);
  EXPECT_TRUE(r.closed);
}

TEST(LossReport, TheLongestRunOfLostPacketsBetweenTwoThatCameBack) {
  // 10..29 lost (20 packets): from #9 to #30 is 105 ms, minus one interval.
  std::vector<size_t> lost{3};
  for (size_t i = 10; i < 30; ++i) lost.push_back(i);
  auto r = reportFor(100, lost);
  EXPECT_EQ(r.window, 100ms);
  EXPECT_EQ(r.lostInWindow, 20u);
  EXPECT_EQ(r.received, 79u);
  EXPECT_TRUE(r.closed);
}

TEST(LossReport, LossUpToTheEndIsAWindowThatNeverClosed) {
  std::vector<size_t> lost;
  for (size_t i = 50; i < 100; ++i) lost.push_back(i);
  auto r = reportFor(100, lost);
  EXPECT_FALSE(r.closed);
  EXPECT_EQ(r.lostInWindow, 50u);
  std::vector<size_t> all;
  for (size_t i = 0; i < 10; ++i) all.push_back(i);
  EXPECT_FALSE(reportFor(10, all).closed);
}

FailoverSample sample(lab::Router r, FailoverEvent e, unsigned run, std::optional<double> ms) {
  return {r, e, run, ms, 0, ms ? "" : "never recovered"};
}

TEST(FailoverFigures, MediansPerRouterAndEventAndRatiosPairedByRound) {
  using lab::Router;
  auto stop = FailoverEvent::GracefulStop;
  auto cut = FailoverEvent::LinkCut;
  std::vector<FailoverSample> s{
      sample(Router::Meshfwd, stop, 1, 100), sample(Router::Keepalived, stop, 1, 300),
      sample(Router::Meshfwd, stop, 2, 120), sample(Router::Keepalived, stop, 2, 240),
      sample(Router::Meshfwd, stop, 3, 140), sample(Router::Keepalived, stop, 3, std::nullopt),
      sample(Router::Meshfwd, cut, 1, 400),  sample(Router::Keepalived, cut, 1, 400),
  };
  auto rows = failoverRows(s);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].router, Router::Meshfwd);
  EXPECT_DOUBLE_EQ(rows[0].medianMs, 120);
  EXPECT_DOUBLE_EQ(rows[0].minMs, 100);
  EXPECT_DOUBLE_EQ(rows[0].maxMs, 140);
  EXPECT_EQ(rows[1].runs, 3u);
  EXPECT_EQ(rows[1].recovered, 2u);
  EXPECT_DOUBLE_EQ(rows[1].medianMs, 270);  // even count: the mean of the middle two
  auto ratios = failoverRatios(s);
  ASSERT_EQ(ratios.size(), 2u);
  EXPECT_EQ(ratios[0].pairs, 2u);  // round 3 has no keepalived figure
  EXPECT_DOUBLE_EQ(*ratios[0].medianRatio, 2.5);  // 3.0 and 2.0
  EXPECT_DOUBLE_EQ(*ratios[1].medianRatio, 1.0);
}

}  // namespace
}  // namespace meshfwd::bench
