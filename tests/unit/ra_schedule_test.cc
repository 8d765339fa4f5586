// Router Advertisement timers (RFC 4861 6.2.4/6.2.6, RFC 7772) driven by an
// injected clock and an injected random source.
#include <gtest/gtest.h>

#include "userspace/ra_schedule.h"

namespace meshfwd::ra {
namespace {

using namespace std::chrono_literals;

const Ipv6Addr kHost = *Ipv6Addr::parse("fe80::7");
const Ipv6Addr kAllNodes = *Ipv6Addr::parse("ff02::1");

struct Harness {
  double random = 0.5;
  AdvertSchedule schedule{ScheduleSettings{}, [this] { return random; }};
  Clock::time_point t0 = Clock::time_point{} + 1000s;
};

TEST(RaSchedule, SendsNothingUntilTheSourceAddressExists) {
  Harness h;
  EXPECT_TRUE(h.schedule.poll(h.t0).empty());
  EXPECT_FALSE(h.schedule.nextWakeup());
  h.schedule.onSolicit(h.t0, kHost);
  EXPECT_TRUE(h.schedule.poll(h.t0).empty());
}

TEST(RaSchedule, FirstAdvertAtOnceThenInitialOnesAtMostSixteenSecondsApart) {
  Harness h;
  h.random = 0.99;  // would pick ~29.8 s without the initial cap
  h.schedule.activate(h.t0);
  auto sent = h.schedule.poll(h.t0);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_TRUE(sent[0].multicast);
  EXPECT_EQ(sent[0].to, kAllNodes);

  EXPECT_EQ(*h.schedule.nextWakeup(), h.t0 + 16s);
  EXPECT_TRUE(h.schedule.poll(h.t0 + 15999ms).empty());
  EXPECT_EQ(h.schedule.poll(h.t0 + 16s).size(), 1u);
  EXPECT_EQ(*h.schedule.nextWakeup(), h.t0 + 32s);
  EXPECT_EQ(h.schedule.poll(h.t0 + 32s).size(), 1u);
  // The three initial adverts are out: back to [Min, Max].
  EXPECT_EQ(*h.schedule.nextWakeup(), h.t0 + 32s + 29800ms);
}

TEST(RaSchedule, UnsolicitedIntervalsStayWithinMinAndMax) {
  for (double r : {0.0, 0.25, 0.999}) {
    Harness h;
    h.random = r;
    h.schedule.activate(h.t0);
    auto now = h.t0;
    for (int i = 0; i < 10; ++i) {
      ASSERT_EQ(h.schedule.poll(now).size(), 1u);
      auto next = *h.schedule.nextWakeup();
      if (i >= 2) {
        EXPECT_GE(next - now, 10s) << "random " << r;
        EXPECT_LE(next - now, 30s) << "random " << r;
      }
      now = next;
    }
  }
}

TEST(RaSchedule, NamedSolicitorGetsAnImmediateUnicastAnswer) {
  Harness h;
  h.schedule.activate(h.t0);
  h.schedule.poll(h.t0);
  h.schedule.onSolicit(h.t0 + 1s, kHost);
  EXPECT_EQ(*h.schedule.nextWakeup(), Clock::time_point::min());
  auto sent = h.schedule.poll(h.t0 + 1s);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_FALSE(sent[0].multicast);
  EXPECT_EQ(sent[0].to, kHost);
}

TEST(RaSchedule, UnspecifiedSolicitorWaitsForMinDelayBetweenMulticasts) {
  Harness h;
  h.random = 0.0;
  h.schedule.activate(h.t0);
  h.schedule.poll(h.t0);
  h.schedule.onSolicit(h.t0 + 1s, Ipv6Addr{});
  // RFC 4861 6.2.6: not sooner than 3 s after the last multicast advert.
  EXPECT_EQ(*h.schedule.nextWakeup(), h.t0 + 3s);
  EXPECT_TRUE(h.schedule.poll(h.t0 + 2999ms).empty());
  auto sent = h.schedule.poll(h.t0 + 3s);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_TRUE(sent[0].multicast);
}

TEST(RaSchedule, UnspecifiedSolicitorAnsweredWithinRandomDelayWhenQuiet) {
  Harness h;
  h.random = 0.5;
  h.schedule.activate(h.t0);
  h.schedule.poll(h.t0);
  h.schedule.onSolicit(h.t0 + 10s, Ipv6Addr{});
  EXPECT_EQ(*h.schedule.nextWakeup(), h.t0 + 10s + 250ms);
}

TEST(RaSchedule, UnicastAnswersAreCappedPerSecond) {
  Harness h;
  h.schedule.activate(h.t0);
  h.schedule.poll(h.t0);
  for (int i = 0; i < 15; ++i) {
    Ipv6Addr a = kHost;
    a.bytes[15] = static_cast<uint8_t>(i);
    h.schedule.onSolicit(h.t0 + 100ms, a);
  }
  EXPECT_EQ(h.schedule.poll(h.t0 + 100ms).size(), 10u);
  EXPECT_EQ(h.schedule.unicastSuppressed(), 5u);
  h.schedule.onSolicit(h.t0 + 1200ms, kHost);
  EXPECT_EQ(h.schedule.poll(h.t0 + 1200ms).size(), 1u);
}

TEST(RaSchedule, DeactivateSilencesEverythingAndReactivateStartsFastAgain) {
  Harness h;
  h.random = 0.99;
  h.schedule.activate(h.t0);
  h.schedule.poll(h.t0);
  h.schedule.poll(h.t0 + 16s);
  h.schedule.poll(h.t0 + 32s);
  h.schedule.onSolicit(h.t0 + 33s, kHost);
  h.schedule.deactivate();
  EXPECT_TRUE(h.schedule.poll(h.t0 + 100s).empty());
  EXPECT_FALSE(h.schedule.nextWakeup());

  h.schedule.activate(h.t0 + 200s);
  EXPECT_EQ(h.schedule.poll(h.t0 + 200s).size(), 1u);
  EXPECT_EQ(*h.schedule.nextWakeup(), h.t0 + 216s);  // fast adverts again
}

}  // namespace
}  // namespace meshfwd::ra
