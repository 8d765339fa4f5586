// What a SIGHUP may change in a running VRRP router. The NA burst and the
// relay endpoint's name and re-resolve interval apply live. Anything the
// group or the box's links see (VRID, VIP, priority, interval, preemption,
// the LAN, the tunnel) would have the router leave and rejoin the group:
// that is a restart, which the operator chooses, not a side effect of a
// reload. Pure, so the rules are unit-tested.
#pragma once

#include <string>

#include "userspace/config.h"

namespace meshfwd::vrrp {

// "" when `next` can replace `running` live; otherwise one message naming
// every key that changed, old -> new, and that a restart is needed.
std::string reloadRefusal(const Config& running, const Config& next);

}  // namespace meshfwd::vrrp
