#include "userspace/route_sync.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "userspace/local_filter.h"
#include "userspace/policy_maps.h"

namespace meshfwd {

mf_egress_key egressKey(const Ipv6Prefix& p) {
  mf_egress_key k{};
  k.prefixlen = p.length;
  std::memcpy(k.addr, p.addr.bytes.data(), 16);
  return k;
}

mf_egress64_key egress64Key(const Ipv6Prefix& p) {
  mf_egress64_key k{};
  std::memcpy(k.prefix, p.addr.bytes.data(), 8);
  return k;
}

std::map<Ipv6Prefix, mf_egress> planExactSites(const std::map<Ipv6Prefix, mf_egress>& egress) {
  std::map<Ipv6Prefix, mf_egress> exact;
  for (auto it = egress.begin(); it != egress.end(); ++it) {
    if (it->first.length != 64) continue;
    // The map is ordered by address, then length: anything longer inside
    // this /64 sorts right after it.
    auto next = std::next(it);
    bool hasLonger = next != egress.end() && it->first.contains(next->first);
    if (!hasLonger) exact.emplace(it->first, it->second);
  }
  return exact;
}

Ipv6Prefix egressPrefix(const mf_egress_key& k) {
  Ipv6Prefix p;
  std::memcpy(p.addr.bytes.data(), k.addr, 16);
  p.length = static_cast<uint8_t>(std::min<uint32_t>(k.prefixlen, 128));
  return p;
}

namespace {

constexpr uint32_t kMainTable = 254;  // RT_TABLE_MAIN
constexpr uint8_t kUnicast = 1;       // RTN_UNICAST

}  // namespace

EgressPlan planEgress(const NetSnapshot& net, const Ipv6Prefix& mesh, const std::vector<uint32_t>& tunnels,
                      const std::map<Ipv6Prefix, mf_egress>& current) {
  EgressPlan plan;
  // Best route per prefix first: lowest metric.
  std::map<Ipv6Prefix, const RouteFacts*> best;
  for (const auto& r : net.routes) {
    if (r.table != kMainTable || r.type != kUnicast || r.oifs.empty()) continue;
    if (!mesh.contains(r.dst)) continue;
    auto [it, inserted] = best.emplace(r.dst, &r);
    if (!inserted && r.priority < it->second->priority) it->second = &r;
  }

  std::set<uint32_t> usedIds;
  for (const auto& [prefix, route] : best) {
    uint32_t oif = route->oifs.front();
    if (std::find(tunnels.begin(), tunnels.end(), oif) == tunnels.end()) continue;  // not via a tunnel
    const LinkFacts* link = net.linkByIndex(oif);
    if (!link) {
      plan.warnings.push_back("route " + prefix.str() + ": output interface " + std::to_string(oif) + " vanished");
      continue;
    }
    auto l2 = l2HeaderLength(link->arpType);
    if (!l2) {
      plan.warnings.push_back("route " + prefix.str() + " via " + link->name + ": link type " +
                              std::to_string(link->arpType) + " is neither Ethernet nor TUN/WireGuard; skipped");
      continue;
    }
    if (route->oifs.size() > 1)
      plan.warnings.push_back("route " + prefix.str() + " is multipath; the fast path uses its first nexthop (" +
                              link->name + ")");
    mf_egress e{};
    e.ifindex = oif;
    e.mtu = route->mtu ? route->mtu : link->mtu;
    e.l2_len = *l2;
    e.site_id = 0;
    if (auto old = current.find(prefix); old != current.end() && old->second.site_id >= kFirstSiteId &&
                                         old->second.site_id < MF_SITE_SLOTS && !usedIds.count(old->second.site_id)) {
      e.site_id = old->second.site_id;
      usedIds.insert(e.site_id);
    }
    plan.entries.emplace(prefix, e);
  }

  // New prefixes: lowest id no current entry holds (not even one about to
  // be deleted, so its counters are not merged into a new site this round).
  for (const auto& [prefix, e] : current) usedIds.insert(e.site_id);
  uint32_t next = kFirstSiteId;
  for (auto it = plan.entries.begin(); it != plan.entries.end();) {
    if (it->second.site_id != 0) {
      ++it;
      continue;
    }
    while (next < MF_SITE_SLOTS && usedIds.count(next)) ++next;
    if (next >= MF_SITE_SLOTS) {
      plan.warnings.push_back("route " + it->first.str() + ": all " + std::to_string(MF_MAX_SITES) +
                              " site ids are in use; skipped");
      it = plan.entries.erase(it);
      continue;
    }
    it->second.site_id = next;
    usedIds.insert(next);
    ++it;
  }
  return plan;
}

TunnelPlan planTunnels(const NetSnapshot& net, const std::vector<std::string>& tunnelNames) {
  TunnelPlan plan;
  std::map<uint32_t, std::string> slotOwner;  // mf_tunnel_slot -> the tunnel holding it
  for (const auto& name : tunnelNames) {
    const LinkFacts* link = net.linkByName(name);
    if (!link) {
      plan.warnings.push_back("tunnel " + name + " does not exist");
      continue;
    }
    auto l2 = l2HeaderLength(link->arpType);
    if (!l2) {
      plan.warnings.push_back("tunnel " + name + ": link type " + std::to_string(link->arpType) +
                              " is neither Ethernet nor TUN/WireGuard");
      continue;
    }
    uint32_t slot = mf_tunnel_slot(link->ifindex);
    auto [owner, fresh] = slotOwner.emplace(slot, name);
    if (!fresh && owner->second != name) {
      plan.warnings.push_back("tunnel " + name + " (ifindex " + std::to_string(link->ifindex) +
                              ") shares datapath slot " + std::to_string(slot) + " with tunnel " + owner->second +
                              ": left out; recreating it gives it another ifindex");
      continue;
    }
    plan.entries[link->ifindex] = mf_tunnel{link->mtu, *l2, link->ifindex};
  }
  return plan;
}

std::map<uint32_t, mf_tunnel> tunnelsInSlots(const std::vector<std::pair<uint32_t, mf_tunnel>>& slots) {
  std::map<uint32_t, mf_tunnel> tunnels;
  for (const auto& [slot, t] : slots)
    if (t.ifindex != 0 && mf_tunnel_slot(t.ifindex) == slot) tunnels.emplace(t.ifindex, t);
  return tunnels;
}

mf_local_filter localFilterOf(const std::map<Ipv6Addr, uint32_t>& addrs) {
  mf_local_filter filter{};
  for (const auto& [addr, ifindex] : addrs) localFilterAdd(filter, addr.bytes);
  return filter;
}

namespace {

template <typename K, typename V, typename ToKey>
void applyWrites(MapView<K, V>& map, const std::vector<std::pair<typename ToKey::From, V>>& writes, ToKey toKey,
                 const char* mapName, std::vector<std::string>& errors) {
  for (const auto& [k, v] : writes)
    if (int err = map.put(toKey(k), v); err != 0)
      errors.push_back(std::string(mapName) + ": writing " + toKey.describe(k) + " failed: " + std::strerror(-err));
}

template <typename K, typename V, typename ToKey>
void applyDeletes(MapView<K, V>& map, const std::vector<typename ToKey::From>& deletes, ToKey toKey,
                  const char* mapName, std::vector<std::string>& errors) {
  for (const auto& k : deletes)
    if (int err = map.erase(toKey(k)); err != 0 && err != -ENOENT)
      errors.push_back(std::string(mapName) + ": deleting " + toKey.describe(k) + " failed: " + std::strerror(-err));
}

struct PrefixKey {
  using From = Ipv6Prefix;
  mf_egress_key operator()(const Ipv6Prefix& p) const { return egressKey(p); }
  std::string describe(const Ipv6Prefix& p) const { return p.str(); }
};
struct SiteKey {
  using From = Ipv6Prefix;
  mf_egress64_key operator()(const Ipv6Prefix& p) const { return egress64Key(p); }
  std::string describe(const Ipv6Prefix& p) const { return p.str(); }
};
struct TunnelSlotKey {
  using From = uint32_t;  // the tunnel's ifindex
  uint32_t operator()(uint32_t ifindex) const { return mf_tunnel_slot(ifindex); }
  std::string describe(uint32_t ifindex) const { return "ifindex " + std::to_string(ifindex); }
};
struct AddrKey {
  using From = Ipv6Addr;
  mf_local_key operator()(const Ipv6Addr& a) const {
    mf_local_key k{};
    std::memcpy(k.addr, a.bytes.data(), 16);
    return k;
  }
  std::string describe(const Ipv6Addr& a) const { return a.str(); }
};

}  // namespace

SyncReport RouteSync::sync(const NetSnapshot& net, const SyncTargets& targets) {
  SyncReport report;
  auto readAll = [&](auto& map, const char* name, auto convert) {
    int err = 0;
    auto entries = map.entries(&err);
    if (err) report.errors.push_back(std::string(name) + ": reading failed: " + std::strerror(-err));
    return convert(entries);
  };

  auto currentTunnels = readAll(tunnels_, "mf_tunnels", [](const auto& es) { return tunnelsInSlots(es); });
  auto currentEgress = readAll(egress_, "mf_egress", [](const auto& es) {
    std::map<Ipv6Prefix, mf_egress> m;
    for (const auto& [k, v] : es) m.emplace(egressPrefix(k), v);
    return m;
  });
  auto currentExact = readAll(exactSites_, "mf_egress64", [](const auto& es) {
    std::map<Ipv6Prefix, mf_egress> m;
    for (const auto& [k, v] : es) {
      Ipv6Prefix p;
      p.length = 64;
      std::memcpy(p.addr.bytes.data(), k.prefix, 8);
      m.emplace(p, v);
    }
    return m;
  });
  auto currentLocal = readAll(localAddrs_, "mf_local_addrs", [](const auto& es) {
    std::map<Ipv6Addr, uint32_t> m;
    for (const auto& [k, v] : es) {
      Ipv6Addr a;
      std::memcpy(a.bytes.data(), k.addr, 16);
      m.emplace(a, v);
    }
    return m;
  });
  mf_local_filter currentFilter{};
  if (auto f = localFilter_.lookup(0)) currentFilter = *f;
  // A map that cannot be read cannot be diffed safely: stop before writing.
  if (!report.ok()) return report;

  TunnelPlan tunnels = planTunnels(net, targets.tunnels);
  report.warnings.insert(report.warnings.end(), tunnels.warnings.begin(), tunnels.warnings.end());
  std::vector<uint32_t> tunnelIfindexes;
  for (const auto& [ifindex, t] : tunnels.entries) tunnelIfindexes.push_back(ifindex);

  std::map<Ipv6Prefix, mf_egress> desiredEgress;
  if (targets.syncEgress) {
    EgressPlan egress = planEgress(net, targets.mesh, tunnelIfindexes, currentEgress);
    report.warnings.insert(report.warnings.end(), egress.warnings.begin(), egress.warnings.end());
    desiredEgress = std::move(egress.entries);
  } else {
    desiredEgress = currentEgress;  // not ours to manage in this role
  }

  std::vector<uint32_t> preferred;
  for (const auto& name : targets.preferredLocal)
    if (const LinkFacts* l = net.linkByName(name)) preferred.push_back(l->ifindex);
  LocalAddrSet local = desiredLocalAddrs(net, preferred, MF_MAX_LOCAL_ADDRS);
  if (local.dropped)
    report.warnings.push_back(std::to_string(local.dropped) + " local addresses beyond the first " +
                              std::to_string(MF_MAX_LOCAL_ADDRS) + " are not in mf_local_addrs");

  report.tunnels = diffMaps(currentTunnels, tunnels.entries);
  report.egress = diffMaps(currentEgress, desiredEgress);
  report.exactSites = diffMaps(currentExact, targets.syncEgress ? planExactSites(desiredEgress) : currentExact);
  report.localAddrs = diffMaps(currentLocal, local.addrs);

  applyWrites(tunnels_, report.tunnels.adds, TunnelSlotKey{}, "mf_tunnels", report.errors);
  applyWrites(tunnels_, report.tunnels.updates, TunnelSlotKey{}, "mf_tunnels", report.errors);
  applyDeletes(exactSites_, report.exactSites.deletes, SiteKey{}, "mf_egress64", report.errors);
  applyWrites(egress_, report.egress.adds, PrefixKey{}, "mf_egress", report.errors);
  applyWrites(egress_, report.egress.updates, PrefixKey{}, "mf_egress", report.errors);
  applyWrites(exactSites_, report.exactSites.adds, SiteKey{}, "mf_egress64", report.errors);
  applyWrites(exactSites_, report.exactSites.updates, SiteKey{}, "mf_egress64", report.errors);
  applyDeletes(egress_, report.egress.deletes, PrefixKey{}, "mf_egress", report.errors);
  // An array slot is freed by writing it empty, unless a tunnel added in
  // this round took it over.
  std::vector<std::pair<uint32_t, mf_tunnel>> freed;
  for (uint32_t gone : report.tunnels.deletes) {
    uint32_t slot = mf_tunnel_slot(gone);
    bool retaken = std::any_of(tunnels.entries.begin(), tunnels.entries.end(),
                               [&](const auto& t) { return mf_tunnel_slot(t.first) == slot; });
    if (!retaken) freed.emplace_back(gone, mf_tunnel{});
  }
  applyWrites(tunnels_, freed, TunnelSlotKey{}, "mf_tunnels", report.errors);

  // Local addresses: add before delete too, so an address moving between
  // links is never briefly forwarded instead of delivered. The filter lets
  // old and new addresses through while they change and drops the old ones
  // only once they are gone, so it never hides an address of mf_local_addrs.
  mf_local_filter desiredFilter = localFilterOf(local.addrs);
  mf_local_filter transition = localFilterOf(currentLocal);
  for (size_t i = 0; i < MF_LOCAL_FILTER_BITS / 64; ++i)
    transition.bits[i] |= desiredFilter.bits[i] | currentFilter.bits[i];
  auto writeFilter = [&](const mf_local_filter& f) {
    int err = localFilter_.put(0, f);
    if (err != 0) report.errors.push_back(std::string("mf_local_filter: writing failed: ") + std::strerror(-err));
    return err == 0;
  };
  bool widened = sameBytes(transition, currentFilter) || writeFilter(transition);
  if (widened) {
    applyWrites(localAddrs_, report.localAddrs.adds, AddrKey{}, "mf_local_addrs", report.errors);
    applyWrites(localAddrs_, report.localAddrs.updates, AddrKey{}, "mf_local_addrs", report.errors);
  }
  size_t errorsBeforeDeletes = report.errors.size();
  applyDeletes(localAddrs_, report.localAddrs.deletes, AddrKey{}, "mf_local_addrs", report.errors);
  bool allDeleted = report.errors.size() == errorsBeforeDeletes;
  if (widened && allDeleted && !sameBytes(desiredFilter, transition)) writeFilter(desiredFilter);
  return report;
}

}  // namespace meshfwd
