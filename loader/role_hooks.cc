#include "loader/role_hooks.h"

#include <array>
#include <span>

namespace meshfwd::loader {

namespace {

constexpr std::array kRelayHooks{
    HookSpec{HookSlot::TunnelTc, false, "relay_tunnel_ingress"},
    HookSpec{HookSlot::UplinkXdp, true, "relay_uplink_guard"},
};

constexpr std::array kEdgeHooks{
    HookSpec{HookSlot::TunnelTc, false, "edge_tunnel_ingress"},
    HookSpec{HookSlot::LanXdp, true, "edge_lan_xdp"},
    HookSpec{HookSlot::LanTc, false, "edge_lan_ingress"},
};

// BPF_OBJ_NAME_LEN - 1: what the kernel keeps of a program's name.
constexpr size_t kKernelNameMax = 15;

}  // namespace

std::vector<HookSpec> hooksOf(ObjectKind role) {
  switch (role) {
    case ObjectKind::Relay: return {kRelayHooks.begin(), kRelayHooks.end()};
    case ObjectKind::Edge: return {kEdgeHooks.begin(), kEdgeHooks.end()};
    default: return {};
  }
}

const HookSpec* hookOf(ObjectKind role, HookSlot slot) {
  std::span<const HookSpec> table;
  if (role == ObjectKind::Relay) table = kRelayHooks;
  if (role == ObjectKind::Edge) table = kEdgeHooks;
  for (const HookSpec& hook : table)
    if (hook.slot == slot) return &hook;
  return nullptr;
}

bool isMeshfwdProgramName(std::string_view kernelName, std::string_view* fullName) {
  if (kernelName.empty()) return false;
  for (std::span<const HookSpec> table : {std::span<const HookSpec>(kRelayHooks), std::span<const HookSpec>(kEdgeHooks)}) {
    for (const HookSpec& hook : table) {
      if (hook.program.substr(0, kKernelNameMax) == kernelName.substr(0, kKernelNameMax)) {
        if (fullName) *fullName = hook.program;
        return true;
      }
    }
  }
  return false;
}

}  // namespace meshfwd::loader
