#include "userspace/datapath_apply.h"

#include <bpf/libbpf.h>

#include <cstring>

#include "userspace/map_view.h"
#include "userspace/policy_maps.h"
#include "userspace/route_sync.h"
#include "userspace/wg_listen_port.h"

namespace meshfwd {

namespace {

using MapFd = std::function<int(std::string_view)>;

SyncReport syncRoutes(const MapFd& mapFd, const NetSnapshot& net, const SyncTargets& targets) {
  BpfMapView<mf_egress_key, mf_egress> egress(mapFd("mf_egress"));
  BpfMapView<mf_egress64_key, mf_egress> exactSites(mapFd("mf_egress64"));
  BpfMapView<uint32_t, mf_tunnel> tunnels(mapFd("mf_tunnels"));
  BpfMapView<mf_local_key, uint32_t> local(mapFd("mf_local_addrs"));
  BpfMapView<uint32_t, mf_local_filter> localFilter(mapFd("mf_local_filter"));
  RouteSync sync(egress, exactSites, tunnels, local, localFilter);
  return sync.sync(net, targets);
}

// mf_config as `inputs` ask for it, written as a new generation unless the
// live one already says exactly that. The generation number itself is not
// part of the comparison, so a no-op reload writes nothing.
ApplyResult applyPolicyIfChanged(const MapFd& mapFd, const Config& config, PolicyInputs inputs, bool* changed) {
  BpfConfigSlots slots(mapFd("mf_config"), mapFd("mf_active"));
  uint32_t live = liveGeneration(slots);
  if (auto active = slots.activeSlot()) {
    if (auto current = slots.readSlot(*active)) {
      inputs.generation = current->generation;
      mf_config wanted = buildMfConfig(config, inputs);
      if (sameBytes(wanted, *current)) {
        *changed = false;
        return {true, *active, current->generation, ""};
      }
    }
  }
  inputs.generation = live + 1;
  *changed = true;
  return applyGeneration(slots, buildMfConfig(config, inputs));
}

// Everything the maps need for `config`, routes first, the policy last, so
// the policy never refers to a tunnel or site the datapath does not know.
std::string seedMaps(const MapFd& mapFd, const Config& config, const ResolvedAttach& resolved, const NetSnapshot& net,
                     std::vector<std::string>& warnings, uint32_t& generation, bool* policyChanged) {
  SyncReport report = syncRoutes(mapFd, net, resolved.sync);
  warnings.insert(warnings.end(), report.warnings.begin(), report.warnings.end());
  if (!report.ok()) return report.errors.front();
  bool changed = false;
  ApplyResult applied = applyPolicyIfChanged(mapFd, config, resolved.inputs, &changed);
  if (!applied.ok) return applied.error;
  if (policyChanged) *policyChanged = changed;
  generation = applied.generation;
  return "";
}

}  // namespace

ResolvedAttach resolveOnThisMachine(const Config& config, const NetSnapshot& net) {
  std::string wgWhy;
  std::optional<uint16_t> wgPort;
  if (config.role == Role::Relay && config.guard.enabled && !config.guard.listenPort)
    wgPort = wireguardListenPort(config.tunnel, &wgWhy);
  int ncpu = libbpf_num_possible_cpus();
  return resolveAttach(config, net, wgPort, wgWhy, ncpu > 0 ? static_cast<unsigned>(ncpu) : 1);
}

DatapathApply attachDatapath(const Config& config, const NetSnapshot& net, bool force, bool keepRunningPrograms) {
  DatapathApply out;
  ResolvedAttach resolved = resolveOnThisMachine(config, net);
  if (!resolved.ok()) {
    out.configErrors = resolved.errors;
    return out;
  }
  out.warnings = resolved.warnings;

  loader::AttachRequest request;
  request.kind = config.role == Role::Relay ? loader::ObjectKind::Relay : loader::ObjectKind::Edge;
  request.tunnel = config.tunnel;
  if (config.role == Role::Relay) {
    if (config.guard.enabled) request.uplink = config.uplink;
  } else {
    request.lan = config.lan;
  }
  request.force = force;
  request.keepIdenticalPrograms = keepRunningPrograms;
  request.seedMaps = [&](const loader::BpfObject& object) {
    MapFd mapFd = [&object](std::string_view name) { return object.mapFd(name); };
    return seedMaps(mapFd, config, resolved, net, out.warnings, out.generation, nullptr);
  };

  loader::AttachOutcome outcome = loader::attach(request);
  out.warnings.insert(out.warnings.end(), outcome.warnings.begin(), outcome.warnings.end());
  out.error = outcome.error;
  out.attached = outcome.attached;
  out.adoptedMaps = outcome.adoptedMaps;
  out.keptHooks = outcome.keptHooks;
  out.targets = resolved.sync;
  return out;
}

DatapathSync syncDatapath(const loader::PinnedMaps& maps, const Config& config, const NetSnapshot& net) {
  DatapathSync out;
  ResolvedAttach resolved = resolveOnThisMachine(config, net);
  out.warnings = resolved.warnings;
  if (!resolved.ok()) {
    out.errors = resolved.errors;
    return out;
  }
  MapFd mapFd = [&maps](std::string_view name) { return maps.fd(name); };
  std::string error = seedMaps(mapFd, config, resolved, net, out.warnings, out.generation, &out.policyChanged);
  if (!error.empty()) out.errors.push_back(error);
  out.tunnelIfindex = resolved.inputs.tunnelIfindex;
  out.targets = resolved.sync;
  return out;
}

DatapathSync applyPolicy(const loader::PinnedMaps& maps, const Config& config, const ResolvedAttach& resolved) {
  DatapathSync out;
  out.warnings = resolved.warnings;
  out.tunnelIfindex = resolved.inputs.tunnelIfindex;
  out.targets = resolved.sync;
  if (!resolved.ok()) {
    out.errors = resolved.errors;
    return out;
  }
  MapFd mapFd = [&maps](std::string_view name) { return maps.fd(name); };
  ApplyResult applied = applyPolicyIfChanged(mapFd, config, resolved.inputs, &out.policyChanged);
  if (!applied.ok) {
    out.errors.push_back(applied.error);
    return out;
  }
  out.generation = applied.generation;
  return out;
}

}  // namespace meshfwd
