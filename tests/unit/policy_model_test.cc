// The reference model's own grounding: a handful of rows checked by hand
// against docs/datapath-spec.md, so the differential test compares BPF with
// something that is itself right on the rows that matter most.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <string>

#include "tests/support/datapath_fixture.h"
#include "tests/support/icmp6_check.h"
#include "tests/support/edge_model.h"
#include "tests/support/policy_model.h"

namespace meshfwd::test {
namespace {

constexpr uint32_t kNotATunnel = 9;
const In6 kSiteC = In6::parse("fd42:4242:4242:c::");  // routed to an interface that is no tunnel

Addr16 addr(const In6& a) { return a.b; }

RelayMaps relayMaps() {
  RelayMaps m;
  m.config = DatapathFixture::relayConfig();
  m.tunnels[kTunnelIfindex] = mf_tunnel{kTunnelMtu, 14, kTunnelIfindex};
  m.egress.push_back({kSiteA, 64, mf_egress{kTunnelIfindex, kTunnelMtu, kSiteIdA, 14}});
  m.egress.push_back({kSiteB, 64, mf_egress{kTunnelIfindex, kTunnelMtu, kSiteIdB, 14}});
  m.egress.push_back({kSiteC, 64, mf_egress{kNotATunnel, kTunnelMtu, 3, 14}});
  m.localAddrs.insert(addr(kRelayTunnelAddr));
  return m;
}

Bytes frame(const Bytes& l3) { return withEthernet(l3, kRouterMac, kPeerMac); }

Ipv6Header aToB(uint8_t hopLimit = 64) { return {kHostA, kHostB, hopLimit}; }

Bytes udpWithExts(size_t count) {
  std::vector<ExtHeader> exts(count, destOptsHeader(6));
  return frame(ipv6Packet(aToB(), exts, kProtoUdp, udpSegment(kHostA, kHostB, 1000, 58000, payloadBytes(8))));
}

Bytes relatedError(const In6& quotedDst, uint16_t quotedPort) {
  // B sent A's flow (from kHostA) an error back: quoted src = outer dst.
  Bytes quoted = udp6({kHostA, quotedDst, 63}, 58000, quotedPort, 16);
  Bytes body(4 + quoted.size(), 0);  // 4 unused bytes, then the quote
  std::copy(quoted.begin(), quoted.end(), body.begin() + 4);
  return frame(icmp6({kHostB, kHostA}, 1, 4, body));
}

Bytes fragment(uint16_t offsetUnits, bool more, uint32_t id, uint16_t dport) {
  Ipv6Header ip = aToB();
  Bytes l4 = offsetUnits == 0 ? udpSegment(ip.src, ip.dst, 1000, dport, payloadBytes(32)) : payloadBytes(40);
  return frame(ipv6Packet(ip, {fragmentHeader(offsetUnits, more, id)}, kProtoUdp, l4));
}

struct Row {
  std::string name;
  std::function<Bytes()> packet;
  int action;
  uint32_t reason;
  int errorType = -1;  // -1: no error expected
  int errorCode = 0;
  uint32_t errorParam = 0;
};

class PolicyModelRelayRows : public ::testing::TestWithParam<Row> {};

TEST_P(PolicyModelRelayRows, DecidesAsTheSpecSays) {
  const Row& row = GetParam();
  RelayPolicyModel model(relayMaps());
  Bytes in = row.packet();
  ModelVerdict v = model.decide(in);
  EXPECT_EQ(v.action, row.action);
  EXPECT_EQ(v.reason, row.reason);
  if (row.errorType < 0) {
    EXPECT_FALSE(v.error.has_value());
    if (row.action == kTcActRedirect) {
      // A forward: the same frame, one hop less.
      ASSERT_EQ(v.output.size(), in.size());
      EXPECT_EQ(v.output[14 + 7], in[14 + 7] - 1);
      Bytes restored = v.output;
      restored[14 + 7] = in[14 + 7];
      EXPECT_EQ(restored, in);
    }
    return;
  }
  ASSERT_TRUE(v.error.has_value());
  std::string why;
  auto parsed = parseIcmp6Error(v.output, 14, why);
  ASSERT_TRUE(parsed) << why;
  EXPECT_EQ(parsed->type, row.errorType);
  EXPECT_EQ(parsed->code, row.errorCode);
  EXPECT_EQ(parsed->param, row.errorParam);
  EXPECT_EQ(parsed->src, kRelayTunnelAddr);
  EXPECT_EQ(parsed->hopLimit, 64);
  In6 sender;
  std::copy_n(in.begin() + 14 + 8, 16, sender.b.begin());
  EXPECT_EQ(parsed->dst, sender);
  size_t quoted = std::min<size_t>(in.size() - 14, 1232);
  EXPECT_EQ(parsed->quote, Bytes(in.begin() + 14, in.begin() + 14 + static_cast<long>(quoted)));
  // Back to whoever sent it.
  EXPECT_TRUE(std::equal(v.output.begin(), v.output.begin() + 6, kPeerMac.begin()));
  EXPECT_TRUE(std::equal(v.output.begin() + 6, v.output.begin() + 12, kRouterMac.begin()));
}

const In6 kBOnPort = kHostB;

INSTANTIATE_TEST_SUITE_P(
    Rows, PolicyModelRelayRows,
    ::testing::Values(
        Row{"MeshUdpLowEdge", [] { return frame(udp6(aToB(), 1000, 58000)); }, kTcActRedirect, MF_R_FWD_MESH_UDP},
        Row{"MeshUdpHighEdge", [] { return frame(udp6(aToB(), 1000, 60000)); }, kTcActRedirect, MF_R_FWD_MESH_UDP},
        Row{"UdpBelowRange", [] { return frame(udp6(aToB(), 1000, 57999)); }, kTcActRedirect, MF_R_REJECT_POLICY, 1,
            3},
        Row{"UdpAboveRange", [] { return frame(udp6(aToB(), 1000, 60001)); }, kTcActRedirect, MF_R_REJECT_POLICY, 1,
            3},
        Row{"Tcp", [] { return frame(tcp6(aToB(), 1000, 58000)); }, kTcActRedirect, MF_R_REJECT_POLICY, 1, 3},
        Row{"OutsideMesh", [] { return frame(udp6({kHostA, kOutside}, 1000, 58000)); }, kTcActRedirect,
            MF_R_REJECT_POLICY, 1, 3},
        Row{"HopLimitOne", [] { return frame(udp6(aToB(1), 1000, 57000)); }, kTcActRedirect, MF_R_TIME_EXCEEDED, 3, 0},
        Row{"HopLimitTwoForwards", [] { return frame(udp6(aToB(2), 1000, 58000)); }, kTcActRedirect,
            MF_R_FWD_MESH_UDP},
        Row{"OneByteOverMtu", [] { return frame(udp6(aToB(), 1000, 57000, kTunnelMtu - 48 + 1)); }, kTcActRedirect,
            MF_R_PACKET_TOO_BIG, 2, 0, kTunnelMtu},
        Row{"ExactlyMtu", [] { return frame(udp6(aToB(), 1000, 58000, kTunnelMtu - 48)); }, kTcActRedirect,
            MF_R_FWD_MESH_UDP},
        Row{"EchoRequestIntoMesh", [] { return frame(icmp6(aToB(), 128, 0)); }, kTcActRedirect, MF_R_FWD_ICMP},
        Row{"EchoRequestElsewhere", [] { return frame(icmp6({kHostA, kOutside}, 128, 0)); }, kTcActRedirect,
            MF_R_REJECT_POLICY, 1, 3},
        Row{"EchoReplyElsewhere", [] { return frame(icmp6({kHostA, kOutside}, 129, 0)); }, kTcActShot,
            MF_R_DROP_ICMP_TYPE},
        Row{"NeighbourSolicitation", [] { return frame(icmp6(aToB(), 135, 0, Bytes(20, 0))); }, kTcActShot,
            MF_R_DROP_ICMP_TYPE},
        Row{"RouterSolicitationRejected", [] { return frame(icmp6(aToB(), 133, 0)); }, kTcActRedirect,
            MF_R_REJECT_POLICY, 1, 3},
        Row{"RelatedErrorForwards", [] { return relatedError(kBOnPort, 58000); }, kTcActRedirect,
            MF_R_FWD_ICMP_RELATED},
        Row{"ErrorQuotingClosedPortDropped", [] { return relatedError(kBOnPort, 22); }, kTcActShot,
            MF_R_DROP_ICMP_ERROR},
        Row{"ErrorQuotingOutsideDropped", [] { return relatedError(kOutside, 58000); }, kTcActShot,
            MF_R_DROP_ICMP_ERROR},
        Row{"ErrorWithHopLimitOneSilentlyDropped",
            [] {
              Bytes f = relatedError(kBOnPort, 58000);
              f[14 + 7] = 1;
              return f;
            },
            kTcActShot, MF_R_DROP_ICMP_ERROR},
        Row{"MulticastPasses", [] { return frame(udp6({kHostA, In6::parse("ff02::1")}, 1, 2)); }, kTcActOk,
            MF_R_PASS_LOCAL},
        Row{"LinkLocalSourcePasses", [] { return frame(udp6({kLinkLocal, kHostB}, 1, 58000)); }, kTcActOk,
            MF_R_PASS_LOCAL},
        Row{"OwnAddressPasses", [] { return frame(tcp6({kHostA, kRelayTunnelAddr}, 1, 22)); }, kTcActOk,
            MF_R_PASS_LOCAL},
        Row{"AllowedWithoutSite", [] { return frame(udp6({kHostA, kNoSite}, 1, 58000)); }, kTcActRedirect,
            MF_R_REJECT_NO_EGRESS, 1, 3},
        Row{"RoutedToNonTunnel", [] { return frame(udp6({kHostA, In6::parse("fd42:4242:4242:c::1")}, 1, 58000)); },
            kTcActRedirect, MF_R_REJECT_NO_EGRESS, 1, 3},
        Row{"SixExtensionHeaders", [] { return udpWithExts(6); }, kTcActRedirect, MF_R_FWD_MESH_UDP},
        Row{"SevenExtensionHeaders", [] { return udpWithExts(7); }, kTcActShot, MF_R_DROP_EXTHDR_CHAIN},
        Row{"UdpHeaderCutShort",
            [] {
              Bytes f = frame(udp6(aToB(), 1000, 58000, 0));
              f.resize(14 + 40 + 7);
              return f;
            },
            kTcActShot, MF_R_DROP_TRUNCATED},
        Row{"LaterFragmentWithoutFirst", [] { return fragment(10, false, 77, 58000); }, kTcActShot,
            MF_R_DROP_FRAG_NO_FIRST},
        Row{"AtomicFragmentJudgedByPort", [] { return fragment(0, false, 77, 58000); }, kTcActRedirect,
            MF_R_FWD_MESH_UDP},
        Row{"Ipv4", [] { return withEthernet(udp4({10, 0, 0, 1}, {10, 0, 0, 2}, 1, 58000, {}), kRouterMac, kPeerMac, 0x0800); },
            kTcActShot, MF_R_DROP_IPV4},
        Row{"Arp", [] { return withEthernet(Bytes(28, 0), kRouterMac, kPeerMac, 0x0806); }, kTcActShot,
            MF_R_DROP_NOT_IP},
        Row{"ShortIpv6Header",
            [] {
              Bytes f = frame(udp6(aToB(), 1000, 58000));
              f.resize(14 + 39);
              return f;
            },
            kTcActShot, MF_R_DROP_TRUNCATED}),
    [](const ::testing::TestParamInfo<Row>& info) { return info.param.name; });

TEST(PolicyModelRelay, LaterFragmentsFollowTheFirstFragmentsVerdict) {
  RelayPolicyModel model(relayMaps());
  EXPECT_EQ(model.decide(fragment(0, true, 5, 58000)).reason, MF_R_FWD_MESH_UDP);
  EXPECT_EQ(model.decide(fragment(0, true, 6, 22)).reason, MF_R_REJECT_POLICY);
  ModelVerdict allowed = model.decide(fragment(8, false, 5, 0));
  EXPECT_EQ(allowed.action, kTcActRedirect);
  EXPECT_EQ(allowed.reason, MF_R_FWD_FRAG);
  EXPECT_EQ(model.decide(fragment(8, false, 6, 0)).reason, MF_R_DROP_FRAG_REJECTED);
  EXPECT_EQ(model.decide(fragment(8, false, 7, 0)).reason, MF_R_DROP_FRAG_NO_FIRST);
}

TEST(PolicyModelRelay, FirstFragmentCutShortIsRememberedAsDropped) {
  RelayPolicyModel model(relayMaps());
  Bytes first = fragment(0, true, 9, 58000);
  first.resize(14 + 40 + 8 + 4);  // UDP header cut after the ports
  EXPECT_EQ(model.decide(first).reason, MF_R_DROP_TRUNCATED);
  EXPECT_EQ(model.decide(fragment(8, false, 9, 0)).reason, MF_R_DROP_FRAG_REJECTED);
}

TEST(PolicyModelRelay, WithoutLiveConfigEverythingPasses) {
  RelayMaps maps = relayMaps();
  maps.config = mf_config{};
  RelayPolicyModel model(maps);
  ModelVerdict v = model.decide(frame(udp6(aToB(), 1000, 57000)));
  EXPECT_EQ(v.action, kTcActOk);
  EXPECT_EQ(v.reason, MF_R_PASS_NO_CONFIG);
}

TEST(PolicyModelRelay, ErrorQuoteIsCutToTheMinimumMtu) {
  RelayMaps maps = relayMaps();
  maps.egress[1].value.mtu = 1500;  // so a 1400-byte packet is rejected, not too big
  RelayPolicyModel model(maps);
  Bytes in = frame(tcp6(aToB(), 1, 2));
  in.resize(14 + 1400, 0);
  ModelVerdict v = model.decide(in);
  ASSERT_EQ(v.reason, MF_R_REJECT_POLICY);
  EXPECT_EQ(v.output.size(), 14u + 1280u);
}

// ------------------------------------------------------------------ edge

EdgeMaps edgeMaps() {
  EdgeMaps m;
  m.config = DatapathFixture::edgeConfig();
  mf_edge_state state{};
  state.vrrp_master = 1;
  std::memcpy(state.vmac, kVirtualMac.data(), 6);
  m.edgeState = state;
  m.localAddrs.insert(addr(kEdgeLanAddr));
  m.fib = [](const std::array<uint8_t, 4>& dst) {
    return dst[0] == 198 ? FibAnswer::Forwarded : FibAnswer::NotForwarded;
  };
  return m;
}

Bytes lanFrame(const Bytes& l3, const Mac& to = kRouterMac) { return withEthernet(l3, to, kPeerMac); }

TEST(PolicyModelEdge, HairpinIsAnsweredInXdpWithPortUnreachable) {
  EdgePolicyModel model(edgeMaps());
  Bytes in = lanFrame(udp6({kHostA, kHostA2}, 1000, 58000));
  ModelVerdict v = model.lanXdp(in);
  EXPECT_EQ(v.action, kXdpTx);
  EXPECT_EQ(v.reason, MF_E_REJECT_HAIRPIN);
  std::string why;
  auto parsed = parseIcmp6Error(v.output, 14, why);
  ASSERT_TRUE(parsed) << why;
  EXPECT_EQ(parsed->type, 1);
  EXPECT_EQ(parsed->code, 4);
  EXPECT_EQ(parsed->src, kEdgeLanAddr);
  EXPECT_EQ(parsed->dst, kHostA);
  EXPECT_TRUE(std::equal(v.output.begin() + 6, v.output.begin() + 12, kRouterMac.begin()));
}

TEST(PolicyModelEdge, MeshTrafficPassesXdpAndIsForwardedByTc) {
  EdgePolicyModel model(edgeMaps());
  Bytes in = lanFrame(udp6({kHostA, kHostB, 64}, 1000, 58000));
  EXPECT_EQ(model.lanXdp(in).reason, MF_E_PASS_TO_TC);
  ModelVerdict v = model.lanIngress(in);
  EXPECT_EQ(v.action, kTcActRedirect);
  EXPECT_EQ(v.reason, MF_T_FWD_TO_TUNNEL);
  EXPECT_EQ(v.output[14 + 7], 63);
  EXPECT_EQ(v.egressIfindex, kTunnelIfindex);
}

TEST(PolicyModelEdge, SpoofedSourceIsDroppedBeforeTheMesh) {
  EdgePolicyModel model(edgeMaps());
  Bytes in = lanFrame(udp6({kHostB, In6::parse("fd42:4242:4242:c::1")}, 1000, 58000));
  EXPECT_EQ(model.lanXdp(in).reason, MF_E_DROP_SPOOFED);
  EXPECT_EQ(model.lanIngress(in).reason, MF_T_DROP_SPOOFED);
}

TEST(PolicyModelEdge, VirtualMacIsOursOnlyWhileMaster) {
  EdgeMaps maps = edgeMaps();
  Bytes in = lanFrame(udp6({kHostA, kHostB}, 1000, 58000), kVirtualMac);
  EXPECT_EQ(EdgePolicyModel(maps).lanIngress(in).reason, MF_T_FWD_TO_TUNNEL);
  maps.edgeState->vrrp_master = 0;
  EXPECT_EQ(EdgePolicyModel(maps).lanIngress(in).reason, MF_T_PASS_NOT_OURS);
  EXPECT_EQ(EdgePolicyModel(maps).lanXdp(in).reason, MF_E_PASS_NOT_OURS);
}

TEST(PolicyModelEdge, LinkScopedControlPassesUntouched) {
  EdgePolicyModel model(edgeMaps());
  Bytes ns = lanFrame(icmp6({kHostA, kHostB, 255}, 135, 0, Bytes(20, 0)));
  ModelVerdict v = model.lanIngress(ns);
  EXPECT_EQ(v.reason, MF_T_PASS_CONTROL);
  EXPECT_EQ(v.output, ns);
}

TEST(PolicyModelEdge, ErrorsAreNeverAnsweredWithErrors) {
  EdgePolicyModel model(edgeMaps());
  Bytes unreachable = lanFrame(icmp6({kHostA, kOutside}, 1, 3, Bytes(48, 0)));
  ModelVerdict v = model.lanIngress(unreachable);
  EXPECT_EQ(v.action, kTcActShot);
  EXPECT_EQ(v.reason, MF_T_DROP_ICMP_ERROR);
}

TEST(PolicyModelEdge, TunnelDeliversTheSiteAndRejectsTheRest) {
  EdgePolicyModel model(edgeMaps());
  ModelVerdict toSite = model.tunnelIngress(frame(udp6({kHostB, kHostA, 2}, 1, 58000)));
  EXPECT_EQ(toSite.reason, MF_T_FWD_TO_LAN);
  EXPECT_EQ(toSite.output[14 + 7], 1);
  ModelVerdict elsewhere = model.tunnelIngress(frame(udp6({kHostA, kHostB}, 1, 58000)));
  EXPECT_EQ(elsewhere.reason, MF_T_REJECT_OTHER);
  ASSERT_TRUE(elsewhere.error);
  EXPECT_EQ(elsewhere.error->code, 4);
  EXPECT_EQ(model.tunnelIngress(frame(udp6({kHostB, kHostA, 1}, 1, 58000))).reason, MF_T_TIME_EXCEEDED);
}

TEST(PolicyModelEdge, PayloadLengthBeyondTheFrameIsTruncated) {
  EdgePolicyModel model(edgeMaps());
  Bytes in = lanFrame(udp6({kHostA, kHostB}, 1000, 58000));
  in[14 + 5] += 1;  // claims one byte more than the frame holds
  EXPECT_EQ(model.lanIngress(in).reason, MF_T_DROP_TRUNCATED);
}

TEST(PolicyModelEdge, Ipv4FollowsTheFibAnswer) {
  EdgePolicyModel model(edgeMaps());
  auto ipv4 = [](std::array<uint8_t, 4> dst, uint16_t dport) {
    return withEthernet(udp4({10, 0, 0, 1}, dst, 1, dport, {}), kRouterMac, kPeerMac, 0x0800);
  };
  EXPECT_EQ(model.lanIngress(ipv4({198, 51, 100, 1}, 53)).reason, MF_T_DROP_IPV4);
  EXPECT_EQ(model.lanIngress(ipv4({198, 51, 100, 1}, 68)).reason, MF_T_PASS_LOCAL);
  EXPECT_EQ(model.lanIngress(ipv4({10, 0, 0, 2}, 53)).reason, MF_T_PASS_LOCAL);
  EXPECT_EQ(model.lanXdp(ipv4({198, 51, 100, 1}, 53)).reason, MF_E_PASS_NOT_FORWARDED);
}

}  // namespace
}  // namespace meshfwd::test
