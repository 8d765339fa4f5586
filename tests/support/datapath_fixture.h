// Loads a program object and seeds its maps for BPF_PROG_TEST_RUN packet
// tests (Cilium's SETUP step). One fixture per test: maps start empty.
#pragma once

#include <cstdint>
#include <string_view>

#include "loader/bpf_object.h"
#include "loader/test_run.h"
#include "maps/meshfwd_abi.h"
#include "tests/support/packet.h"

namespace meshfwd::test {

// The addressing plan every packet test uses.
inline const In6 kMeshBase = In6::parse("fd42:4242:4242::");      // mesh /48
inline const In6 kSiteA = In6::parse("fd42:4242:4242:a::");       // site A /64
inline const In6 kSiteB = In6::parse("fd42:4242:4242:b::");       // site B /64
inline const In6 kHostA = In6::parse("fd42:4242:4242:a::10");
inline const In6 kHostA2 = In6::parse("fd42:4242:4242:a::11");
inline const In6 kHostB = In6::parse("fd42:4242:4242:b::20");
inline const In6 kNoSite = In6::parse("fd42:4242:4242:ff::1");    // in the /48, no site
inline const In6 kOutside = In6::parse("fd42:4242:4243::1");      // just outside the /48
inline const In6 kRelayTunnelAddr = In6::parse("fd99::1");        // relay's routing-tunnel /128
inline const In6 kEdgeLanAddr = In6::parse("fd42:4242:4242:a::1"); // edge's own LAN address
inline const In6 kLinkLocal = In6::parse("fe80::1");
inline constexpr uint32_t kTunnelIfindex = 7;   // the routing tunnel
inline constexpr uint32_t kLanIfindex = 8;      // edge LAN
inline constexpr uint32_t kTunnelMtu = 1420;
inline constexpr uint32_t kSiteIdA = 1;
inline constexpr uint32_t kSiteIdB = 2;
inline constexpr Mac kRouterMac{0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
inline constexpr Mac kPeerMac{0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
inline constexpr Mac kVirtualMac{0x00, 0x00, 0x5e, 0x00, 0x02, 0x2a};
inline constexpr uint16_t kWgPort = 51820;

class DatapathFixture {
 public:
  explicit DatapathFixture(loader::ObjectKind kind);

  bool ok() const { return object_.ok(); }
  const std::string& error() const { return object_.error(); }
  const loader::BpfObject& object() const { return object_; }

  // The relay/edge config the tests start from: the plan above, Ethernet
  // framing (BPF_PROG_TEST_RUN always frames TC input as Ethernet), the
  // DESIGN.md 2a ICMPv6 table, ICMP rate limit off.
  static mf_config relayConfig();
  static mf_config edgeConfig();

  // Writes the idle generation slot, then flips mf_active to it.
  void setConfig(const mf_config& config);
  void addEgress(const In6& prefix, uint32_t prefixLen, uint32_t ifindex, uint32_t mtu, uint32_t siteId,
                 uint32_t l2len = 14);
  // The exact-match fast table (mf_egress64) for a site /64.
  void addExactSite(const In6& prefix64, uint32_t ifindex, uint32_t mtu, uint32_t siteId, uint32_t l2len = 14);
  void addTunnel(uint32_t ifindex, uint32_t mtu, uint32_t l2len = 14);
  void addLocalAddr(const In6& addr, uint32_t ifindex);
  void setEdgeState(bool master, const Mac& vmac);

  // The relay plan: config, tunnel, egress for sites A and B, local addr.
  void seedRelay();
  // The edge plan (site A): config, master on, local LAN address.
  void seedEdge();

  loader::TestRunResult run(std::string_view program, const Bytes& packet, uint32_t repeat = 1);

  // Summed over CPUs.
  mf_counter counter(uint32_t reason) const;
  mf_counter siteCounter(uint32_t siteId, uint32_t direction) const;

 private:
  loader::BpfObject object_;
  uint32_t nextSlot_ = 0;
};

}  // namespace meshfwd::test
