// What a reload (SIGHUP) must write to the maps. The routes follow the
// kernel through the daemon's netlink re-syncs, so a reload that changes
// neither what the route sync selects (mesh prefix, tunnels, local-address
// preference) nor the tunnel under the programs, and comes while the maps
// are known to be in step (no re-sync pending or failed), writes the policy
// alone: one new generation and the flip, without walking the routing
// table and the egress maps, whose cost grows with the number of sites
// (`meshfwd-bench control` measures both). Pure.
#pragma once

#include <cstdint>
#include <optional>

#include "userspace/route_sync.h"

namespace meshfwd {

// The maps as the last complete sync left them.
struct MapsInStep {
  SyncTargets targets;
  uint32_t tunnelIfindex = 0;  // where the tunnel program is attached
};

enum class ReloadWrite { PolicyOnly, RoutesThenPolicy };

bool sameSyncTargets(const SyncTargets& a, const SyncTargets& b);

// `inStep`: nullopt when the maps may lag the kernel (a re-sync pending or
// failed, the tunnel missing).
ReloadWrite planReload(const std::optional<MapsInStep>& inStep, const SyncTargets& wanted,
                       uint32_t wantedTunnelIfindex);

}  // namespace meshfwd
