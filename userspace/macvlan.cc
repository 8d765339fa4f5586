#include "userspace/macvlan.h"

#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/macvlan.h>

#include <fstream>

#include "userspace/nl_handles.h"
#include "userspace/vrrp_netlink.h"

namespace meshfwd::vrrp {

std::string createMacvlan(const std::string& lower, const std::string& name, const MacAddr& mac) {
  int lowerIndex = ifindexOf(lower);
  if (lowerIndex == 0) return "LAN interface " + lower + " does not exist";
  if (ifindexOf(name) != 0) {
    if (auto e = deleteLink(name); !e.empty()) return e;
  }
  nl::Sock sock = nl::connectRoute();
  if (!sock) return "cannot open an rtnetlink socket";
  nl::Link link(rtnl_link_macvlan_alloc());
  if (!link) return "cannot allocate a macvlan link";
  rtnl_link_set_name(link.get(), name.c_str());
  rtnl_link_set_link(link.get(), lowerIndex);
  rtnl_link_macvlan_set_mode(link.get(), static_cast<uint32_t>(rtnl_link_macvlan_str2mode("private")));
  nl::Addr ll(nl_addr_build(AF_LLC, mac.data(), mac.size()));
  rtnl_link_set_addr(link.get(), ll.get());
  int err = rtnl_link_add(sock.get(), link.get(), NLM_F_CREATE | NLM_F_EXCL);
  if (err < 0) return "cannot create macvlan " + name + " on " + lower + ": " + nl_geterror(err);
  // addrgenmode none while still down, so no address is ever made from the
  // virtual MAC. The sysctl rather than IFLA_INET6_ADDR_GEN_MODE in the
  // create request: libnl 3.7 refuses that for a new link (EAFNOSUPPORT).
  std::ofstream mode("/proc/sys/net/ipv6/conf/" + name + "/addr_gen_mode");
  if (!(mode << "1\n") || !mode.flush()) {
    deleteLink(name);
    return "cannot set addrgenmode none on " + name;
  }
  return setLinkUp(name, true);
}

}  // namespace meshfwd::vrrp
