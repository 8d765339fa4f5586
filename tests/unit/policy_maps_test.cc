#include "userspace/policy_maps.h"

#include <gtest/gtest.h>
#include <linux/if_arp.h>

#include <cstring>
#include <map>
#include <vector>

#include "tests/support/datapath_fixture.h"

namespace meshfwd {
namespace {

Config relayConfig() {
  Config c;
  c.role = Role::Relay;
  c.meshPrefix = *Ipv6Prefix::parse("fd42:4242:4242::/48");
  c.tunnel = "wg0";
  c.uplink = "eth0";
  return c;
}

PolicyInputs relayInputs() {
  PolicyInputs in;
  in.tunnelIfindex = 7;
  in.tunnelL2Len = 0;
  in.icmpSource = *Ipv6Addr::parse("fd99::1");
  in.wgListenPort = 51820;
  in.possibleCpus = 2;
  in.generation = 5;
  return in;
}

TEST(PolicyMapsIcmpTable, DefaultConfigReproducesTheFixtureTable) {
  // The packet tests' table is the DESIGN.md 2a reference; the default
  // Config must produce it byte for byte.
  mf_config reference = test::DatapathFixture::relayConfig();
  auto table = icmpActionTable(Config{}.allowedIcmpTypes);
  for (int t = 0; t < 256; ++t) EXPECT_EQ(table[t], reference.icmp_action[t]) << "ICMPv6 type " << t;
}

TEST(PolicyMapsIcmpTable, RowsOfDesignTable) {
  auto table = icmpActionTable(Config{}.allowedIcmpTypes);
  struct Row {
    int type;
    uint8_t inMesh, elsewhere;
  } rows[] = {
      {128, MF_ICMP_FORWARD, MF_ICMP_REJECT},         {129, MF_ICMP_FORWARD, MF_ICMP_DROP},
      {1, MF_ICMP_FORWARD_IF_RELATED, MF_ICMP_DROP},  {2, MF_ICMP_FORWARD_IF_RELATED, MF_ICMP_DROP},
      {3, MF_ICMP_FORWARD_IF_RELATED, MF_ICMP_DROP},  {4, MF_ICMP_FORWARD_IF_RELATED, MF_ICMP_DROP},
      {134, MF_ICMP_FORWARD, MF_ICMP_REJECT},         {135, MF_ICMP_DROP, MF_ICMP_DROP},
      {136, MF_ICMP_DROP, MF_ICMP_DROP},              {133, MF_ICMP_REJECT, MF_ICMP_REJECT},
      {130, MF_ICMP_REJECT, MF_ICMP_REJECT},          {143, MF_ICMP_REJECT, MF_ICMP_REJECT},
      {137, MF_ICMP_DROP, MF_ICMP_DROP},              {200, MF_ICMP_DROP, MF_ICMP_DROP},
      {0, MF_ICMP_DROP, MF_ICMP_DROP},
  };
  for (const auto& r : rows) {
    EXPECT_EQ(MF_ICMP_IN_MESH(table[r.type]), r.inMesh) << "type " << r.type;
    EXPECT_EQ(MF_ICMP_ELSEWHERE(table[r.type]), r.elsewhere) << "type " << r.type;
  }
}

TEST(PolicyMapsIcmpTable, ClosingATypeFallsBackToTheSeedsVerdict) {
  // Without 128 echo requests into the /48 are rejected (conntrack "new"),
  // without 129 unsolicited replies are dropped, without 2 PTB is dropped.
  auto table = icmpActionTable({1, 3, 4, 134});
  EXPECT_EQ(MF_ICMP_IN_MESH(table[128]), MF_ICMP_REJECT);
  EXPECT_EQ(MF_ICMP_IN_MESH(table[129]), MF_ICMP_DROP);
  EXPECT_EQ(MF_ICMP_IN_MESH(table[2]), MF_ICMP_DROP);
  EXPECT_EQ(MF_ICMP_IN_MESH(table[1]), MF_ICMP_FORWARD_IF_RELATED);
}

TEST(PolicyMapsIcmpTable, NeighbourDiscoveryAndRedirectNeverOpen) {
  auto table = icmpActionTable({135, 136, 137, 130});
  for (int t : {135, 136, 137}) {
    EXPECT_EQ(table[t], MF_ICMP_ACTION(MF_ICMP_DROP, MF_ICMP_DROP)) << t;
    EXPECT_TRUE(icmpTypeNeverForwarded(static_cast<uint8_t>(t)));
  }
  EXPECT_EQ(table[130], MF_ICMP_ACTION(MF_ICMP_FORWARD, MF_ICMP_REJECT));  // MLD query opened on request
  EXPECT_FALSE(icmpTypeNeverForwarded(128));
}

TEST(PolicyMapsTranslate, L2LengthFromLinkType) {
  EXPECT_EQ(l2HeaderLength(ARPHRD_NONE), uint16_t{0});
  EXPECT_EQ(l2HeaderLength(ARPHRD_ETHER), uint16_t{14});
  EXPECT_FALSE(l2HeaderLength(ARPHRD_LOOPBACK).has_value());
}

TEST(PolicyMapsTranslate, PerCpuRateRoundsUpAndKeepsZeroUnlimited) {
  EXPECT_EQ(perCpuRate(100, 2), 50u);
  EXPECT_EQ(perCpuRate(101, 2), 51u);
  EXPECT_EQ(perCpuRate(1, 8), 1u);  // never rounds a limit down to "unlimited"
  EXPECT_EQ(perCpuRate(0, 4), 0u);
  EXPECT_EQ(perCpuRate(7, 0), 7u);
}

TEST(PolicyMapsTranslate, RelayConfig) {
  Config config = relayConfig();
  config.ports = {58100, 58200};
  config.icmpErrors = {101, 21};
  config.guard.handshakeRateLimit = true;
  mf_config c = buildMfConfig(config, relayInputs());
  EXPECT_EQ(c.abi_version, uint32_t{MF_ABI_VERSION});
  EXPECT_EQ(c.role, uint32_t{MF_ROLE_RELAY});
  EXPECT_EQ(c.generation, 5u);
  EXPECT_EQ(c.flags, uint32_t{MF_F_EVENTS | MF_F_HS_RATELIMIT});
  EXPECT_EQ(0, std::memcmp(c.mesh_prefix, Ipv6Addr::parse("fd42:4242:4242::")->bytes.data(), 16));
  EXPECT_EQ(0, std::memcmp(c.icmp_src, Ipv6Addr::parse("fd99::1")->bytes.data(), 16));
  EXPECT_EQ(c.port_lo, 58100);
  EXPECT_EQ(c.port_hi, 58200);
  EXPECT_EQ(c.wg_port, 51820);
  EXPECT_EQ(c.l2_len_tunnel, 0);
  EXPECT_EQ(c.icmp_rate, 51u);
  EXPECT_EQ(c.icmp_burst, 11u);
  EXPECT_EQ(c.event_rate, 5u);
  EXPECT_EQ(c.event_burst, 10u);
  // mf_hs_limit is shared by all CPUs: its rate is not divided.
  EXPECT_EQ(c.hs_rate, 20u);
  EXPECT_EQ(c.hs_burst, 40u);
  // Edge-only fields stay zero on a relay.
  EXPECT_EQ(c.lan_ifindex, 0u);
  EXPECT_EQ(c.tunnel_ifindex, 0u);
  uint8_t zero16[16] = {};
  EXPECT_EQ(0, std::memcmp(c.site_prefix, zero16, 16));
}

TEST(PolicyMapsTranslate, GuardOffMeansPortZero) {
  Config config = relayConfig();
  config.guard.enabled = false;
  config.guard.handshakeRateLimit = true;
  mf_config c = buildMfConfig(config, relayInputs());
  EXPECT_EQ(c.wg_port, 0);
  EXPECT_EQ(c.flags & MF_F_HS_RATELIMIT, 0u);
}

TEST(PolicyMapsTranslate, EdgeConfig) {
  Config config = relayConfig();
  config.role = Role::Edge;
  config.sitePrefix = *Ipv6Prefix::parse("fd42:4242:4242:a::/64");
  config.lan = "eth1";
  PolicyInputs in = relayInputs();
  in.lanIfindex = 8;
  in.tunnelMtu = 1420;
  in.lanL2Len = 14;
  in.routerMac = {2, 0, 0, 0, 0, 1};
  mf_config c = buildMfConfig(config, in);
  EXPECT_EQ(c.role, uint32_t{MF_ROLE_EDGE});
  EXPECT_EQ(c.flags, uint32_t{MF_F_EVENTS | MF_F_SOURCE_VALIDATION});
  EXPECT_EQ(0, std::memcmp(c.site_prefix, Ipv6Addr::parse("fd42:4242:4242:a::")->bytes.data(), 16));
  EXPECT_EQ(c.lan_ifindex, 8u);
  EXPECT_EQ(c.tunnel_ifindex, 7u);
  EXPECT_EQ(c.tunnel_mtu, 1420u);
  EXPECT_EQ(c.l2_len_lan, 14u);
  EXPECT_EQ(c.router_mac[5], 1);
  EXPECT_EQ(c.wg_port, 0);  // the guard is the relay's

  config.sourceValidation = false;
  EXPECT_EQ(buildMfConfig(config, in).flags & MF_F_SOURCE_VALIDATION, 0u);
}

// Records the order of writes to the two maps.
class RecordingSlots final : public ConfigSlots {
 public:
  std::optional<uint32_t> activeSlot() const override {
    if (failActiveRead) return std::nullopt;
    return active;
  }
  std::optional<mf_config> readSlot(uint32_t slot) const override { return slots[slot]; }
  int writeSlot(uint32_t slot, const mf_config& config) override {
    log.push_back("write " + std::to_string(slot));
    if (failWrite) return -E2BIG;
    slots[slot] = config;
    return 0;
  }
  int setActive(uint32_t slot) override {
    log.push_back("flip " + std::to_string(slot));
    active = slot;
    return 0;
  }
  uint32_t active = 0;
  mf_config slots[MF_CONFIG_GENERATIONS]{};
  std::vector<std::string> log;
  bool failWrite = false;
  bool failActiveRead = false;
};

TEST(PolicyMapsGeneration, WritesTheIdleSlotCompletelyThenFlips) {
  RecordingSlots slots;
  EXPECT_EQ(liveGeneration(slots), 0u);  // nothing applied yet

  mf_config first = buildMfConfig(relayConfig(), relayInputs());
  first.generation = liveGeneration(slots) + 1;
  ApplyResult r1 = applyGeneration(slots, first);
  ASSERT_TRUE(r1.ok) << r1.error;
  EXPECT_EQ(r1.slot, 1u);
  EXPECT_EQ(slots.log, (std::vector<std::string>{"write 1", "flip 1"}));
  EXPECT_EQ(liveGeneration(slots), 1u);

  mf_config second = first;
  second.port_hi = 59000;
  second.generation = liveGeneration(slots) + 1;
  ApplyResult r2 = applyGeneration(slots, second);
  ASSERT_TRUE(r2.ok);
  EXPECT_EQ(r2.slot, 0u);
  EXPECT_EQ(r2.generation, 2u);
  EXPECT_EQ(slots.log, (std::vector<std::string>{"write 1", "flip 1", "write 0", "flip 0"}));
  EXPECT_TRUE(sameBytes(slots.slots[0], second));
  EXPECT_TRUE(sameBytes(slots.slots[1], first));  // the old generation is left intact
}

TEST(PolicyMapsGeneration, FailedWriteNeverFlips) {
  RecordingSlots slots;
  slots.failWrite = true;
  ApplyResult r = applyGeneration(slots, buildMfConfig(relayConfig(), relayInputs()));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, "writing mf_config slot 1 failed: Argument list too long");
  EXPECT_EQ(slots.log, (std::vector<std::string>{"write 1"}));
  EXPECT_EQ(slots.active, 0u);
}

TEST(PolicyMapsGeneration, UnreadableActiveIndexWritesNothing) {
  RecordingSlots slots;
  slots.failActiveRead = true;
  ApplyResult r = applyGeneration(slots, buildMfConfig(relayConfig(), relayInputs()));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, "cannot read mf_active");
  EXPECT_TRUE(slots.log.empty());
}

}  // namespace
}  // namespace meshfwd
