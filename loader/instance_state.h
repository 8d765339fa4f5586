// The instance's record of itself, kept in bpffs as a one-entry array map
// pinned at <pinRoot>/state, so it lives and dies with the pins and
// survives a SIGKILLed daemon: the layout version of the pinned maps, the
// role, and what was attached where (including whether meshfwd created
// the clsact qdisc, which only this record can tell later).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "loader/bpf_object.h"
#include "loader/role_hooks.h"
#include "loader/xdp_hook.h"

namespace meshfwd::loader {

struct HookRecord {
  std::string iface;
  uint32_t ifindex = 0;
  HookSlot slot = HookSlot::TunnelTc;
  XdpMode xdpMode = XdpMode::None;  // XDP slots only
  bool createdClsact = false;       // TC slots: meshfwd added the qdisc
};

struct InstanceState {
  uint32_t abiVersion = 0;          // MF_ABI_VERSION of the pinned maps
  uint64_t layoutFingerprint = 0;   // the maps' shapes (map_pins.h)
  uint64_t netnsCookie = 0;         // the namespace that owns the pins
  ObjectKind role = ObjectKind::Relay;
  ObjectKind programsFrom = ObjectKind::Relay;
  std::vector<HookRecord> hooks;

  const HookRecord* find(HookSlot slot) const;
};

enum class StateRead { Absent, Ok, Unreadable };

// Unreadable: the record exists but has another layout (a different
// meshfwd wrote it); *why says so.
StateRead readState(const std::string& pinRoot, InstanceState& state, std::string* why);
// Creates or overwrites the record. "" or an error.
std::string writeState(const std::string& pinRoot, const InstanceState& state);

}  // namespace meshfwd::loader
