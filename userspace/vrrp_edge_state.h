// The master flag and virtual MAC in the edge datapath's pinned
// mf_edge_state map, so only the master forwards frames sent to the
// virtual MAC (DESIGN.md §3). No datapath in this namespace: nothing to do.
#pragma once

#include <string>

#include "userspace/vrrp_names.h"

namespace meshfwd::vrrp {

enum class EdgeStateWrite { Written, NoDatapath, Failed };

// `detail` receives why it was skipped or failed.
EdgeStateWrite writeEdgeState(bool master, const MacAddr& vmac, std::string* detail);

}  // namespace meshfwd::vrrp
