#include "userspace/local_addrs.h"

#include <algorithm>
#include <tuple>

namespace meshfwd {

namespace {
bool isLoopback(const Ipv6Addr& a) {
  static const Ipv6Addr kLoopback = *Ipv6Addr::parse("::1");
  return a == kLoopback;
}
bool usableUnicast(const Ipv6Addr& a) { return !a.isLinkLocal() && !a.isMulticast() && !isLoopback(a); }
}  // namespace

LocalAddrSet desiredLocalAddrs(const NetSnapshot& net, const std::vector<uint32_t>& preferred, size_t limit) {
  std::vector<const AddrFacts*> ordered;
  for (const auto& a : net.addrs)
    if (usableUnicast(a.addr)) ordered.push_back(&a);
  auto rank = [&](const AddrFacts* a) {
    auto it = std::find(preferred.begin(), preferred.end(), a->ifindex);
    return std::make_tuple(static_cast<size_t>(it - preferred.begin()), a->ifindex, a->addr);
  };
  std::sort(ordered.begin(), ordered.end(), [&](auto* x, auto* y) { return rank(x) < rank(y); });

  LocalAddrSet out;
  for (const auto* a : ordered) {
    if (out.addrs.count(a->addr)) continue;  // the same address on two links: the preferred one wins
    if (out.addrs.size() == limit) {
      ++out.dropped;
      continue;
    }
    out.addrs.emplace(a->addr, a->ifindex);
  }
  return out;
}

std::optional<Ipv6Addr> pickIcmpSource(const NetSnapshot& net, uint32_t ifindex,
                                       const std::optional<Ipv6Prefix>& preferIn) {
  const AddrFacts* best = nullptr;
  auto key = [&](const AddrFacts& a) {
    bool inPreferred = preferIn && preferIn->contains(a.addr);
    return std::make_tuple(!inPreferred, a.tentative, a.deprecated, a.addr);
  };
  for (const auto& a : net.addrs) {
    if (a.ifindex != ifindex || !usableUnicast(a.addr)) continue;
    if (!best || key(a) < key(*best)) best = &a;
  }
  if (!best) return std::nullopt;
  return best->addr;
}

}  // namespace meshfwd
