// Config -> struct mf_config, and the generation flip that makes a new
// policy live without a packet ever seeing half of two (DESIGN.md, ABI
// comment on mf_config). The translation is pure; the flip goes through
// ConfigSlots so its write order is unit-tested without root.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "maps/meshfwd_abi.h"
#include "userspace/addr.h"
#include "userspace/config.h"
#include "userspace/map_view.h"

namespace meshfwd {

// What the translation needs beyond Config: facts found on the machine.
struct PolicyInputs {
  uint32_t tunnelIfindex = 0;
  uint32_t lanIfindex = 0;      // edge
  uint32_t tunnelMtu = 0;       // edge: E2 packet-too-big threshold
  uint16_t tunnelL2Len = 0;     // l2HeaderLength() of the tunnel
  uint16_t lanL2Len = 14;       // edge
  std::array<uint8_t, 6> routerMac{};  // edge: the LAN interface's MAC
  Ipv6Addr icmpSource;          // Config::icmpSource, or the address found on the interface
  uint16_t wgListenPort = 0;    // guard port; 0 = guard off
  unsigned possibleCpus = 1;    // libbpf_num_possible_cpus()
  uint32_t generation = 1;
};

// DESIGN.md 2a as a table: for each ICMPv6 type, MF_ICMP_ACTION(in the
// /48, elsewhere). `allowedInMesh` (Config::allowedIcmpTypes) opens types
// into the /48; error types (< 128) only ever open as "if related", and
// 135/136/137 never open. The default set reproduces the seed exactly.
std::array<uint8_t, 256> icmpActionTable(const std::set<uint8_t>& allowedInMesh);

// Types that Config::allowedIcmpTypes may never contain: neighbour
// discovery and redirects are link-local business, never forwarded.
bool icmpTypeNeverForwarded(uint8_t type);

// The L2 header the datapath must skip on a device of this ARPHRD type:
// 0 for TUN/WireGuard (ARPHRD_NONE), 14 for Ethernet; nullopt for anything
// meshfwd does not handle.
std::optional<uint16_t> l2HeaderLength(unsigned arphrdType);

// Token-bucket rate per CPU so that the CPUs together allow `rate`;
// rounded up so a small rate never becomes 0 (which means unlimited).
uint32_t perCpuRate(uint32_t rate, unsigned possibleCpus);

mf_config buildMfConfig(const Config& config, const PolicyInputs& inputs);

// The two maps behind one policy generation: mf_config[2] and mf_active[0].
class ConfigSlots {
 public:
  virtual ~ConfigSlots() = default;
  virtual std::optional<uint32_t> activeSlot() const = 0;
  virtual std::optional<mf_config> readSlot(uint32_t slot) const = 0;
  virtual int writeSlot(uint32_t slot, const mf_config& config) = 0;  // 0 or -errno
  virtual int setActive(uint32_t slot) = 0;                           // 0 or -errno
};

// The live generation (0 when no config was ever applied).
uint32_t liveGeneration(const ConfigSlots& slots);

struct ApplyResult {
  bool ok = false;
  uint32_t slot = 0;        // the slot now live
  uint32_t generation = 0;  // config.generation as written
  std::string error;        // one line when !ok; the old policy is still live then
};

// Writes `config` completely into the idle slot, then flips mf_active to
// it. If the write fails nothing is flipped, so the old policy stays live.
ApplyResult applyGeneration(ConfigSlots& slots, const mf_config& config);

class BpfConfigSlots final : public ConfigSlots {
 public:
  BpfConfigSlots(int configFd, int activeFd) : configFd_(configFd), activeFd_(activeFd) {}
  std::optional<uint32_t> activeSlot() const override;
  std::optional<mf_config> readSlot(uint32_t slot) const override;
  int writeSlot(uint32_t slot, const mf_config& config) override;
  int setActive(uint32_t slot) override;

 private:
  int configFd_;
  int activeFd_;
};

}  // namespace meshfwd
