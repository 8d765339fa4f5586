#include "userspace/route_sync.h"

#include <gtest/gtest.h>
#include <linux/if_arp.h>

#include <cstring>

namespace meshfwd {
namespace {

constexpr uint32_t kWg0 = 5, kWg1 = 6, kEth0 = 2;

Ipv6Prefix pfx(const char* s) { return *Ipv6Prefix::parse(s); }
Ipv6Addr ip(const char* s) { return *Ipv6Addr::parse(s); }

RouteFacts route(const char* dst, std::vector<uint32_t> oifs, uint32_t mtu = 0, uint32_t priority = 1024) {
  RouteFacts r;
  r.dst = pfx(dst);
  r.oifs = std::move(oifs);
  r.mtu = mtu;
  r.priority = priority;
  return r;
}

NetSnapshot relayNet() {
  NetSnapshot n;
  n.links = {{1, "lo", 65536, ARPHRD_LOOPBACK, {}, true, ""},
             {kEth0, "eth0", 1500, ARPHRD_ETHER, {2, 0, 0, 0, 0, 9}, true, "veth"},
             {kWg0, "wg0", 1420, ARPHRD_NONE, {}, true, "wireguard"},
             {kWg1, "wg1", 1380, ARPHRD_NONE, {}, true, "tun"}};
  n.routes = {
      route("fd42:4242:4242:a::/64", {kWg0}),
      route("fd42:4242:4242:b::/64", {kWg0}, 1300),           // route MTU wins over the link's
      route("fd42:4242:4242:c::/64", {kEth0}),                // not via a tunnel
      route("fd42:4242:4243::/64", {kWg0}),                   // outside the /48
      route("fd99::2/128", {kWg0}),                           // routing-tunnel address, outside
      route("fd42:4242:4242:d::/64", {kWg1, kWg0}),           // multipath: first nexthop
  };
  RouteFacts otherTable = route("fd42:4242:4242:e::/64", {kWg0});
  otherTable.table = 100;
  n.routes.push_back(otherTable);
  RouteFacts unreachable = route("fd42:4242:4242:f::/64", {kWg0});
  unreachable.type = 7;  // RTN_UNREACHABLE
  n.routes.push_back(unreachable);
  n.addrs = {{kWg0, ip("fd99::1"), 128, false, false},
             {kWg0, ip("fe80::1"), 64, false, false},
             {kEth0, ip("2001:db8::5"), 64, false, false},
             {1, ip("::1"), 128, false, false}};
  return n;
}

const Ipv6Prefix kMesh = pfx("fd42:4242:4242::/48");

TEST(RouteSyncSelect, RoutesInsideTheMeshViaTunnelsOnly) {
  EgressPlan plan = planEgress(relayNet(), kMesh, {kWg0, kWg1}, {});
  ASSERT_EQ(plan.entries.size(), 3u);
  const auto& a = plan.entries.at(pfx("fd42:4242:4242:a::/64"));
  EXPECT_EQ(a.ifindex, kWg0);
  EXPECT_EQ(a.mtu, 1420u);
  EXPECT_EQ(a.l2_len, 0u);
  EXPECT_EQ(plan.entries.at(pfx("fd42:4242:4242:b::/64")).mtu, 1300u);
  const auto& d = plan.entries.at(pfx("fd42:4242:4242:d::/64"));
  EXPECT_EQ(d.ifindex, kWg1);
  EXPECT_EQ(d.mtu, 1380u);
  ASSERT_EQ(plan.warnings.size(), 1u);
  EXPECT_EQ(plan.warnings[0], "route fd42:4242:4242:d::/64 is multipath; the fast path uses its first nexthop (wg1)");
}

TEST(RouteSyncSelect, SiteIdsAreDeterministicOnAFreshMap) {
  EgressPlan plan = planEgress(relayNet(), kMesh, {kWg0, kWg1}, {});
  EXPECT_EQ(plan.entries.at(pfx("fd42:4242:4242:a::/64")).site_id, 1u);
  EXPECT_EQ(plan.entries.at(pfx("fd42:4242:4242:b::/64")).site_id, 2u);
  EXPECT_EQ(plan.entries.at(pfx("fd42:4242:4242:d::/64")).site_id, 3u);
}

TEST(RouteSyncSelect, SiteIdsStayWithTheirPrefix) {
  std::map<Ipv6Prefix, mf_egress> current = {
      {pfx("fd42:4242:4242:b::/64"), mf_egress{kWg0, 1300, 7, 0}},
      {pfx("fd42:4242:4242:99::/64"), mf_egress{kWg0, 1420, 1, 0}},  // route gone
  };
  EgressPlan plan = planEgress(relayNet(), kMesh, {kWg0, kWg1}, current);
  EXPECT_EQ(plan.entries.at(pfx("fd42:4242:4242:b::/64")).site_id, 7u);
  // id 1 still belongs to the prefix being removed this round: not reused yet.
  EXPECT_EQ(plan.entries.at(pfx("fd42:4242:4242:a::/64")).site_id, 2u);
  EXPECT_EQ(plan.entries.at(pfx("fd42:4242:4242:d::/64")).site_id, 3u);
}

TEST(RouteSyncSelect, LowestMetricWinsForOnePrefix) {
  NetSnapshot n = relayNet();
  n.routes = {route("fd42:4242:4242:a::/64", {kWg1}, 0, 2048), route("fd42:4242:4242:a::/64", {kWg0}, 0, 10)};
  EgressPlan plan = planEgress(n, kMesh, {kWg0, kWg1}, {});
  ASSERT_EQ(plan.entries.size(), 1u);
  EXPECT_EQ(plan.entries.begin()->second.ifindex, kWg0);
}

TEST(RouteSyncDiff, AddsUpdatesDeletes) {
  std::map<int, mf_tunnel> current = {{1, {1420, 0}}, {2, {1420, 0}}, {3, {1500, 14}}};
  std::map<int, mf_tunnel> desired = {{1, {1420, 0}}, {2, {1380, 0}}, {4, {1420, 0}}};
  auto d = diffMaps(current, desired);
  ASSERT_EQ(d.adds.size(), 1u);
  EXPECT_EQ(d.adds[0].first, 4);
  ASSERT_EQ(d.updates.size(), 1u);
  EXPECT_EQ(d.updates[0].first, 2);
  EXPECT_EQ(d.updates[0].second.mtu, 1380u);
  ASSERT_EQ(d.deletes.size(), 1u);
  EXPECT_EQ(d.deletes[0], 3);
  EXPECT_TRUE(diffMaps(desired, desired).empty());
}

TEST(RouteSyncTunnels, MissingTunnelIsAWarningNotAnEntry) {
  TunnelPlan plan = planTunnels(relayNet(), {"wg0", "wg9", "eth0"});
  ASSERT_EQ(plan.entries.size(), 2u);
  EXPECT_EQ(plan.entries.at(kWg0).mtu, 1420u);
  EXPECT_EQ(plan.entries.at(kWg0).l2_len, 0u);
  EXPECT_EQ(plan.entries.at(kEth0).l2_len, 14u);
  EXPECT_EQ(plan.warnings, std::vector<std::string>{"tunnel wg9 does not exist"});
}

TEST(RouteSyncLocal, OwnAddressesWithoutLinkLocalOrLoopback) {
  LocalAddrSet s = desiredLocalAddrs(relayNet(), {kWg0}, 64);
  ASSERT_EQ(s.addrs.size(), 2u);
  EXPECT_EQ(s.addrs.at(ip("fd99::1")), kWg0);
  EXPECT_EQ(s.addrs.at(ip("2001:db8::5")), kEth0);
  // Over the limit the preferred interface's addresses are kept.
  LocalAddrSet one = desiredLocalAddrs(relayNet(), {kWg0}, 1);
  ASSERT_EQ(one.addrs.size(), 1u);
  EXPECT_TRUE(one.addrs.count(ip("fd99::1")));
  EXPECT_EQ(one.dropped, 1u);
}

TEST(RouteSyncLocal, IcmpSourcePrefersTheSiteThenFinishedDad) {
  NetSnapshot n;
  n.addrs = {{8, ip("fe80::1"), 64, false, false},
             {8, ip("2001:db8::1"), 64, false, false},
             {8, ip("fd42:4242:4242:a::2"), 64, true, false},
             {8, ip("fd42:4242:4242:a::9"), 64, false, false}};
  EXPECT_EQ(pickIcmpSource(n, 8, pfx("fd42:4242:4242:a::/64")), ip("fd42:4242:4242:a::9"));
  EXPECT_EQ(pickIcmpSource(n, 8), ip("2001:db8::1"));
  EXPECT_FALSE(pickIcmpSource(n, 9).has_value());
}

struct Maps {
  InMemoryMap<mf_egress_key, mf_egress> egress;
  InMemoryMap<mf_egress64_key, mf_egress> exact;
  InMemoryMap<uint32_t, mf_tunnel> tunnels;
  InMemoryMap<mf_local_key, uint32_t> local;
};

SyncTargets relayTargets() {
  SyncTargets t;
  t.mesh = kMesh;
  t.tunnels = {"wg0", "wg1"};
  t.preferredLocal = {"wg0"};
  return t;
}

TEST(RouteSyncApply, FirstSyncFillsAllThreeMaps) {
  Maps m;
  RouteSync sync(m.egress, m.exact, m.tunnels, m.local);
  SyncReport r = sync.sync(relayNet(), relayTargets());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(m.tunnels.entries().size(), 2u);
  EXPECT_EQ(m.egress.entries().size(), 3u);
  EXPECT_EQ(m.local.entries().size(), 2u);
  auto a = m.egress.lookup(egressKey(pfx("fd42:4242:4242:a::/64")));
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->ifindex, kWg0);
  EXPECT_EQ(egressKey(pfx("fd42:4242:4242:a::/64")).prefixlen, 64u);
  // Tunnels are written before any egress entry that names them.
  ASSERT_GE(m.tunnels.writes().size(), 1u);
}

TEST(RouteSyncApply, SecondSyncWritesOnlyTheChange) {
  Maps m;
  RouteSync sync(m.egress, m.exact, m.tunnels, m.local);
  NetSnapshot net = relayNet();
  ASSERT_TRUE(sync.sync(net, relayTargets()).ok());
  m.egress.clearWrites();
  m.tunnels.clearWrites();
  m.local.clearWrites();

  SyncReport again = sync.sync(net, relayTargets());
  EXPECT_TRUE(again.egress.empty());
  EXPECT_TRUE(m.egress.writes().empty());
  EXPECT_TRUE(m.tunnels.writes().empty());
  EXPECT_TRUE(m.local.writes().empty());

  // A site moves to wg1 and another disappears: one update, one delete, in that order.
  net.routes[0].oifs = {kWg1};
  net.routes.erase(net.routes.begin() + 1);
  SyncReport r = sync.sync(net, relayTargets());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.egress.updates.size(), 1u);
  ASSERT_EQ(r.egress.deletes.size(), 1u);
  EXPECT_EQ(r.egress.deletes[0], pfx("fd42:4242:4242:b::/64"));
  ASSERT_EQ(m.egress.writes().size(), 2u);
  using EgressMap = InMemoryMap<mf_egress_key, mf_egress>;
  EXPECT_EQ(m.egress.writes()[0].op, EgressMap::Op::Put);
  EXPECT_EQ(m.egress.writes()[1].op, EgressMap::Op::Erase);
  auto a = m.egress.lookup(egressKey(pfx("fd42:4242:4242:a::/64")));
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->ifindex, kWg1);
  EXPECT_EQ(a->site_id, 1u);  // same site, same counters
}

TEST(RouteSyncApply, RecreatedTunnelMovesEntriesToItsNewIfindex) {
  Maps m;
  RouteSync sync(m.egress, m.exact, m.tunnels, m.local);
  NetSnapshot net = relayNet();
  ASSERT_TRUE(sync.sync(net, relayTargets()).ok());
  // wg0 deleted and created again: new ifindex 42.
  for (auto& l : net.links)
    if (l.name == "wg0") l.ifindex = 42;
  for (auto& r : net.routes)
    for (auto& oif : r.oifs)
      if (oif == kWg0) oif = 42;
  for (auto& a : net.addrs)
    if (a.ifindex == kWg0) a.ifindex = 42;
  SyncReport r = sync.sync(net, relayTargets());
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(m.tunnels.lookup(kWg0).has_value());
  EXPECT_TRUE(m.tunnels.lookup(42).has_value());
  EXPECT_EQ(m.egress.lookup(egressKey(pfx("fd42:4242:4242:a::/64")))->ifindex, 42u);
}

TEST(RouteSyncApply, WriteFailuresAreReportedByMapAndKey) {
  Maps m;
  m.egress.failPuts = -E2BIG;
  RouteSync sync(m.egress, m.exact, m.tunnels, m.local);
  SyncReport r = sync.sync(relayNet(), relayTargets());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors[0], "mf_egress: writing fd42:4242:4242:a::/64 failed: Argument list too long");
}

TEST(RouteSyncApply, EdgeLeavesEgressAlone) {
  Maps m;
  m.egress.put(egressKey(pfx("fd42:4242:4242::/48")), mf_egress{kWg0, 1420, 0, 0});
  m.egress.clearWrites();
  RouteSync sync(m.egress, m.exact, m.tunnels, m.local);
  SyncTargets t = relayTargets();
  t.syncEgress = false;
  ASSERT_TRUE(sync.sync(relayNet(), t).ok());
  EXPECT_TRUE(m.egress.writes().empty());
  EXPECT_EQ(m.tunnels.entries().size(), 2u);
}

TEST(RouteSyncExact, OnlySiteSlash64sWithoutLongerRoutesInside) {
  mf_egress e{7, 1420, 1, 0};
  std::map<Ipv6Prefix, mf_egress> plan{
      {pfx("fd42:4242:4242:a::/64"), e},       // plain site: exact
      {pfx("fd42:4242:4242:b::/64"), e},       // has a /128 inside: LPM only
      {pfx("fd42:4242:4242:b::9/128"), e},
      {pfx("fd42:4242:4242:c::/64"), e},       // has a /96 at its own address
      {pfx("fd42:4242:4242:c::/96"), e},
      {pfx("fd42:4242:4242:d00::/56"), e},     // not a /64
      {pfx("fd42:4242:4242:e::/64"), e},       // exact again after the others
  };
  auto exact = planExactSites(plan);
  std::vector<std::string> got;
  for (const auto& [p, v] : exact) got.push_back(p.str());
  EXPECT_EQ(got, (std::vector<std::string>{"fd42:4242:4242:a::/64", "fd42:4242:4242:e::/64"}));
  auto key = egress64Key(pfx("fd42:4242:4242:a::/64"));
  EXPECT_EQ(key.prefix[6], 0x00);
  EXPECT_EQ(key.prefix[7], 0x0a);
}

TEST(RouteSyncExact, FastTableFollowsTheRoutes) {
  Maps m;
  RouteSync sync(m.egress, m.exact, m.tunnels, m.local);
  NetSnapshot net = relayNet();
  ASSERT_TRUE(sync.sync(net, relayTargets()).ok());
  size_t sitesAtFirst = m.exact.entries().size();
  EXPECT_GE(sitesAtFirst, 1u);
  auto a = m.exact.lookup(egress64Key(pfx("fd42:4242:4242:a::/64")));
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->ifindex, kWg0);

  // A route disappears: its fast entry goes before its LPM entry.
  m.exact.clearWrites();
  m.egress.clearWrites();
  net.routes.erase(net.routes.begin());
  SyncReport r = sync.sync(net, relayTargets());
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(m.exact.lookup(egress64Key(pfx("fd42:4242:4242:a::/64"))).has_value());
  EXPECT_EQ(m.exact.entries().size(), sitesAtFirst - 1);
}

}  // namespace
}  // namespace meshfwd
