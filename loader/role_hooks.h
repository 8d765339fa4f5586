// Which program of a role goes on which hook. The one table of the
// attach layout (DESIGN.md section 3).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "loader/bpf_object.h"

namespace meshfwd::loader {

enum class HookSlot : uint8_t { TunnelTc = 0, UplinkXdp = 1, LanXdp = 2, LanTc = 3 };

struct HookSpec {
  HookSlot slot;
  bool xdp;                  // else TC ingress
  std::string_view program;  // the program's name in the object
};

// In attach order: the tunnel first, so that an edge's LAN hooks never run
// without the tunnel hook they hand packets to.
std::vector<HookSpec> hooksOf(ObjectKind role);

// The spec of one slot of a role; nullptr when the role has no such slot.
const HookSpec* hookOf(ObjectKind role, HookSlot slot);

// True when a kernel program name (truncated to 15 characters, as
// bpf_prog_info reports it) is one of meshfwd's hook programs; *fullName
// gets the untruncated name.
bool isMeshfwdProgramName(std::string_view kernelName, std::string_view* fullName = nullptr);

}  // namespace meshfwd::loader
