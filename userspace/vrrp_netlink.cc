#include "userspace/vrrp_netlink.h"

#include <linux/if_addr.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>

#include <cerrno>
#include <cstring>

#include "userspace/nl_handles.h"

namespace meshfwd::vrrp {

namespace {

using nl::connectRoute;
using nl::Sock;

nl::RtAddr makeAddress(int ifindex, const Ipv6Addr& addr, uint8_t prefixLen) {
  nl::RtAddr a(rtnl_addr_alloc());
  nl::Addr local(nl_addr_build(AF_INET6, addr.bytes.data(), addr.bytes.size()));
  nl_addr_set_prefixlen(local.get(), prefixLen);
  rtnl_addr_set_ifindex(a.get(), ifindex);
  rtnl_addr_set_family(a.get(), AF_INET6);
  rtnl_addr_set_local(a.get(), local.get());
  rtnl_addr_set_prefixlen(a.get(), prefixLen);
  return a;
}

}  // namespace

int ifindexOf(const std::string& ifname) { return static_cast<int>(::if_nametoindex(ifname.c_str())); }

bool linkRunning(int ifindex) {
  Sock sock = connectRoute();
  rtnl_link* raw = nullptr;
  if (!sock || rtnl_link_get_kernel(sock.get(), ifindex, nullptr, &raw) < 0) return false;
  nl::Link link(raw);
  unsigned flags = rtnl_link_get_flags(link.get());
  constexpr unsigned kLowerUp = 1u << 16;  // IFF_LOWER_UP: linux/if.h clashes with net/if.h
  return (flags & IFF_UP) && (flags & kLowerUp);
}

bool linkAdminUp(int ifindex) {
  Sock sock = connectRoute();
  rtnl_link* raw = nullptr;
  if (!sock || rtnl_link_get_kernel(sock.get(), ifindex, nullptr, &raw) < 0) return false;
  nl::Link link(raw);
  return (rtnl_link_get_flags(link.get()) & IFF_UP) != 0;
}

std::string setLinkUp(const std::string& ifname, bool up) {
  Sock sock = connectRoute();
  if (!sock) return "cannot open an rtnetlink socket";
  rtnl_link* raw = nullptr;
  int err = rtnl_link_get_kernel(sock.get(), 0, ifname.c_str(), &raw);
  if (err < 0) return "no link " + ifname + ": " + nl_geterror(err);
  nl::Link link(raw);
  nl::Link change(rtnl_link_alloc());
  if (up)
    rtnl_link_set_flags(change.get(), IFF_UP);
  else
    rtnl_link_unset_flags(change.get(), IFF_UP);
  err = rtnl_link_change(sock.get(), link.get(), change.get(), 0);
  if (err < 0) return std::string("cannot set ") + ifname + (up ? " up: " : " down: ") + nl_geterror(err);
  return "";
}

std::string deleteLink(const std::string& ifname) {
  Sock sock = connectRoute();
  if (!sock) return "cannot open an rtnetlink socket";
  nl::Link link(rtnl_link_alloc());
  rtnl_link_set_name(link.get(), ifname.c_str());
  int err = rtnl_link_delete(sock.get(), link.get());
  if (err < 0 && err != -NLE_NODEV && err != -NLE_OBJ_NOTFOUND) return "cannot delete " + ifname + ": " + nl_geterror(err);
  return "";
}

std::string addAddressNodad(int ifindex, const Ipv6Addr& addr, uint8_t prefixLen) {
  Sock sock = connectRoute();
  if (!sock) return "cannot open an rtnetlink socket";
  auto a = makeAddress(ifindex, addr, prefixLen);
  rtnl_addr_set_flags(a.get(), IFA_F_NODAD);
  int err = rtnl_addr_add(sock.get(), a.get(), NLM_F_CREATE | NLM_F_REPLACE);
  if (err < 0 && err != -NLE_EXIST) return "cannot add " + addr.str() + ": " + nl_geterror(err);
  return "";
}

std::string removeAddress(int ifindex, const Ipv6Addr& addr, uint8_t prefixLen) {
  Sock sock = connectRoute();
  if (!sock) return "cannot open an rtnetlink socket";
  auto a = makeAddress(ifindex, addr, prefixLen);
  int err = rtnl_addr_delete(sock.get(), a.get(), 0);
  if (err < 0 && err != -NLE_NOADDR && err != -NLE_OBJ_NOTFOUND && err != -NLE_NODEV)
    return "cannot remove " + addr.str() + ": " + nl_geterror(err);
  return "";
}

namespace {
template <typename Fn>
void forEachIpv6Address(int ifindex, Fn fn) {
  Sock sock = connectRoute();
  nl_cache* raw = nullptr;
  if (!sock || rtnl_addr_alloc_cache(sock.get(), &raw) < 0) return;
  nl::Cache cache(raw);
  for (nl_object* o = nl_cache_get_first(cache.get()); o; o = nl_cache_get_next(o)) {
    auto* a = reinterpret_cast<rtnl_addr*>(o);
    if (rtnl_addr_get_family(a) != AF_INET6 || rtnl_addr_get_ifindex(a) != ifindex) continue;
    nl_addr* local = rtnl_addr_get_local(a);
    if (!local || nl_addr_get_len(local) != 16) continue;
    Ipv6Addr addr;
    std::memcpy(addr.bytes.data(), nl_addr_get_binary_addr(local), 16);
    if (fn(addr, rtnl_addr_get_flags(a), rtnl_addr_get_prefixlen(a))) return;
  }
}
}  // namespace

bool hasAddress(int ifindex, const Ipv6Addr& addr) {
  bool found = false;
  forEachIpv6Address(ifindex, [&](const Ipv6Addr& a, unsigned, int) { return found = (a == addr); });
  return found;
}

std::optional<Ipv6Addr> linkLocalAddress(int ifindex) {
  std::optional<Ipv6Addr> found;
  forEachIpv6Address(ifindex, [&](const Ipv6Addr& a, unsigned flags, int) {
    if (!a.isLinkLocal() || (flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED))) return false;
    found = a;
    return true;
  });
  return found;
}

}  // namespace meshfwd::vrrp

#include <linux/rtnetlink.h>
#include <netlink/route/route.h>

#include <fstream>

namespace meshfwd::vrrp {

std::vector<SavedRoute> routesVia(int ifindex) {
  std::vector<SavedRoute> out;
  Sock sock = connectRoute();
  nl_cache* raw = nullptr;
  if (!sock || rtnl_route_alloc_cache(sock.get(), AF_INET6, 0, &raw) < 0) return out;
  nl::Cache cache(raw);
  for (nl_object* o = nl_cache_get_first(cache.get()); o; o = nl_cache_get_next(o)) {
    auto* r = reinterpret_cast<rtnl_route*>(o);
    if (rtnl_route_get_type(r) != RTN_UNICAST || rtnl_route_get_protocol(r) == RTPROT_KERNEL ||
        rtnl_route_get_table(r) == RT_TABLE_LOCAL || rtnl_route_get_nnexthops(r) != 1)
      continue;
    rtnl_nexthop* nh = rtnl_route_nexthop_n(r, 0);
    if (rtnl_route_nh_get_ifindex(nh) != ifindex) continue;
    nl_addr* dst = rtnl_route_get_dst(r);
    if (!dst || nl_addr_get_len(dst) != 16) continue;
    SavedRoute s;
    std::memcpy(s.destination.addr.bytes.data(), nl_addr_get_binary_addr(dst), 16);
    s.destination.length = static_cast<uint8_t>(nl_addr_get_prefixlen(dst));
    s.table = rtnl_route_get_table(r);
    s.priority = rtnl_route_get_priority(r);
    s.protocol = rtnl_route_get_protocol(r);
    if (nl_addr* gw = rtnl_route_nh_get_gateway(nh); gw && nl_addr_get_len(gw) == 16) {
      Ipv6Addr g;
      std::memcpy(g.bytes.data(), nl_addr_get_binary_addr(gw), 16);
      s.gateway = g;
    }
    out.push_back(s);
  }
  return out;
}

std::string restoreRoutes(int ifindex, const std::vector<SavedRoute>& routes) {
  Sock sock = connectRoute();
  if (!sock) return "cannot open an rtnetlink socket";
  for (const auto& s : routes) {
    nl::Route r(rtnl_route_alloc());
    nl::Addr dst(nl_addr_build(AF_INET6, s.destination.addr.bytes.data(), 16));
    nl_addr_set_prefixlen(dst.get(), s.destination.length);
    rtnl_route_set_family(r.get(), AF_INET6);
    rtnl_route_set_dst(r.get(), dst.get());
    rtnl_route_set_table(r.get(), s.table);
    rtnl_route_set_priority(r.get(), s.priority);
    rtnl_route_set_protocol(r.get(), s.protocol);
    rtnl_nexthop* nh = rtnl_route_nh_alloc();
    rtnl_route_nh_set_ifindex(nh, ifindex);
    if (s.gateway) {
      nl_addr* gw = nl_addr_build(AF_INET6, s.gateway->bytes.data(), 16);
      rtnl_route_nh_set_gateway(nh, gw);
      nl_addr_put(gw);
    }
    rtnl_route_add_nexthop(r.get(), nh);  // the route owns it now
    int err = rtnl_route_add(sock.get(), r.get(), NLM_F_CREATE);
    if (err < 0 && err != -NLE_EXIST) return "cannot restore the route to " + s.destination.str() + ": " + nl_geterror(err);
  }
  return "";
}

std::string keepAddressesOnDown(const std::string& ifname) {
  std::ofstream f("/proc/sys/net/ipv6/conf/" + ifname + "/keep_addr_on_down");
  if (!(f << "1\n") || !f.flush()) return "cannot set net.ipv6.conf." + ifname + ".keep_addr_on_down";
  return "";
}

}  // namespace meshfwd::vrrp
