#include "userspace/macvlan.h"

#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/inet6.h>
#include <netlink/route/link/macvlan.h>

#include <memory>

#include "userspace/vrrp_netlink.h"

namespace meshfwd::vrrp {

namespace {
struct SockFree {
  void operator()(nl_sock* s) const { nl_socket_free(s); }
};
struct LinkFree {
  void operator()(rtnl_link* l) const { rtnl_link_put(l); }
};
struct AddrFree {
  void operator()(nl_addr* a) const { nl_addr_put(a); }
};
}  // namespace

std::string createMacvlan(const std::string& lower, const std::string& name, const MacAddr& mac) {
  int lowerIndex = ifindexOf(lower);
  if (lowerIndex == 0) return "LAN interface " + lower + " does not exist";
  if (ifindexOf(name) != 0) {
    if (auto e = deleteLink(name); !e.empty()) return e;
  }
  std::unique_ptr<nl_sock, SockFree> sock(nl_socket_alloc());
  if (!sock || nl_connect(sock.get(), NETLINK_ROUTE) < 0) return "cannot open an rtnetlink socket";
  std::unique_ptr<rtnl_link, LinkFree> link(rtnl_link_macvlan_alloc());
  if (!link) return "cannot allocate a macvlan link";
  rtnl_link_set_name(link.get(), name.c_str());
  rtnl_link_set_link(link.get(), lowerIndex);
  rtnl_link_macvlan_set_mode(link.get(), static_cast<uint32_t>(rtnl_link_macvlan_str2mode("private")));
  std::unique_ptr<nl_addr, AddrFree> ll(nl_addr_build(AF_LLC, mac.data(), mac.size()));
  rtnl_link_set_addr(link.get(), ll.get());
  rtnl_link_inet6_set_addr_gen_mode(link.get(), rtnl_link_inet6_str2addrgenmode("none"));
  rtnl_link_set_flags(link.get(), IFF_UP);
  int err = rtnl_link_add(sock.get(), link.get(), NLM_F_CREATE | NLM_F_EXCL);
  if (err < 0) return "cannot create macvlan " + name + " on " + lower + ": " + nl_geterror(err);
  return "";
}

}  // namespace meshfwd::vrrp
