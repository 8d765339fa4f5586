// `meshfwd run --role edge` with [ra] and [vrrp], the real binary in the
// failover lab with one edge (tools/bench/failover_lab.h): the host on the
// LAN configures itself from the daemon's RAs, the daemon becomes VRRP
// master and carries the host's traffic to a remote site through the
// relay, status and /metrics show it, a SIGHUP applies [ra] and refuses
// [vrrp] group changes, SIGTERM sends priority 0 and removes the VIP, the
// macvlan and the tunnel without a lifetime-0 RA; and `meshfwd cleanup`
// removes what a SIGKILLed daemon left.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "tests/netns/ra_test_fixture.h"
#include "tests/support/ns_poll.h"
#include "tests/support/ns_socket.h"
#include "tools/bench/failover_lab.h"
#include "userspace/vrrp_state.h"

namespace meshfwd::test {
namespace {

using lab::FailoverLab;
using lab::Router;
using Ms = std::chrono::milliseconds;

constexpr uint16_t kIntervalCs = 10;
constexpr auto kMargin = 3000ms;  // two shared cores, fork-per-poll
constexpr auto kTraffic = 20s;    // the first packet waits for a WireGuard handshake

Ms masterDown(uint8_t priority) { return Ms(vrrp::Machine::masterDownIntervalCs(priority, kIntervalCs) * 10); }

std::string readText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The value of one sample line of a Prometheus text, -1 when absent.
double sample(const std::string& metrics, const std::string& series) {
  std::istringstream lines(metrics);
  std::string line;
  while (std::getline(lines, line))
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  return -1;
}

lab::LabOptions labOptions() {
  lab::LabOptions o;
  o.prefix = "edd";
  o.meshfwdBinary = MESHFWD_BINARY;
  o.edges = 1;
  o.advertIntervalCs = kIntervalCs;
  return o;
}

// What the host's link saw: VRRP adverts' priorities and every RA.
struct LinkCapture {
  std::vector<int> vrrpPriorities;
  std::vector<CapturedRa> adverts;

  void drain(PacketCapture& capture, Ms window) {
    auto end = std::chrono::steady_clock::now() + window;
    while (std::chrono::steady_clock::now() < end) {
      auto p = capture.next([](const Bytes& b) { return b.size() > 40 && (b[6] == 112 || isRouterAdvert(b)); },
                            std::chrono::duration_cast<Ms>(end - std::chrono::steady_clock::now()));
      if (!p) break;
      if ((*p)[6] == 112 && p->size() >= 44) vrrpPriorities.push_back((*p)[42]);
      if (isRouterAdvert(*p)) adverts.push_back(parseCapturedRa(*p));
    }
  }
};

// The lifetime of every RA's Route Information Option for the mesh /48,
// and of every Prefix Information Option: none may be 0.
::testing::AssertionResult noWithdrawal(const std::vector<CapturedRa>& adverts) {
  for (const auto& ra : adverts) {
    for (const auto& rio : ra.optionsOfType(24))
      if (be32(rio, 4) == 0) return ::testing::AssertionFailure() << "an RA withdrew a route (RIO lifetime 0)";
    for (const auto& pio : ra.optionsOfType(3))
      if (be32(pio, 4) == 0) return ::testing::AssertionFailure() << "an RA withdrew the prefix (valid lifetime 0)";
  }
  return ::testing::AssertionSuccess();
}

TEST(EdgeDaemon, RunAdvertisesFailsOverItsVipAndStopsWithoutWithdrawingTheRoute) {
  FailoverLab lab(labOptions());
  lab.startRouter(0, Router::Meshfwd, 200);
  ASSERT_TRUE(eventually("the daemon becomes VRRP master", masterDown(200) + kMargin, [&] { return lab.holdsVip(0); }))
      << lab.routerLog(0);
  EXPECT_TRUE(eventually("the master brings the routing tunnel up", 5s, [&] { return lab.tunnelUp(0); }));

  // The host, from the daemon's RAs alone: a SLAAC address in the site /64,
  // the /48 via the VIP with high preference, no default route.
  ASSERT_TRUE(eventually("the host configures a SLAAC address", 15s, [&] {
    return lab.hostSlaacAddress().rfind("fd42:4242:4242:a:", 0) == 0;
  })) << lab.host().run({"ip", "-6", "addr"}).out;
  ASSERT_TRUE(eventually("the host installs the /48 from the RIO", 15s, [&] {
    return lab.hostMeshRoute().find("proto ra") != std::string::npos;
  })) << lab.host().run({"ip", "-6", "route"}).out;
  std::string route = lab.hostMeshRoute();
  EXPECT_NE(route.find("via fe80::51 dev lan"), std::string::npos) << route;
  EXPECT_NE(route.find("pref high"), std::string::npos) << route;
  EXPECT_EQ(lab.host().run({"ip", "-6", "route", "show", "default"}).out, "");
  lab.hostResolveVip();
  EXPECT_EQ(lab.hostVipLladdr(), lab.vmac());

  // Traffic from the host to the remote site: the master's datapath takes
  // frames to the virtual MAC into its tunnel, the relay forwards.
  ASSERT_TRUE(lab.waitForEcho(kTraffic)) << "no echo from the remote site through the edge\n"
                                         << lab.diagnostics() << lab.routerLog(0);

  // meshfwd status: VRRP state, master, priority, last transition; the RA line.
  auto status = lab.meshfwd(0, {"status"});
  EXPECT_EQ(status.exitCode, 0) << status.describe();
  EXPECT_TRUE(std::regex_search(status.out, std::regex("vrrp: master, vrid 51 priority 200, master fe80::[0-9a-f:]+, "
                                                       "VIP fe80::51 on lan\\.vr51, [0-9]+ transitions, last "
                                                       "20[0-9-]+T[0-9:]+Z")))
      << status.out;
  EXPECT_TRUE(eventually("status shows the RA sender sending from the VIP", 3s, [&] {
    status = lab.meshfwd(0, {"status"});
    return status.out.find("ra: sending on lan.vr51 from fe80::51 (shared VIP)") != std::string::npos;
  })) << status.out;
  auto json = lab.meshfwd(0, {"status", "--json"});
  EXPECT_NE(json.out.find("\"vrrp\":{\"component\":\"vrrp\",\"state\":\"master\""), std::string::npos) << json.out;

  // /metrics: state 2 (master), transitions, the discard counters, RA counters.
  std::string metrics;
  ASSERT_TRUE(eventually("/metrics shows the master and a sent RA", 5s, [&] {
    metrics = lab.metrics(0);
    return sample(metrics, "meshfwd_vrrp_state{vrid=\"51\"}") == 2 &&
           sample(metrics, "meshfwd_ra_sent_total{kind=\"multicast\"}") >= 1;
  })) << metrics;
  EXPECT_GE(sample(metrics, "meshfwd_vrrp_transitions_total{vrid=\"51\"}"), 2);  // initialize -> backup -> master
  for (const char* reason : {"bad_hop_limit", "bad_version", "bad_checksum", "unknown_vrid", "no_addresses",
                             "length_mismatch"})
    EXPECT_EQ(sample(metrics, std::string("meshfwd_vrrp_discards_total{vrid=\"51\",reason=\"") + reason + "\"}"), 0)
        << reason << "\n" << metrics;
  EXPECT_EQ(sample(metrics, "meshfwd_ra_active"), 1) << metrics;
  EXPECT_EQ(sample(metrics, "meshfwd_ra_send_errors_total"), 0) << metrics;

  // SIGHUP with a [vrrp] group change: refused whole, the daemon stays master.
  std::string config = readText(lab.configPath(0));
  std::string changed = std::regex_replace(config, std::regex("priority = 200"), "priority = 150");
  changed = std::regex_replace(changed, std::regex("max_rtr_adv_interval = 10"), "max_rtr_adv_interval = 12");
  std::ofstream(lab.configPath(0)) << changed;
  pid_t pid = lab.routerPid(0);
  ASSERT_EQ(::kill(pid, SIGHUP), 0);
  ASSERT_TRUE(eventually("status shows the refused reload", 5s, [&] {
    return lab.meshfwd(0, {"status"}).out.find("last reload failed") != std::string::npos;
  })) << lab.routerLog(0);
  status = lab.meshfwd(0, {"status"});
  EXPECT_NE(status.out.find("vrrp: priority 200 -> 150: cannot change while running"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("vrrp: master, vrid 51 priority 200"), std::string::npos) << status.out;
  EXPECT_TRUE(lab.holdsVip(0));
  // The [ra] change alone applies live.
  std::ofstream(lab.configPath(0)) << std::regex_replace(config, std::regex("max_rtr_adv_interval = 10"),
                                                         "max_rtr_adv_interval = 12");
  ASSERT_EQ(::kill(pid, SIGHUP), 0);
  ASSERT_TRUE(eventually("status shows the applied reload", 5s, [&] {
    return lab.meshfwd(0, {"status"}).out.find("last reload ok") != std::string::npos;
  })) << lab.routerLog(0);
  EXPECT_TRUE(lab.holdsVip(0));

  // SIGTERM: priority 0, the VIP, the macvlan and the tunnel gone, no RA
  // that withdraws anything, the host keeps its /48.
  PacketCapture capture(lab.host().name(), "lan");
  EXPECT_EQ(lab.stopRouter(0), 0) << lab.routerLog(0);
  LinkCapture seen;
  seen.drain(capture, 1500ms);
  ASSERT_FALSE(seen.vrrpPriorities.empty());
  EXPECT_EQ(seen.vrrpPriorities.back(), 0) << "the last advert of a stopping master has priority 0";
  EXPECT_TRUE(noWithdrawal(seen.adverts));
  EXPECT_FALSE(lab.holdsVip(0));
  EXPECT_FALSE(lab.linkExists(0, lab.macvlanName()));
  EXPECT_FALSE(lab.tunnelUp(0));
  EXPECT_NE(lab.hostMeshRoute().find("proto ra"), std::string::npos)
      << "the /48 must expire on its own lifetime, not be deleted\n" << lab.host().run({"ip", "-6", "route"}).out;
  EXPECT_NE(lab.routerLog(0).find("stopped; the datapath stays attached"), std::string::npos) << lab.routerLog(0);
}

TEST(EdgeDaemon, CleanupRemovesWhatAKilledDaemonLeftAndARestartRestoresTheTunnelRoutes) {
  FailoverLab lab(labOptions());
  lab.startRouter(0, Router::Meshfwd, 200);
  ASSERT_TRUE(eventually("the daemon becomes VRRP master", masterDown(200) + kMargin, [&] { return lab.holdsVip(0); }))
      << lab.routerLog(0);
  ASSERT_TRUE(eventually("the master brings the routing tunnel up", 5s, [&] { return lab.tunnelUp(0); }));
  // Poll the state the kill must find, the relay peer with its keepalive,
  // not just one sign of it: CI once killed a master that had its link up
  // but not yet its keepalive, which left nothing to silence.
  auto keepalive = [&] { return lab.edge(0).run({"wg", "show", lab.tunnelName(0), "persistent-keepalive"}).out; };
  ASSERT_TRUE(eventually("the master re-adds the relay peer with its keepalive", 5s,
                         [&] {
                           std::string line = keepalive();  // "<peer>\t<seconds|off>"
                           return line.find('\t') != std::string::npos && line.find("\toff") == std::string::npos;
                         }))
      << keepalive();

  // SIGKILL: nothing runs the stop path; a second master would stay.
  lab.killRouter(0);
  EXPECT_TRUE(lab.holdsVip(0));
  EXPECT_TRUE(lab.linkExists(0, lab.macvlanName()));
  EXPECT_TRUE(lab.tunnelUp(0));

  auto cleanup = lab.meshfwd(0, {"cleanup", "--role", "edge", "--config", lab.configPath(0)});
  EXPECT_EQ(cleanup.exitCode, 0) << cleanup.describe();
  EXPECT_NE(cleanup.out.find("removed lan.vr51 and its virtual address fe80::51"), std::string::npos) << cleanup.out;
  EXPECT_NE(cleanup.out.find("routing tunnel " + lab.tunnelName(0) + " down"), std::string::npos) << cleanup.out;
  EXPECT_NE(cleanup.out.find("routing tunnel " + lab.tunnelName(0) + " silenced"), std::string::npos) << cleanup.out;
  // No persistent keepalive left to reach the relay on the old session.
  EXPECT_NE(keepalive().find("\toff"), std::string::npos) << keepalive();
  EXPECT_FALSE(lab.holdsVip(0));
  EXPECT_FALSE(lab.linkExists(0, lab.macvlanName()));
  EXPECT_FALSE(lab.tunnelUp(0));
  // As systemd's ExecStopPost runs it after every stop: idempotent.
  cleanup = lab.meshfwd(0, {"cleanup", "--role", "edge", "--config", lab.configPath(0)});
  EXPECT_EQ(cleanup.exitCode, 0) << cleanup.describe();
  EXPECT_EQ(cleanup.out, "cleaned\n");

  // The restarted daemon finds the tunnel down without its routes (the
  // kernel removed them): it puts back the ones its predecessor saved.
  EXPECT_EQ(lab.edge(0).run({"ip", "-6", "route", "show", kPlanMeshPrefix}).out, "");
  lab.startRouter(0, Router::Meshfwd, 200);
  ASSERT_TRUE(eventually("the restarted daemon is master again", masterDown(200) + kMargin,
                         [&] { return lab.holdsVip(0) && lab.tunnelUp(0); }))
      << lab.routerLog(0);
  EXPECT_TRUE(eventually("the /48 goes through the tunnel again", 5s, [&] {
    return lab.edge(0).run({"ip", "-6", "route", "show", kPlanMeshPrefix}).out.find("dev " + lab.tunnelName(0)) !=
           std::string::npos;
  })) << lab.edge(0).run({"ip", "-6", "route"}).out;
  EXPECT_TRUE(lab.waitForEcho(kTraffic)) << lab.diagnostics() << lab.routerLog(0);
  EXPECT_EQ(lab.stopRouter(0), 0) << lab.routerLog(0);
}

// An operator's `systemctl stop` + `start` (not restart): the unit's
// cleanup takes the tunnel down with its routes, and systemd removes
// /run/meshfwd. The master must come back with every route the tunnel had
// (here one besides the /48, as a wg-quick PostUp would add), not only the
// /48: they are state, kept in $STATE_DIRECTORY.
TEST(EdgeDaemon, StopAndStartRestoresEveryTunnelRouteWithoutTheRuntimeDirectory) {
  FailoverLab lab(labOptions());
  const std::string tunnel = lab.tunnelName(0);
  const std::string extra = "2001:db8:77::/48";
  lab.edge(0).must({"ip", "-6", "route", "add", extra, "dev", tunnel, "metric", "77"});
  auto tunnelRoutes = [&] { return lab.edge(0).run({"ip", "-6", "route", "show", "dev", tunnel}).out; };
  auto hasBoth = [&] {
    std::string routes = tunnelRoutes();
    return routes.find(extra + " metric 77") != std::string::npos &&
           routes.find(std::string(kPlanMeshPrefix) + " ") != std::string::npos;
  };
  ASSERT_TRUE(hasBoth()) << tunnelRoutes();

  lab.startRouter(0, Router::Meshfwd, 200);
  ASSERT_TRUE(eventually("the daemon becomes master with the tunnel up", masterDown(200) + kMargin,
                         [&] { return lab.holdsVip(0) && lab.tunnelUp(0); }))
      << lab.routerLog(0);
  EXPECT_TRUE(hasBoth()) << tunnelRoutes();

  // systemctl stop: SIGTERM, ExecStopPost's cleanup, RuntimeDirectory= removed.
  EXPECT_EQ(lab.stopRouter(0), 0) << lab.routerLog(0);
  auto cleanup = lab.meshfwd(0, {"cleanup", "--role", "edge", "--config", lab.configPath(0)});
  EXPECT_EQ(cleanup.exitCode, 0) << cleanup.describe();
  EXPECT_FALSE(lab.tunnelUp(0));
  EXPECT_EQ(lab.edge(0).run({"ip", "-6", "route", "show", extra}).out, "");
  std::filesystem::remove_all(lab.runtimeDirectory(0));

  // systemctl start: master again, the tunnel with both routes.
  lab.startRouter(0, Router::Meshfwd, 200);
  ASSERT_TRUE(eventually("the started daemon is master again", masterDown(200) + kMargin,
                         [&] { return lab.holdsVip(0) && lab.tunnelUp(0); }))
      << lab.routerLog(0);
  EXPECT_TRUE(eventually("both routes go through the tunnel again", 5s, hasBoth)) << tunnelRoutes() << lab.routerLog(0);
  EXPECT_EQ(lab.routerLog(0).find("no routes were saved"), std::string::npos) << lab.routerLog(0);
  EXPECT_EQ(lab.stopRouter(0), 0) << lab.routerLog(0);
}

}  // namespace
}  // namespace meshfwd::test
