// meshfwd against meshfwd (issue 7): two edges of one site sharing the
// site's WireGuard key, each running `meshfwd run --role edge`, a relay, a
// host behind the edges and a remote site (tools/bench/failover_lab.h).
// A UDP stream runs from the host to the remote site through the master;
// the master's LAN link is cut (and, once it is back and master again, it
// is stopped with SIGTERM). The backup takes over, including the tunnel at
// the relay (its WireGuard endpoint roams to the new master after the
// immediate keepalive), with exactly one handshake initiation per takeover
// (InitiationCapture). The loss windows are printed; the goal is 0.5 s at
// a 100 ms advert interval, asserted with a generous bound because two
// shared cores run everything. The medians are `meshfwd-bench failover`'s.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

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

std::string readText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The WireGuard handshake initiations (type 1, 148 bytes) one edge's
// underlay address sends to the relay, as the relay's uplink sees them
// while this object lives. A takeover must cost exactly one: the relay
// ignores a second initiation from the same key within 20 ms (flood) or
// with the same ~16 ms timestamp (replay) and keeps the first session; when
// that belongs to a peer the edge has since re-created, the site waits 5 s
// (REKEY_TIMEOUT) for the retry (found by `meshfwd lab demo`: a 5005 ms
// loss window).
class InitiationCapture {
 public:
  InitiationCapture(const FailoverLab& lab, int edge, const std::string& tag)
      : log_(lab.scope().workDir() + "/initiations-" + tag + ".log") {
    const std::string from = "2001:db8:ffff::a" + std::to_string(edge + 1);
    // ip6[6] = 17: UDP right after the fixed header; ip6[48]: the first
    // byte of the UDP payload, the WireGuard message type.
    capture_ = std::make_unique<test::BackgroundProcess>(
        // --immediate-mode: otherwise a packet waits in the capture ring's
        // block up to a second and the count below can run before it.
        std::vector<std::string>{"tcpdump", "-i", "wan", "-n", "-l", "--immediate-mode", "src host " + from + " and ip6[6] = 17 and udp dst port " +
                                                                     std::to_string(test::kPlanRelayWgPort) +
                                                                     " and ip6[48] = 1"},
        lab.relay().name(), log_);
    listening_ = eventually("tcpdump listens on the relay's uplink", 10s,
                            [&] { return readText(log_).find("listening on") != std::string::npos; });
  }
  bool listening() const { return static_cast<bool>(listening_); }
  // After the takeover: tcpdump prints the initiation when it next gets a
  // CPU, so wait (3 s at most) for the first line before counting them.
  int countAfterTakeover() const {
    test::pollUntil([&] { return count() >= 1; }, 3s, 20ms);
    return count();
  }
  int count() const {
    std::istringstream lines(readText(log_));
    int n = 0;
    for (std::string line; std::getline(lines, line);)
      if (line.find("UDP, length 148") != std::string::npos) ++n;
    return n;
  }
  std::string log() const { return readText(log_); }

 private:
  std::string log_;
  std::unique_ptr<test::BackgroundProcess> capture_;
  ::testing::AssertionResult listening_ = ::testing::AssertionFailure();
};

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

  // issueGoal: the loss window is one issue 7 sets a goal for (not the
  // preemption back, which it only asks to behave as configured).
  static void report(const char* what, const lab::LossReport& r, bool issueGoal = true) {
    std::printf("%s: loss window %.1f ms (%llu packets of %llu at %lld us)", what, r.window.count() / 1000.0,
                static_cast<unsigned long long>(r.lostInWindow), static_cast<unsigned long long>(r.sent),
                static_cast<long long>(kProbeInterval.count()));
    if (issueGoal)
      std::printf(", goal <= %lld ms: %s", static_cast<long long>(kGoal.count()), r.window <= kGoal ? "met" : "MISSED");
    std::printf("\n");
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
  InitiationCapture e2Initiations(lab_, 1, "cut");
  ASSERT_TRUE(e2Initiations.listening()) << e2Initiations.log();
  lab_.cutLan(0);
  ASSERT_TRUE(eventually("e2 takes over", masterDown(100) + kMargin, [&] { return lab_.holdsVip(1); }, 2ms))
      << lab_.routerLog(1);
  EXPECT_TRUE(eventually("e2's tunnel is up", 5s, [&] { return lab_.tunnelUp(1); }));
  EXPECT_TRUE(eventually("the relay's endpoint roams to e2", 5s, [&] { return relayEndpointIs(1); }))
      << lab_.diagnostics();
  waitForRecovery(*probe, probe->received());
  lab::LossReport cut = probe->stop();
  report("link cut", cut);
  // Traffic flowed into the tunnel the moment it came up, yet the takeover
  // reached the relay as a single handshake (counted after the stream
  // recovered, so a lost first one and its retry would show as two).
  EXPECT_EQ(e2Initiations.countAfterTakeover(), 1) << e2Initiations.log() << lab_.routerLog(1);
  EXPECT_TRUE(cut.closed) << cut.describe();
  EXPECT_GT(cut.lostInWindow, 0u) << "a cut that loses nothing measured nothing: " << cut.describe();
  EXPECT_LE(cut.window, kLossBound) << cut.describe();
  // The cut edge gave everything up (fault): no second speaker for the site.
  EXPECT_TRUE(eventually("e1 drops its VIP and tunnel", 5s, [&] { return !lab_.holdsVip(0) && !lab_.tunnelUp(0); }));
  lab_.hostResolveVip();
  EXPECT_EQ(lab_.hostVipLladdr(), lab_.vmac());

  // 2. The link returns: e1 (200, preempting) takes the site back, under
  // traffic, again with a single handshake.
  probe.reset();
  probe = startProbe();
  InitiationCapture e1Initiations(lab_, 0, "preempt");
  ASSERT_TRUE(e1Initiations.listening()) << e1Initiations.log();
  lab_.restoreLan(0);
  ASSERT_TRUE(eventually("e1 preempts e2", 10s, [&] { return lab_.vipHolder() == 0 && lab_.tunnelUp(0); }))
      << lab_.routerLog(0) << lab_.routerLog(1);
  EXPECT_TRUE(eventually("e2 takes its tunnel down", 5s, [&] { return !lab_.tunnelUp(1); }));
  waitForRecovery(*probe, probe->received());
  lab::LossReport preempt = probe->stop();
  report("preemption", preempt, false);
  EXPECT_EQ(e1Initiations.countAfterTakeover(), 1) << e1Initiations.log() << lab_.routerLog(0);
  ASSERT_TRUE(lab_.waitForEcho(20s)) << lab_.diagnostics();

  // 3. SIGTERM on the master: priority 0, the backup takes over after its
  // Skew_Time instead of Master_Down.
  probe.reset();
  probe = startProbe();
  InitiationCapture e2AgainInitiations(lab_, 1, "stop");
  ASSERT_TRUE(e2AgainInitiations.listening()) << e2AgainInitiations.log();
  EXPECT_EQ(lab_.stopRouter(0), 0) << lab_.routerLog(0);
  ASSERT_TRUE(eventually("e2 takes over after priority 0", 5s, [&] { return lab_.holdsVip(1); }, 2ms));
  EXPECT_TRUE(eventually("the relay's endpoint roams to e2", 5s, [&] { return relayEndpointIs(1); }));
  waitForRecovery(*probe, probe->received());
  lab::LossReport stop = probe->stop();
  report("graceful stop", stop);
  EXPECT_EQ(e2AgainInitiations.countAfterTakeover(), 1) << e2AgainInitiations.log() << lab_.routerLog(1);
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
