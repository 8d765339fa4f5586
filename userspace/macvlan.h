// The macvlan that carries the VRRP virtual MAC (DESIGN.md §6, as
// keepalived's use_vmac and FRR's vrrpd do).
//
// Mode private, as keepalived: the macvlan never exchanges frames with
// sibling macvlans on the same lower device, so what it hears is what
// came over the wire, exactly what the other routers hear. (Bridge mode
// would also let a second VRRP instance on this box hear our adverts
// without the wire, hiding a broken link.) addrgenmode none: the kernel
// must not derive a link-local address from the virtual MAC, which every
// router of the site shares; the router's own link-local address is
// copied on instead.
#pragma once

#include <string>

#include "userspace/vrrp_names.h"

namespace meshfwd::vrrp {

// Creates `name` on `lower` with `mac` and brings it up. An existing link
// of that name (left by a dead daemon) is replaced. "" or an error.
std::string createMacvlan(const std::string& lower, const std::string& name, const MacAddr& mac);

}  // namespace meshfwd::vrrp
