// The few rtnetlink operations the VRRP router makes (libnl-3): link
// up/down, IPv6 addresses with nodad, the link-local address to copy.
// Thin and stateless: every call opens its own socket, because they run
// only on transitions, never per packet.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "userspace/addr.h"

namespace meshfwd::vrrp {

// 0 when there is no such link.
int ifindexOf(const std::string& ifname);

// Administratively up and with carrier (IFF_UP and IFF_LOWER_UP).
bool linkRunning(int ifindex);
// IFF_UP alone: set by an administrator (or a router), carrier or not.
bool linkAdminUp(int ifindex);

// "" or an error naming the link.
std::string setLinkUp(const std::string& ifname, bool up);
// Removes the link; "" also when it is already gone.
std::string deleteLink(const std::string& ifname);

// Adds `addr/prefixLen` with IFA_F_NODAD; "" also when it is already there.
std::string addAddressNodad(int ifindex, const Ipv6Addr& addr, uint8_t prefixLen);
// "" also when it was not there.
std::string removeAddress(int ifindex, const Ipv6Addr& addr, uint8_t prefixLen);
bool hasAddress(int ifindex, const Ipv6Addr& addr);

// The first link-local address on the link that has finished DAD.
std::optional<Ipv6Addr> linkLocalAddress(int ifindex);

}  // namespace meshfwd::vrrp

namespace meshfwd::vrrp {

// IPv6 routes whose only next hop is one link: the kernel deletes them
// when the link goes down (checked on 6.18), so a routing tunnel taken
// down on backup must get them back when it comes up as master.
struct SavedRoute {
  Ipv6Prefix destination;
  uint32_t table = 254;
  uint32_t priority = 0;
  uint8_t protocol = 3;  // RTPROT_BOOT, as `ip route add`
  std::optional<Ipv6Addr> gateway;
};
std::vector<SavedRoute> routesVia(int ifindex);
// Re-adds them on `ifindex`; "" or the first error (existing ones are fine).
std::string restoreRoutes(int ifindex, const std::vector<SavedRoute>& routes);
// net.ipv6.conf.<ifname>.keep_addr_on_down=1: the tunnel keeps its
// address across the down/up of backup and master.
std::string keepAddressesOnDown(const std::string& ifname);

}  // namespace meshfwd::vrrp
