// Gathers what `meshfwd attach` validates against: the interfaces of this
// network namespace, which of them are WireGuard, and our capabilities.
#pragma once

#include "tools/cli/attach_args.h"
#include "userspace/netlink_snapshot.h"

namespace meshfwd::cli {

// WireGuard interfaces: kernel ones (link kind "wireguard") and wireguard-go
// TUN devices (a UAPI socket named after them), in ifindex order.
std::vector<std::string> wireguardInterfaces(const NetSnapshot& net);

SystemFacts systemFacts(const NetSnapshot& net, const Capabilities& caps);

}  // namespace meshfwd::cli
