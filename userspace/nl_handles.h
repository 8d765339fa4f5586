// Owning handles for the libnl-3 objects userspace makes, so every early
// return frees what it allocated; and the one-shot rtnetlink connection the
// stateless helpers (VRRP links and addresses, the macvlan, the snapshot)
// open per call.
#pragma once

#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include <memory>

namespace meshfwd::nl {

struct SockFree {
  void operator()(nl_sock* s) const { nl_socket_free(s); }
};
struct CacheFree {
  void operator()(nl_cache* c) const { nl_cache_free(c); }
};
struct LinkFree {
  void operator()(rtnl_link* l) const { rtnl_link_put(l); }
};
struct RtAddrFree {
  void operator()(rtnl_addr* a) const { rtnl_addr_put(a); }
};
struct AddrFree {
  void operator()(nl_addr* a) const { nl_addr_put(a); }
};
struct RouteFree {
  void operator()(rtnl_route* r) const { rtnl_route_put(r); }
};

using Sock = std::unique_ptr<nl_sock, SockFree>;
using Cache = std::unique_ptr<nl_cache, CacheFree>;
using Link = std::unique_ptr<rtnl_link, LinkFree>;
using RtAddr = std::unique_ptr<rtnl_addr, RtAddrFree>;
using Addr = std::unique_ptr<nl_addr, AddrFree>;
using Route = std::unique_ptr<rtnl_route, RouteFree>;

// A socket connected to NETLINK_ROUTE, or null when either step fails.
inline Sock connectRoute() {
  Sock sock(nl_socket_alloc());
  if (sock && nl_connect(sock.get(), NETLINK_ROUTE) < 0) sock.reset();
  return sock;
}

}  // namespace meshfwd::nl
