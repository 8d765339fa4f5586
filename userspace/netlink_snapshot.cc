#include "userspace/netlink_snapshot.h"

#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>
#include <sys/socket.h>

#include <cstring>

#include "userspace/nl_handles.h"

namespace meshfwd {

const LinkFacts* NetSnapshot::linkByName(const std::string& name) const {
  for (const auto& l : links)
    if (l.name == name) return &l;
  return nullptr;
}

const LinkFacts* NetSnapshot::linkByIndex(uint32_t ifindex) const {
  for (const auto& l : links)
    if (l.ifindex == ifindex) return &l;
  return nullptr;
}

namespace {

using SockPtr = nl::Sock;
using CachePtr = nl::Cache;

std::optional<Ipv6Addr> toIpv6(nl_addr* a) {
  if (!a || nl_addr_get_family(a) != AF_INET6 || nl_addr_get_len(a) != 16) return std::nullopt;
  Ipv6Addr out;
  std::memcpy(out.bytes.data(), nl_addr_get_binary_addr(a), 16);
  return out;
}

void collectLink(nl_object* obj, void* arg) {
  auto* link = reinterpret_cast<rtnl_link*>(obj);
  LinkFacts f;
  f.ifindex = static_cast<uint32_t>(rtnl_link_get_ifindex(link));
  if (const char* name = rtnl_link_get_name(link)) f.name = name;
  f.mtu = rtnl_link_get_mtu(link);
  f.arpType = rtnl_link_get_arptype(link);
  f.up = (rtnl_link_get_flags(link) & IFF_UP) != 0;
  if (const char* kind = rtnl_link_get_type(link)) f.kind = kind;
  if (nl_addr* ll = rtnl_link_get_addr(link); ll && nl_addr_get_len(ll) == 6)
    std::memcpy(f.mac.data(), nl_addr_get_binary_addr(ll), 6);
  static_cast<NetSnapshot*>(arg)->links.push_back(std::move(f));
}

void collectAddr(nl_object* obj, void* arg) {
  auto* a = reinterpret_cast<rtnl_addr*>(obj);
  if (rtnl_addr_get_family(a) != AF_INET6) return;
  auto local = toIpv6(rtnl_addr_get_local(a));
  if (!local) return;
  AddrFacts f;
  f.ifindex = static_cast<uint32_t>(rtnl_addr_get_ifindex(a));
  f.addr = *local;
  f.prefixLength = static_cast<uint8_t>(rtnl_addr_get_prefixlen(a));
  unsigned flags = rtnl_addr_get_flags(a);
  f.tentative = (flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) != 0;
  f.deprecated = (flags & IFA_F_DEPRECATED) != 0;
  static_cast<NetSnapshot*>(arg)->addrs.push_back(f);
}

void collectRoute(nl_object* obj, void* arg) {
  auto* r = reinterpret_cast<rtnl_route*>(obj);
  if (rtnl_route_get_family(r) != AF_INET6) return;
  nl_addr* dst = rtnl_route_get_dst(r);
  auto addr = toIpv6(dst);
  if (!addr) return;
  RouteFacts f;
  f.dst.addr = *addr;
  f.dst.length = static_cast<uint8_t>(nl_addr_get_prefixlen(dst));
  // The kernel never reports host bits for an IPv6 route, but a prefix with
  // them would break LPM keys; clear them rather than trust that.
  for (unsigned bit = f.dst.length; bit < 128; ++bit) f.dst.addr.bytes[bit / 8] &= ~(0x80 >> (bit % 8));
  f.table = rtnl_route_get_table(r);
  f.type = rtnl_route_get_type(r);
  f.priority = rtnl_route_get_priority(r);
  uint32_t mtu = 0;
  if (rtnl_route_get_metric(r, RTAX_MTU, &mtu) == 0) f.mtu = mtu;
  for (int i = 0, n = rtnl_route_get_nnexthops(r); i < n; ++i)
    if (rtnl_nexthop* nh = rtnl_route_nexthop_n(r, i))
      f.oifs.push_back(static_cast<uint32_t>(rtnl_route_nh_get_ifindex(nh)));
  static_cast<NetSnapshot*>(arg)->routes.push_back(std::move(f));
}

}  // namespace

std::optional<NetSnapshot> readNetSnapshot(std::string* error, bool withRoutes) {
  auto fail = [&](const char* what, int err) -> std::optional<NetSnapshot> {
    if (error) *error = std::string("netlink: ") + what + ": " + nl_geterror(err);
    return std::nullopt;
  };
  SockPtr sock(nl_socket_alloc());
  if (!sock) return fail("allocating a socket", -NLE_NOMEM);
  if (int err = nl_connect(sock.get(), NETLINK_ROUTE); err < 0) return fail("connecting", err);

  nl_cache* raw = nullptr;
  NetSnapshot snap;
  if (int err = rtnl_link_alloc_cache(sock.get(), AF_UNSPEC, &raw); err < 0) return fail("dumping links", err);
  CachePtr links(raw);
  nl_cache_foreach(links.get(), collectLink, &snap);

  if (int err = rtnl_addr_alloc_cache(sock.get(), &raw); err < 0) return fail("dumping addresses", err);
  CachePtr addrs(raw);
  nl_cache_foreach(addrs.get(), collectAddr, &snap);

  if (!withRoutes) return snap;
  // Flag 0: the kernel's routes only, without libnl's cached-route merging.
  if (int err = rtnl_route_alloc_cache(sock.get(), AF_INET6, 0, &raw); err < 0) return fail("dumping routes", err);
  CachePtr routes(raw);
  nl_cache_foreach(routes.get(), collectRoute, &snap);
  return snap;
}

}  // namespace meshfwd
