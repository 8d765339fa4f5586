#include "userspace/reload_plan.h"

namespace meshfwd {

bool sameSyncTargets(const SyncTargets& a, const SyncTargets& b) {
  return a.mesh == b.mesh && a.tunnels == b.tunnels && a.syncEgress == b.syncEgress &&
         a.preferredLocal == b.preferredLocal;
}

ReloadWrite planReload(const std::optional<MapsInStep>& inStep, const SyncTargets& wanted,
                       uint32_t wantedTunnelIfindex) {
  if (!inStep || inStep->tunnelIfindex != wantedTunnelIfindex || !sameSyncTargets(inStep->targets, wanted))
    return ReloadWrite::RoutesThenPolicy;
  return ReloadWrite::PolicyOnly;
}

}  // namespace meshfwd
