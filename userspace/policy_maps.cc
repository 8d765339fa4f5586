#include "userspace/policy_maps.h"

#include <linux/if_arp.h>

#include <cstring>

#include "loader/map_ops.h"

namespace meshfwd {

namespace {

// Types the seed's conntrack lets start a "new" flow, so its reject rule
// answers them with 1/3 when they are not allowed (measured, DESIGN.md 2a).
bool seedRejectsWhenNotAllowed(uint8_t type) {
  switch (type) {
    case 128:                                  // echo request
    case 130: case 131: case 132: case 143:   // MLD
    case 133: case 134:                        // router solicitation / advertisement
      return true;
    default:
      return false;
  }
}

void copyAddr(uint8_t (&dst)[16], const Ipv6Addr& a) { std::memcpy(dst, a.bytes.data(), 16); }

}  // namespace

bool icmpTypeNeverForwarded(uint8_t type) { return type == 135 || type == 136 || type == 137; }

std::array<uint8_t, 256> icmpActionTable(const std::set<uint8_t>& allowedInMesh) {
  std::array<uint8_t, 256> table{};
  for (unsigned t = 0; t < 256; ++t) {
    auto type = static_cast<uint8_t>(t);
    const bool isError = type < 128;
    const bool fallbackReject = seedRejectsWhenNotAllowed(type);
    // Outside the /48 nothing is ever forwarded; errors are never answered
    // with an error (RFC 4443 2.4(e)), so they and unknown types are dropped.
    uint8_t elsewhere = fallbackReject ? MF_ICMP_REJECT : MF_ICMP_DROP;
    uint8_t inMesh = fallbackReject ? MF_ICMP_REJECT : MF_ICMP_DROP;
    if (allowedInMesh.count(type) && !icmpTypeNeverForwarded(type))
      inMesh = isError ? MF_ICMP_FORWARD_IF_RELATED : MF_ICMP_FORWARD;
    table[t] = MF_ICMP_ACTION(inMesh, elsewhere);
  }
  return table;
}

std::optional<uint16_t> l2HeaderLength(unsigned arphrdType) {
  switch (arphrdType) {
    case ARPHRD_NONE:  // TUN (wireguard-go) and kernel WireGuard
      return 0;
    case ARPHRD_ETHER:
      return 14;
    default:
      return std::nullopt;
  }
}

uint32_t perCpuRate(uint32_t rate, unsigned possibleCpus) {
  if (possibleCpus == 0) possibleCpus = 1;
  return static_cast<uint32_t>((uint64_t{rate} + possibleCpus - 1) / possibleCpus);
}

mf_config buildMfConfig(const Config& config, const PolicyInputs& in) {
  mf_config c{};
  c.abi_version = MF_ABI_VERSION;
  c.role = config.role == Role::Relay ? MF_ROLE_RELAY : MF_ROLE_EDGE;
  c.generation = in.generation;
  c.flags = MF_F_EVENTS;  // `meshfwd log` reads sampled rejects; event_rate bounds the cost
  if (config.role == Role::Edge && config.sourceValidation) c.flags |= MF_F_SOURCE_VALIDATION;
  if (config.role == Role::Relay && config.guard.enabled && config.guard.handshakeRateLimit)
    c.flags |= MF_F_HS_RATELIMIT;

  copyAddr(c.mesh_prefix, config.meshPrefix.addr);
  if (config.sitePrefix) copyAddr(c.site_prefix, config.sitePrefix->addr);
  copyAddr(c.icmp_src, in.icmpSource);

  c.port_lo = config.ports.lo;
  c.port_hi = config.ports.hi;
  c.wg_port = (config.role == Role::Relay && config.guard.enabled) ? in.wgListenPort : 0;
  c.l2_len_tunnel = in.tunnelL2Len;

  c.icmp_rate = perCpuRate(config.icmpErrors.perSecond, in.possibleCpus);
  c.icmp_burst = perCpuRate(config.icmpErrors.burst, in.possibleCpus);
  // mf_hs_limit is one shared LRU hash keyed by source prefix, not per CPU:
  // its rate is taken as configured.
  c.hs_rate = config.guard.handshake.perSecond;
  c.hs_burst = config.guard.handshake.burst;
  c.event_rate = perCpuRate(config.rejectEvents.perSecond, in.possibleCpus);
  c.event_burst = perCpuRate(config.rejectEvents.burst, in.possibleCpus);

  if (config.role == Role::Edge) {
    c.lan_ifindex = in.lanIfindex;
    c.tunnel_ifindex = in.tunnelIfindex;
    c.tunnel_mtu = in.tunnelMtu;
    c.l2_len_lan = in.lanL2Len;
    std::memcpy(c.router_mac, in.routerMac.data(), 6);
  }

  auto table = icmpActionTable(config.allowedIcmpTypes);
  std::memcpy(c.icmp_action, table.data(), table.size());
  return c;
}

uint32_t liveGeneration(const ConfigSlots& slots) {
  auto active = slots.activeSlot();
  if (!active) return 0;
  auto live = slots.readSlot(*active);
  if (!live || live->abi_version != MF_ABI_VERSION) return 0;
  return live->generation;
}

ApplyResult applyGeneration(ConfigSlots& slots, const mf_config& config) {
  ApplyResult result;
  auto active = slots.activeSlot();
  if (!active) {
    result.error = "cannot read mf_active";
    return result;
  }
  uint32_t idle = (*active + 1) % MF_CONFIG_GENERATIONS;
  if (int err = slots.writeSlot(idle, config); err != 0) {
    result.error = "writing mf_config slot " + std::to_string(idle) + " failed: " + std::strerror(-err);
    return result;
  }
  if (int err = slots.setActive(idle); err != 0) {
    result.error = "flipping mf_active to slot " + std::to_string(idle) + " failed: " + std::strerror(-err);
    return result;
  }
  result.ok = true;
  result.slot = idle;
  result.generation = config.generation;
  return result;
}

std::optional<uint32_t> BpfConfigSlots::activeSlot() const {
  uint32_t zero = 0, slot = 0;
  if (loader::lookupElem(activeFd_, zero, slot) != 0) return std::nullopt;
  return slot % MF_CONFIG_GENERATIONS;
}

std::optional<mf_config> BpfConfigSlots::readSlot(uint32_t slot) const {
  mf_config c{};
  if (loader::lookupElem(configFd_, slot, c) != 0) return std::nullopt;
  return c;
}

int BpfConfigSlots::writeSlot(uint32_t slot, const mf_config& config) {
  return loader::updateElem(configFd_, slot, config);
}

int BpfConfigSlots::setActive(uint32_t slot) {
  uint32_t zero = 0;
  return loader::updateElem(activeFd_, zero, slot);
}

}  // namespace meshfwd
