// meshfwd lab: the seed's whole network in namespaces (tools/lab/). The
// verbs are a bash tool, tools/lab/meshfwd-lab.sh, that this command execs
// with MESHFWD set to this binary; `lab xdp-pass IFNAME` is the one piece
// the tool needs from C++ (a pass-through XDP program for veth peers).
#pragma once

#include <CLI/CLI.hpp>

namespace meshfwd::cli {

void registerLabCommand(CLI::App& app);

}  // namespace meshfwd::cli
