// Keeps the datapath's view of the network in step with the kernel's:
// mf_egress (destination prefix -> tunnel, from the IPv6 routing table),
// mf_tunnels (the configured tunnel interfaces, the seed's oifname check)
// and mf_local_addrs with its mf_local_filter (the box's own addresses).
//
// Selection and diffing are pure functions of a NetSnapshot and the maps'
// current contents; RouteSync::sync() applies the difference and can be
// called again at any time (the daemon calls it on every netlink event),
// writing only what changed.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "maps/meshfwd_abi.h"
#include "userspace/addr.h"
#include "userspace/local_addrs.h"
#include "userspace/map_view.h"
#include "userspace/netlink_snapshot.h"

namespace meshfwd {

// Site ids index mf_site_counters. 0 is never handed out, so a zeroed
// entry can never be mistaken for a site.
inline constexpr uint32_t kFirstSiteId = 1;

struct EgressPlan {
  std::map<Ipv6Prefix, mf_egress> entries;
  std::vector<std::string> warnings;  // routes skipped, ids exhausted, ...
};

// The egress entries the routing table asks for: IPv6 unicast routes of the
// main table whose destination lies inside `mesh` and whose output
// interface is one of `tunnels`. A multipath route uses its first nexthop
// (the datapath has one egress per prefix; ECMP over tunnels is the kernel
// slow path's job). Of several routes for one prefix the lowest metric
// wins. MTU: the route's mtu metric when set, else the link's. Site ids are
// taken from `current` for prefixes already in the map (counters stay with
// their site) and otherwise handed out lowest-free first, in prefix order,
// so a fresh map gets the same ids on every run.
EgressPlan planEgress(const NetSnapshot& net, const Ipv6Prefix& mesh, const std::vector<uint32_t>& tunnels,
                      const std::map<Ipv6Prefix, mf_egress>& current);

template <typename K, typename V>
struct MapDiff {
  std::vector<std::pair<K, V>> adds;
  std::vector<std::pair<K, V>> updates;
  std::vector<K> deletes;
  bool empty() const { return adds.empty() && updates.empty() && deletes.empty(); }
};

// What turns `current` into `desired`; unchanged entries are not written.
template <typename K, typename V>
MapDiff<K, V> diffMaps(const std::map<K, V>& current, const std::map<K, V>& desired) {
  MapDiff<K, V> d;
  for (const auto& [k, v] : desired) {
    auto it = current.find(k);
    if (it == current.end())
      d.adds.emplace_back(k, v);
    else if (!sameBytes(it->second, v))
      d.updates.emplace_back(k, v);
  }
  for (const auto& [k, v] : current)
    if (!desired.count(k)) d.deletes.push_back(k);
  return d;
}

// The exact-match fast table (mf_egress64): every /64 of the plan that has no
// longer prefix inside it, because only for those does an exact hit on the
// upper 64 bits give what the LPM lookup would give. Everything else is
// left to mf_egress.
std::map<Ipv6Prefix, mf_egress> planExactSites(const std::map<Ipv6Prefix, mf_egress>& egress);

mf_egress_key egressKey(const Ipv6Prefix& p);
mf_egress64_key egress64Key(const Ipv6Prefix& p);
Ipv6Prefix egressPrefix(const mf_egress_key& k);

// What the configured tunnels look like to the datapath, by ifindex.
// Tunnels that do not exist (yet), have an L2 type meshfwd cannot handle, or
// whose ifindex falls in the mf_tunnels slot of an earlier one are left out,
// with a warning each.
struct TunnelPlan {
  std::map<uint32_t, mf_tunnel> entries;
  std::vector<std::string> warnings;
};
TunnelPlan planTunnels(const NetSnapshot& net, const std::vector<std::string>& tunnelNames);

// The tunnels an mf_tunnels array holds (slot -> entry), by ifindex: the
// non-empty slots whose entry belongs there.
std::map<uint32_t, mf_tunnel> tunnelsInSlots(const std::vector<std::pair<uint32_t, mf_tunnel>>& slots);

// The mf_local_filter that lets every address of `addrs` through.
mf_local_filter localFilterOf(const std::map<Ipv6Addr, uint32_t>& addrs);

struct SyncTargets {
  Ipv6Prefix mesh;
  std::vector<std::string> tunnels;  // names; resolved against each snapshot
  bool syncEgress = true;            // the edge's egress is its one tunnel, not routes
  std::vector<std::string> preferredLocal;  // interfaces whose addresses go first
};

struct SyncReport {
  MapDiff<Ipv6Prefix, mf_egress> egress;
  MapDiff<Ipv6Prefix, mf_egress> exactSites;
  MapDiff<uint32_t, mf_tunnel> tunnels;
  MapDiff<Ipv6Addr, uint32_t> localAddrs;
  std::vector<std::string> warnings;
  std::vector<std::string> errors;  // failed map writes; the next sync retries them
  bool ok() const { return errors.empty(); }
};

class RouteSync {
 public:
  RouteSync(MapView<mf_egress_key, mf_egress>& egress, MapView<mf_egress64_key, mf_egress>& exactSites,
            MapView<uint32_t, mf_tunnel>& tunnels, MapView<mf_local_key, uint32_t>& localAddrs,
            MapView<uint32_t, mf_local_filter>& localFilter)
      : egress_(egress),
        exactSites_(exactSites),
        tunnels_(tunnels),
        localAddrs_(localAddrs),
        localFilter_(localFilter) {}

  // Brings the maps to what `net` asks for. Writes go tunnels first,
  // then egress adds/updates, then deletes: an egress entry never names a
  // tunnel the datapath does not know yet, and a prefix is only removed
  // after its replacement is in place. Fast-table entries that stop being
  // exact go before the routes change and new ones after, so a hit there
  // never disagrees with mf_egress. mf_local_filter is widened before
  // local addresses are added and narrowed after they are deleted.
  SyncReport sync(const NetSnapshot& net, const SyncTargets& targets);

 private:
  MapView<mf_egress_key, mf_egress>& egress_;
  MapView<mf_egress64_key, mf_egress>& exactSites_;
  MapView<uint32_t, mf_tunnel>& tunnels_;
  MapView<mf_local_key, uint32_t>& localAddrs_;
  MapView<uint32_t, mf_local_filter>& localFilter_;
};

}  // namespace meshfwd
