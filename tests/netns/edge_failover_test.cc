// meshfwd against meshfwd (issue 7): two edges of one site sharing the
// site's WireGuard key, each running `meshfwd run --role edge`, a relay, a
// host behind the edges and a remote site (tools/bench/failover_lab.h).
// A UDP stream runs from the host to the remote site through the master;
// the master's LAN link is cut (and, once it is back and master again, it
// is stopped with SIGTERM). The backup takes over, including the tunnel at
// the relay (its WireGuard endpoint roams to the new master after the
// immediate keepalive). The loss windows are printed; the goal is 0.5 s at
// a 100 ms advert interval, asserted with a generous bound because two
// shared cores run everything. The medians are `meshfwd-bench failover`'s.
#include <gtest/gtest.h>

#include <cstdio>

#include "tests/netns/route_monitor.h"
#include "tests/support/ns_poll.h"
#include "tools/bench/failover_lab.h"
#include "tools/bench/loss_probe.h"
#include "userspace/vrrp_state.h"

namespace meshfwd::test {
namespace {

using lab::FailoverLab;
using lab::Router;
using Ms = std::chrono::milliseconds;

constexpr uint16_t kIntervalCs = 10;
constexpr auto kMargin = 3000ms;
constexpr auto kProbeInterval = std::chrono::microseconds(5000);
constexpr auto kGoal = 500ms;        // issue 7, at a 100 ms advert interval
constexpr auto kLossBound = 3000ms;  // what the suite asserts: the goal plus the loaded machine's slack

Ms masterDown(uint8_t priority) { return Ms(vrrp::Machine::masterDownIntervalCs(priority, kIntervalCs) * 10); }

class EdgeFailoverTest : public ::testing::Test {
 protected:
  EdgeFailoverTest() : lab_(options()) {}

  static lab::LabOptions options() {
    lab::LabOptions o;
    o.prefix = "efo";
    o.meshfwdBinary = MESHFWD_BINARY;
    o.edges = 2;
    o.advertIntervalCs = kIntervalCs;
    return o;
  }

  bool relayEndpointIs(int edge) const {
    std::string underlay = "[2001:db8:ffff::a" + std::to_string(edge + 1) + "]:";
    return lab_.relay().run({"wg", "show", lab_.relayTunnel().name(), "endpoints"}).out.find(underlay) !=
           std::string::npos;
  }
  bool isBackup(int edge) const {
    return lab_.meshfwd(edge, {"status"}).out.find("vrrp: backup,") != std::string::npos;
  }

  // Starts the stream and waits until echoes come back.
  std::unique_ptr<lab::LossProbe> startProbe() {
    auto probe = std::make_unique<lab::LossProbe>(lab_.host().name(), lab_.hostAddress(), lab::kLabProbePort,
                                                  lab_.remoteAddress(), lab::kLabEchoPort, kProbeInterval);
    EXPECT_TRUE(eventually("the stream flows", 10s, [&] { return probe->received() >= 50; }))
        << lab_.diagnostics();
    return probe;
  }

  // Waits until the stream has been flowing again for a while after `after` echoes.
  void waitForRecovery(const lab::LossProbe& probe, uint64_t after) {
    EXPECT_TRUE(eventually("the stream flows again", 15s, [&] { return probe.received() >= after + 100; }))
        << lab_.diagnostics() << lab_.routerLog(0) << lab_.routerLog(1);
  }

  static void report(const char* what, const lab::LossReport& r) {
    std::printf("%s: loss window %.1f ms (%llu packets of %llu at %lld us), goal <= %lld ms: %s\n", what,
                r.window.count() / 1000.0, static_cast<unsigned long long>(r.lostInWindow),
                static_cast<unsigned long long>(r.sent), static_cast<long long>(kProbeInterval.count()),
                static_cast<long long>(kGoal.count()), r.window <= kGoal ? "met" : "MISSED");
  }

  FailoverLab lab_;
};

TEST_F(EdgeFailoverTest, LinkCutAndStopHandTheSiteToTheOtherEdgeWithTheTunnel) {
  lab_.startRouter(0, Router::Meshfwd, 200);
  ASSERT_TRUE(eventually("e1 becomes master", masterDown(200) + kMargin, [&] { return lab_.holdsVip(0); }))
      << lab_.routerLog(0);
  lab_.startRouter(1, Router::Meshfwd, 100);
  ASSERT_TRUE(eventually("e2 is backup", 5s, [&] { return isBackup(1); })) << lab_.routerLog(1);
  // One master, one speaker for the site: the backup keeps the tunnel down.
  EXPECT_EQ(lab_.vipHolder(), 0);
  EXPECT_TRUE(lab_.tunnelUp(0));
  EXPECT_FALSE(lab_.tunnelUp(1));

  ASSERT_TRUE(eventually("the host has the /48 from the RAs", 15s, [&] {
    return lab_.hostMeshRoute().find("proto ra") != std::string::npos;
  })) << lab_.host().run({"ip", "-6", "route"}).out;
  ASSERT_TRUE(lab_.waitForEcho(20s)) << lab_.diagnostics();
  EXPECT_TRUE(eventually("the relay's endpoint is e1", 5s, [&] { return relayEndpointIs(0); }));

  // Any deletion of the host's /48 during the failovers, however brief.
  RouteMonitor monitor(lab_.host(), "lan", lab_.scope().workDir() + "/host-routes.log");

  // 1. The master's LAN link is cut: no priority 0; the backup waits
  // Master_Down, takes the VIP and the tunnel, the relay roams to it.
  auto probe = startProbe();
  lab_.cutLan(0);
  ASSERT_TRUE(eventually("e2 takes over", masterDown(100) + kMargin, [&] { return lab_.holdsVip(1); }, 2ms))
      << lab_.routerLog(1);
  EXPECT_TRUE(eventually("e2's tunnel is up", 5s, [&] { return lab_.tunnelUp(1); }));
  EXPECT_TRUE(eventually("the relay's endpoint roams to e2", 5s, [&] { return relayEndpointIs(1); }))
      << lab_.diagnostics();
  waitForRecovery(*probe, probe->received());
  lab::LossReport cut = probe->stop();
  report("link cut", cut);
  EXPECT_TRUE(cut.closed) << cut.describe();
  EXPECT_GT(cut.lostInWindow, 0u) << "a cut that loses nothing measured nothing: " << cut.describe();
  EXPECT_LE(cut.window, kLossBound) << cut.describe();
  // The cut edge gave everything up (fault): no second speaker for the site.
  EXPECT_TRUE(eventually("e1 drops its VIP and tunnel", 5s, [&] { return !lab_.holdsVip(0) && !lab_.tunnelUp(0); }));
  lab_.hostResolveVip();
  EXPECT_EQ(lab_.hostVipLladdr(), lab_.vmac());

  // 2. The link returns: e1 (200, preempting) takes the site back.
  lab_.restoreLan(0);
  ASSERT_TRUE(eventually("e1 preempts e2", 10s, [&] { return lab_.vipHolder() == 0 && lab_.tunnelUp(0); }))
      << lab_.routerLog(0) << lab_.routerLog(1);
  EXPECT_TRUE(eventually("e2 takes its tunnel down", 5s, [&] { return !lab_.tunnelUp(1); }));
  ASSERT_TRUE(lab_.waitForEcho(20s)) << lab_.diagnostics();

  // 3. SIGTERM on the master: priority 0, the backup takes over after its
  // Skew_Time instead of Master_Down.
  probe.reset();
  probe = startProbe();
  EXPECT_EQ(lab_.stopRouter(0), 0) << lab_.routerLog(0);
  ASSERT_TRUE(eventually("e2 takes over after priority 0", 5s, [&] { return lab_.holdsVip(1); }, 2ms));
  EXPECT_TRUE(eventually("the relay's endpoint roams to e2", 5s, [&] { return relayEndpointIs(1); }));
  waitForRecovery(*probe, probe->received());
  lab::LossReport stop = probe->stop();
  report("graceful stop", stop);
  EXPECT_TRUE(stop.closed) << stop.describe();
  EXPECT_LE(stop.window, kLossBound) << stop.describe();
  lab_.hostResolveVip();
  EXPECT_EQ(lab_.hostVipLladdr(), lab_.vmac());

  // The host's /48 from the RAs was never deleted, not even for a moment.
  EXPECT_FALSE(monitor.sawDeleted(kPlanMeshPrefix)) << monitor.log();
  EXPECT_NE(lab_.hostMeshRoute().find("via fe80::51"), std::string::npos) << lab_.hostMeshRoute();
  EXPECT_EQ(lab_.stopRouter(1), 0) << lab_.routerLog(1);
}

}  // namespace
}  // namespace meshfwd::test
