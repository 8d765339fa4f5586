// Which of the capabilities meshfwd needs the calling process holds.
// Reading them (capget) is the only syscall here; deciding what is missing
// is pure so the CLI's validation is unit-tested without root.
#pragma once

#include <string>
#include <vector>

namespace meshfwd {

struct Capabilities {
  bool bpf = false;       // CAP_BPF: load programs, create maps
  bool netAdmin = false;  // CAP_NET_ADMIN: attach XDP/TC, read WireGuard
  bool sysAdmin = false;  // CAP_SYS_ADMIN: implies CAP_BPF on this kernel, needed to find programs by id
  bool perfmon = false;   // CAP_PERFMON: some verifier constructs
};

// The effective set of this process (all false when capget fails).
Capabilities currentCapabilities();

// Names of what attach/detach cannot work without, in a stable order
// ("CAP_BPF", "CAP_NET_ADMIN"); empty when nothing is missing.
// CAP_SYS_ADMIN stands in for CAP_BPF, as the kernel allows.
std::vector<std::string> missingForAttach(const Capabilities& caps);

}  // namespace meshfwd
