// The edge companion inside `meshfwd run`: which [vrrp] changes a SIGHUP
// refuses (and how the refusal names them), and reading a component's
// object back out of the daemon's status file for `meshfwd status`.
#include <gtest/gtest.h>

#include "userspace/daemon_status.h"
#include "userspace/vrrp_reload.h"
#include "userspace/vrrp_saved_routes.h"

namespace meshfwd {
namespace {

Config edgeWithVrrp() {
  Config c;
  c.role = Role::Edge;
  c.lan = "eth1";
  c.tunnel = "wg0";
  VrrpConfig v;
  v.vrid = 51;
  v.priority = 200;
  v.advertIntervalCs = 10;
  v.virtualAddress = *Ipv6Addr::parse("fe80::51");
  c.vrrp = v;
  return c;
}

TEST(VrrpReload, SameConfigAndLiveKeysAreAccepted) {
  Config running = edgeWithVrrp();
  EXPECT_EQ(vrrp::reloadRefusal(running, running), "");
  Config next = running;
  next.vrrp->naBurst = 7;
  next.vrrp->relayEndpoint = "relay.example.net:51820";
  next.vrrp->resolveIntervalS = 60;
  next.ra = RaConfig{};  // [ra] is the RA sender's business
  EXPECT_EQ(vrrp::reloadRefusal(running, next), "");
}

TEST(VrrpReload, GroupKeysAreRefusedByName) {
  Config running = edgeWithVrrp();
  Config next = running;
  next.vrrp->priority = 150;
  next.vrrp->advertIntervalCs = 20;
  std::string e = vrrp::reloadRefusal(running, next);
  EXPECT_EQ(e,
            "vrrp: priority 200 -> 150, advert_int 10 cs -> 20 cs: cannot change while running (the router "
            "would leave the group); restart meshfwd");

  for (auto change : std::vector<std::pair<std::string, void (*)(Config&)>>{
           {"virtual_router_id 51 -> 52", [](Config& c) { c.vrrp->vrid = 52; }},
           {"preempt true -> false", [](Config& c) { c.vrrp->preempt = false; }},
           {"virtual_address fe80::51 -> fe80::52", [](Config& c) { c.vrrp->virtualAddress = *Ipv6Addr::parse("fe80::52"); }},
           {"interfaces.lan eth1 -> eth2", [](Config& c) { c.lan = "eth2"; }},
           {"interfaces.tunnel wg0 -> wg1", [](Config& c) { c.tunnel = "wg1"; }},
       }) {
    Config changed = running;
    change.second(changed);
    EXPECT_NE(vrrp::reloadRefusal(running, changed).find(change.first), std::string::npos)
        << change.first << ": " << vrrp::reloadRefusal(running, changed);
  }
}

TEST(VrrpReload, RemovingTheSectionIsRefused) {
  Config running = edgeWithVrrp();
  Config next = running;
  next.vrrp.reset();
  EXPECT_NE(vrrp::reloadRefusal(running, next).find("[vrrp] cannot be removed"), std::string::npos);
  // Without [vrrp] running there is nothing of ours to refuse.
  EXPECT_EQ(vrrp::reloadRefusal(next, running), "");
}

TEST(DaemonStatusComponent, ReadsOneComponentsObjectAndItsScalars) {
  DaemonStatus s;
  s.pid = 7;
  s.state = "running";
  s.components = {
      {"datapath", "{\"component\":\"datapath\",\"note\":\"a \\\"}\\\" in a string\"}"},
      {"vrrp", "{\"component\":\"vrrp\",\"state\":\"master\",\"priority\":200,\"master_address\":\"fe80::1\","
               "\"last_transition\":null}"},
      {"ra", "{\"component\":\"ra\",\"enabled\":true,\"active\":false,\"sent\":{\"multicast\":3}}"},
  };
  std::string json = renderDaemonStatus(s);
  auto vrrp = daemonStatusComponent(json, "vrrp");
  ASSERT_TRUE(vrrp);
  EXPECT_EQ(daemonStatusField(*vrrp, "state"), "master");
  EXPECT_EQ(daemonStatusField(*vrrp, "priority"), "200");
  EXPECT_EQ(daemonStatusField(*vrrp, "master_address"), "fe80::1");
  EXPECT_EQ(daemonStatusField(*vrrp, "last_transition"), "null");
  auto ra = daemonStatusComponent(json, "ra");
  ASSERT_TRUE(ra);
  EXPECT_EQ(*ra, s.components[2].second);
  EXPECT_EQ(daemonStatusField(*ra, "active"), "false");
  auto datapath = daemonStatusComponent(json, "datapath");
  ASSERT_TRUE(datapath);
  EXPECT_EQ(*datapath, s.components[0].second);
  EXPECT_FALSE(daemonStatusComponent(json, "bgp"));
  // The daemon's own "state" is not a component's.
  EXPECT_EQ(daemonStatusField(json, "state"), "running");
}

TEST(TunnelSavedRoutes, RoundTripAndRefusal) {
  std::vector<vrrp::SavedRoute> routes(2);
  routes[0].destination = *Ipv6Prefix::parse("fd42:4242:4242::/48");
  routes[1].destination = *Ipv6Prefix::parse("fd99::1/128");
  routes[1].table = 100;
  routes[1].priority = 1024;
  routes[1].protocol = 4;
  routes[1].gateway = *Ipv6Addr::parse("fe80::1");
  std::string text = vrrp::formatSavedRoutes(routes);
  EXPECT_EQ(text,
            "fd42:4242:4242::/48 table 254 metric 0 proto 3\n"
            "fd99::1/128 table 100 metric 1024 proto 4 via fe80::1\n");
  std::string error;
  auto back = vrrp::parseSavedRoutes(text, &error);
  ASSERT_TRUE(back) << error;
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ(vrrp::formatSavedRoutes(*back), text);
  EXPECT_TRUE(vrrp::parseSavedRoutes("", &error)->empty());
  EXPECT_FALSE(vrrp::parseSavedRoutes("fd42::/48 table 254 metric 0 proto 3\nfd42::/48 table x\n", &error));
  EXPECT_EQ(error, "line 2: 'fd42::/48 table x' is not DEST table T metric M proto P [via GW]");
  EXPECT_FALSE(vrrp::parseSavedRoutes("fd42::/48 table 254 metric 0 proto 3 via nothing\n", &error));
  EXPECT_FALSE(vrrp::parseSavedRoutes("fd42::1/48 table 254 metric 0 proto 3\n", &error));
}

// State, not runtime data: systemd's $STATE_DIRECTORY (its first entry
// when the unit lists several), else /var/lib/meshfwd; keyed by namespace.
TEST(TunnelSavedRoutes, LiveInTheStateDirectory) {
  EXPECT_EQ(vrrp::savedRoutesDir(nullptr, 4026531840u), "/var/lib/meshfwd/net4026531840");
  EXPECT_EQ(vrrp::savedRoutesDir("", 7), "/var/lib/meshfwd/net7");
  EXPECT_EQ(vrrp::savedRoutesDir("/var/lib/meshfwd", 7), "/var/lib/meshfwd/net7");
  EXPECT_EQ(vrrp::savedRoutesDir("/srv/state/meshfwd:/var/lib/other", 7), "/srv/state/meshfwd/net7");
}

}  // namespace
}  // namespace meshfwd
