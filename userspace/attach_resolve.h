// From a validated Config and the machine's interfaces to everything the
// maps need: ifindexes, MTUs, L2 lengths, the ICMPv6 error source, and the
// sync targets. Pure (the snapshot and the WireGuard port come in), so
// the refusals ("no address to send errors from", "LAN is not Ethernet")
// are unit-tested.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "userspace/config.h"
#include "userspace/netlink_snapshot.h"
#include "userspace/policy_maps.h"
#include "userspace/route_sync.h"

namespace meshfwd {

struct ResolvedAttach {
  PolicyInputs inputs;  // generation left at 1: the seeding step sets it from the live maps
  SyncTargets sync;
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
  bool ok() const { return errors.empty(); }
};

// `wgPort`: the tunnel's WireGuard listen port when it could be read
// (relay guard; Config::guard.listenPort wins over it), `wgPortWhy` why not.
ResolvedAttach resolveAttach(const Config& config, const NetSnapshot& net, std::optional<uint16_t> wgPort,
                             const std::string& wgPortWhy, unsigned possibleCpus);

}  // namespace meshfwd
