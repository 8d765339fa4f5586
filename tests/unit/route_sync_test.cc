#include "userspace/route_sync.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/if_arp.h>

#include <cstdio>
#include <cstring>
#include <set>
#include <vector>

#include "userspace/local_filter.h"

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

// Every one of MF_MAX_SITES site prefixes gets its own counter row (ids
// 1..MF_MAX_SITES, 0 stays "no site"); only a route beyond that is skipped.
TEST(RouteSyncSelect, AllMaxSitesPrefixesGetSiteIdsAndOneMoreIsSkipped) {
  NetSnapshot n = relayNet();
  n.routes.clear();
  char text[64];
  for (uint32_t i = 0; i < MF_MAX_SITES; ++i) {  // every /64 of the /48
    std::snprintf(text, sizeof text, "fd42:4242:4242:%x::/64", i);
    n.routes.push_back(route(text, {kWg0}));
  }
  n.routes.push_back(route("fd42:4242:4242:ffff::7/128", {kWg0}));  // one more
  EgressPlan plan = planEgress(n, kMesh, {kWg0}, {});
  ASSERT_EQ(plan.entries.size(), static_cast<size_t>(MF_MAX_SITES));
  std::vector<bool> seen(MF_SITE_SLOTS, false);
  for (const auto& [prefix, e] : plan.entries) {
    ASSERT_GE(e.site_id, kFirstSiteId);
    ASSERT_LT(e.site_id, static_cast<uint32_t>(MF_SITE_SLOTS));
    EXPECT_FALSE(seen[e.site_id]) << "site id " << e.site_id << " handed out twice";
    seen[e.site_id] = true;
  }
  ASSERT_EQ(plan.warnings.size(), 1u);
  EXPECT_THAT(plan.warnings[0], testing::EndsWith(": all 65536 site ids are in use; skipped"));
}

TEST(RouteSyncSelect, LowestMetricWinsForOnePrefix) {
  NetSnapshot n = relayNet();
  n.routes = {route("fd42:4242:4242:a::/64", {kWg1}, 0, 2048), route("fd42:4242:4242:a::/64", {kWg0}, 0, 10)};
  EgressPlan plan = planEgress(n, kMesh, {kWg0, kWg1}, {});
  ASSERT_EQ(plan.entries.size(), 1u);
  EXPECT_EQ(plan.entries.begin()->second.ifindex, kWg0);
}

TEST(RouteSyncDiff, AddsUpdatesDeletes) {
  std::map<int, mf_tunnel> current = {{1, {1420, 0, 1}}, {2, {1420, 0, 2}}, {3, {1500, 14, 3}}};
  std::map<int, mf_tunnel> desired = {{1, {1420, 0, 1}}, {2, {1380, 0, 2}}, {4, {1420, 0, 4}}};
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
  EXPECT_EQ(plan.entries.at(kWg0).ifindex, kWg0) << "a slot names the tunnel it holds";
}

TEST(RouteSyncTunnels, TwoTunnelsInOneSlotKeepTheFirst) {
  NetSnapshot n = relayNet();
  for (auto& l : n.links)
    if (l.name == "wg1") l.ifindex = kWg0 + MF_TUNNEL_SLOTS;
  TunnelPlan plan = planTunnels(n, {"wg0", "wg1"});
  ASSERT_EQ(plan.entries.size(), 1u);
  EXPECT_TRUE(plan.entries.count(kWg0));
  ASSERT_EQ(plan.warnings.size(), 1u);
  EXPECT_EQ(plan.warnings[0], "tunnel wg1 (ifindex " + std::to_string(kWg0 + MF_TUNNEL_SLOTS) +
                                  ") shares datapath slot 5 with tunnel wg0: left out; recreating it gives it "
                                  "another ifindex");
}

TEST(RouteSyncTunnels, SlotsHoldingTheirOwnTunnelAreTheTunnels) {
  std::vector<std::pair<uint32_t, mf_tunnel>> slots = {
      {0, {}},                                  // free
      {5, {1420, 0, 5}},                        // wg0
      {6, {1380, 0, 6 + MF_TUNNEL_SLOTS}},      // a tunnel whose ifindex wraps to slot 6
      {7, {1500, 14, 8}},                       // not where slot 8's tunnel belongs: ignored
  };
  auto tunnels = tunnelsInSlots(slots);
  ASSERT_EQ(tunnels.size(), 2u);
  EXPECT_EQ(tunnels.at(5).mtu, 1420u);
  EXPECT_EQ(tunnels.at(6 + MF_TUNNEL_SLOTS).mtu, 1380u);
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
  InMemoryMap<uint32_t, mf_tunnel> tunnels;  // slot -> tunnel, as the array
  InMemoryMap<mf_local_key, uint32_t> local;
  InMemoryMap<uint32_t, mf_local_filter> localFilter;
  // The tunnels the datapath sees: non-empty slots naming their own ifindex.
  std::map<uint32_t, mf_tunnel> liveTunnels() const { return tunnelsInSlots(tunnels.entries()); }
  mf_local_filter filter() const { return localFilter.lookup(0).value_or(mf_local_filter{}); }
};

mf_local_key localKey(const char* addr) {
  mf_local_key k{};
  std::memcpy(k.addr, ip(addr).bytes.data(), 16);
  return k;
}

SyncTargets relayTargets() {
  SyncTargets t;
  t.mesh = kMesh;
  t.tunnels = {"wg0", "wg1"};
  t.preferredLocal = {"wg0"};
  return t;
}

TEST(RouteSyncApply, FirstSyncFillsAllThreeMaps) {
  Maps m;
  RouteSync sync(m.egress, m.exact, m.tunnels, m.local, m.localFilter);
  SyncReport r = sync.sync(relayNet(), relayTargets());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(m.liveTunnels().size(), 2u);
  EXPECT_EQ(m.tunnels.lookup(mf_tunnel_slot(kWg1))->ifindex, kWg1);
  EXPECT_EQ(m.egress.entries().size(), 3u);
  EXPECT_EQ(m.local.entries().size(), 2u);
  EXPECT_TRUE(localFilterMayHold(m.filter(), ip("fd99::1").bytes));
  EXPECT_TRUE(localFilterMayHold(m.filter(), ip("2001:db8::5").bytes));
  auto a = m.egress.lookup(egressKey(pfx("fd42:4242:4242:a::/64")));
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->ifindex, kWg0);
  EXPECT_EQ(egressKey(pfx("fd42:4242:4242:a::/64")).prefixlen, 64u);
  // Tunnels are written before any egress entry that names them.
  ASSERT_GE(m.tunnels.writes().size(), 1u);
}

TEST(RouteSyncApply, SecondSyncWritesOnlyTheChange) {
  Maps m;
  RouteSync sync(m.egress, m.exact, m.tunnels, m.local, m.localFilter);
  NetSnapshot net = relayNet();
  ASSERT_TRUE(sync.sync(net, relayTargets()).ok());
  m.egress.clearWrites();
  m.tunnels.clearWrites();
  m.local.clearWrites();
  m.localFilter.clearWrites();

  SyncReport again = sync.sync(net, relayTargets());
  EXPECT_TRUE(again.egress.empty());
  EXPECT_TRUE(m.egress.writes().empty());
  EXPECT_TRUE(m.tunnels.writes().empty());
  EXPECT_TRUE(m.local.writes().empty());
  EXPECT_TRUE(m.localFilter.writes().empty());

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
  RouteSync sync(m.egress, m.exact, m.tunnels, m.local, m.localFilter);
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
  auto live = m.liveTunnels();
  EXPECT_FALSE(live.count(kWg0));
  EXPECT_TRUE(live.count(42));
  EXPECT_EQ(m.tunnels.lookup(mf_tunnel_slot(kWg0))->ifindex, 0u) << "the old slot is written empty";
  EXPECT_EQ(m.egress.lookup(egressKey(pfx("fd42:4242:4242:a::/64")))->ifindex, 42u);
}

TEST(RouteSyncApply, WriteFailuresAreReportedByMapAndKey) {
  Maps m;
  m.egress.failPuts = -E2BIG;
  RouteSync sync(m.egress, m.exact, m.tunnels, m.local, m.localFilter);
  SyncReport r = sync.sync(relayNet(), relayTargets());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors[0], "mf_egress: writing fd42:4242:4242:a::/64 failed: Argument list too long");
}

TEST(RouteSyncApply, EdgeLeavesEgressAlone) {
  Maps m;
  m.egress.put(egressKey(pfx("fd42:4242:4242::/48")), mf_egress{kWg0, 1420, 0, 0});
  m.egress.clearWrites();
  RouteSync sync(m.egress, m.exact, m.tunnels, m.local, m.localFilter);
  SyncTargets t = relayTargets();
  t.syncEgress = false;
  ASSERT_TRUE(sync.sync(relayNet(), t).ok());
  EXPECT_TRUE(m.egress.writes().empty());
  EXPECT_EQ(m.liveTunnels().size(), 2u);
}

TEST(RouteSyncApply, TunnelTakingAFreedSlotIsNotWrittenEmptyAfterwards) {
  Maps m;
  RouteSync sync(m.egress, m.exact, m.tunnels, m.local, m.localFilter);
  NetSnapshot net = relayNet();
  ASSERT_TRUE(sync.sync(net, relayTargets()).ok());
  // wg0 recreated with an ifindex in its old slot.
  uint32_t wrapped = kWg0 + MF_TUNNEL_SLOTS;
  for (auto& l : net.links)
    if (l.name == "wg0") l.ifindex = wrapped;
  for (auto& r : net.routes)
    for (auto& oif : r.oifs)
      if (oif == kWg0) oif = wrapped;
  ASSERT_TRUE(sync.sync(net, relayTargets()).ok());
  auto live = m.liveTunnels();
  EXPECT_FALSE(live.count(kWg0));
  ASSERT_TRUE(live.count(wrapped));
  EXPECT_EQ(m.tunnels.lookup(mf_tunnel_slot(kWg0))->ifindex, wrapped);
}

TEST(RouteSyncLocalFilter, NeverHidesAnAddressWhileAddressesChange) {
  Maps m;
  RouteSync sync(m.egress, m.exact, m.tunnels, m.local, m.localFilter);
  NetSnapshot net = relayNet();
  ASSERT_TRUE(sync.sync(net, relayTargets()).ok());
  m.localFilter.clearWrites();

  // 2001:db8::5 goes, 2001:db8::6 comes.
  net.addrs[2].addr = ip("2001:db8::6");
  ASSERT_TRUE(sync.sync(net, relayTargets()).ok());
  ASSERT_EQ(m.localFilter.writes().size(), 2u) << "widened before the add, narrowed after the delete";
  EXPECT_FALSE(m.local.lookup(localKey("2001:db8::5")).has_value());
  EXPECT_TRUE(m.local.lookup(localKey("2001:db8::6")).has_value());
  mf_local_filter want{};
  localFilterAdd(want, ip("fd99::1").bytes);
  localFilterAdd(want, ip("2001:db8::6").bytes);
  EXPECT_TRUE(sameBytes(m.filter(), want)) << "the old address's bit is gone";
}

TEST(RouteSyncLocalFilter, AddressesWaitWhenTheFilterCannotBeWidened) {
  Maps m;
  m.localFilter.failPuts = -EPERM;
  RouteSync sync(m.egress, m.exact, m.tunnels, m.local, m.localFilter);
  SyncReport r = sync.sync(relayNet(), relayTargets());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors.back(), "mf_local_filter: writing failed: Operation not permitted");
  EXPECT_TRUE(m.local.entries().empty()) << "an address the filter hides would be forwarded, not delivered";

  m.localFilter.failPuts = 0;
  ASSERT_TRUE(sync.sync(relayNet(), relayTargets()).ok());
  EXPECT_EQ(m.local.entries().size(), 2u);
  EXPECT_TRUE(localFilterMayHold(m.filter(), ip("fd99::1").bytes));
}

TEST(RouteSyncLocalFilter, AnAddressAlreadyInTheMapGetsItsBitBack) {
  // Left by an earlier run whose filter write failed: the filter must not
  // drop the bit of an address that is still in mf_local_addrs.
  Maps m;
  m.local.put(localKey("fd99::1"), kWg0);
  m.local.failPuts = -ENOSPC;
  RouteSync sync(m.egress, m.exact, m.tunnels, m.local, m.localFilter);
  sync.sync(relayNet(), relayTargets());
  EXPECT_TRUE(localFilterMayHold(m.filter(), ip("fd99::1").bytes));
}

TEST(LocalFilter, BitsOfOneSitesHostsSpread) {
  // A /64's hosts differ in their last bits; the hash must not put them on
  // one bit, or a local address would send its neighbours to the lookup.
  std::set<uint32_t> bits;
  for (uint8_t host = 1; host <= 64; ++host) {
    Ipv6Addr a = ip("fd42:4242:4242:a::");
    a.bytes[15] = host;
    bits.insert(localFilterBit(a.bytes));
  }
  EXPECT_GE(bits.size(), 60u);
  for (uint32_t b : bits) EXPECT_LT(b, static_cast<uint32_t>(MF_LOCAL_FILTER_BITS));
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
  RouteSync sync(m.egress, m.exact, m.tunnels, m.local, m.localFilter);
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
