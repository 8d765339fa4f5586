// The datapath facade shared by `meshfwd attach` and `meshfwd run`: a
// validated Config plus the machine's interfaces in, programs attached and
// maps written out. attachDatapath() is the whole attach (load or adopt the
// pinned maps, seed them, attach the hooks); syncDatapath() keeps a running
// datapath in step afterwards (reload, netlink changes) by writing only
// what changed, with the policy last and through the generation flip.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "loader/datapath.h"
#include "userspace/attach_resolve.h"
#include "userspace/config.h"
#include "userspace/netlink_snapshot.h"

namespace meshfwd {

// Interface resolution with this machine's facts: the tunnel's WireGuard
// listen port (relay guard) and the number of possible CPUs.
ResolvedAttach resolveOnThisMachine(const Config& config, const NetSnapshot& net);

struct DatapathApply {
  std::vector<std::string> configErrors;  // the config does not fit the machine: nothing changed
  std::string error;                      // attach or map write failed: rolled back
  std::vector<std::string> warnings;
  std::vector<loader::Attachment> attached;
  bool adoptedMaps = false;  // pinned maps reused: counters kept
  size_t keptHooks = 0;      // hooks whose running program was kept (keepRunningPrograms)
  uint32_t generation = 0;   // the live policy generation
  SyncTargets targets;       // what the route sync selected
  bool ok() const { return configErrors.empty() && error.empty(); }
};

// Attaches (or re-attaches over pinned state, without a forwarding gap) the
// role's programs. The maps are complete before the first hook goes live.
// keepRunningPrograms (the daemon): a hook that already runs the same code
// over the adopted maps is left alone, so a restart adopts the datapath
// instead of replacing its programs; `meshfwd attach` always replaces.
DatapathApply attachDatapath(const Config& config, const NetSnapshot& net, bool force,
                             bool keepRunningPrograms = false);

struct DatapathSync {
  std::vector<std::string> errors;  // on error the previous policy generation stays live
  std::vector<std::string> warnings;
  uint32_t generation = 0;     // the live generation afterwards
  bool policyChanged = false;  // a new generation was written and flipped to
  uint32_t tunnelIfindex = 0;  // the tunnel the policy now names
  SyncTargets targets;         // what the route sync selected (or would have: applyPolicy)
  bool ok() const { return errors.empty(); }
};

// Brings the pinned maps in line with `config` and `net`: tunnels, egress,
// local addresses, then a new policy generation if mf_config would differ
// from the live one (port range, ICMP source, ifindexes, MTU, ...).
DatapathSync syncDatapath(const loader::PinnedMaps& maps, const Config& config, const NetSnapshot& net);

// The policy alone, from an already resolved config (a reload that
// planReload() found needs no route sync): a new generation if mf_config
// would differ from the live one.
DatapathSync applyPolicy(const loader::PinnedMaps& maps, const Config& config, const ResolvedAttach& resolved);

}  // namespace meshfwd
