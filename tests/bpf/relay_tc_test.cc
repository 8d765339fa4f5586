// Packet tests for the relay's TC program on the routing tunnel
// (bpf/relay_tc.h), Katran style: every case is a row of data (input frame,
// expected verdict, expected reason, expected output) run through
// BPF_PROG_TEST_RUN. Adding a case is adding a row.
//
// Expected outputs are derived here from the spec (docs/datapath-spec.md,
// DESIGN.md 2a), never from the BPF code: a forward is the input with hop
// limit - 1, a generated ICMPv6 error is read back by the independent parser
// in tests/support/icmp6_check, drops and passes leave the frame untouched.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/pkt_cls.h>
#include <net/if.h>
#include <sched.h>

#include <algorithm>
#include <cerrno>
#include <array>
#include <chrono>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "loader/map_ops.h"
#include "loader/test_run.h"
#include "tests/support/datapath_fixture.h"
#include "tests/support/icmp6_check.h"
#include "tests/support/packet.h"
#include "tests/support/ringbuf_reader.h"
#include "userspace/local_filter.h"

namespace meshfwd::test {
namespace {

constexpr std::string_view kProgram = "relay_tunnel_ingress";
constexpr size_t kL2 = 14;
constexpr size_t kQuoteMax = 1232;  // 1280 - 40 - 8
constexpr uint32_t kFirstRelayReason = 0;
constexpr uint32_t kLastRelayReason = 31;

// A /64 whose egress entry points at an interface that is not a tunnel.
const In6 kSiteC = In6::parse("fd42:4242:4242:c::");
const In6 kHostC = In6::parse("fd42:4242:4242:c::30");
constexpr uint32_t kNotATunnelIfindex = 99;
constexpr uint32_t kSiteIdC = 3;

// A /64 whose egress names an interface that is no tunnel although its
// mf_tunnels slot holds one: the tunnel's ifindex plus the slot count.
const In6 kSiteD = In6::parse("fd42:4242:4242:d::");
const In6 kHostD = In6::parse("fd42:4242:4242:d::40");
constexpr uint32_t kSlotTwinIfindex = kTunnelIfindex + MF_TUNNEL_SLOTS;
constexpr uint32_t kSiteIdD = 4;

// Egress entries outside the mesh /48, both naming the tunnel with an MTU
// below 1400: another edge's routing-tunnel /128 in the LPM trie (the seed's
// relay has that route, wg-quick adds it) and a /64 in the exact table.
// Route sync writes neither; the relay must not look them up at all.
const In6 kOtherEdgeTunnelAddr = In6::parse("fd99::2");
const In6 kForeignExact64 = In6::parse("2001:db8:2::");
const In6 kForeignExactHost = In6::parse("2001:db8:2::5");
constexpr uint32_t kForeignMtu = 1280;
constexpr uint32_t kSiteIdForeignRoute = 5;
constexpr uint32_t kSiteIdForeignExact = 6;

// A host of site A whose mf_local_filter bit is the relay's own address's:
// the filter lets it through to the mf_local_addrs lookup, which must say no.
In6 siteAHostOnTheRelaysFilterBit() {
  uint32_t want = localFilterBit(kRelayTunnelAddr.b);
  In6 host = kSiteA;
  for (uint32_t iid = 1; iid < (1u << 24); ++iid) {
    host.b[13] = static_cast<uint8_t>(iid >> 16);
    host.b[14] = static_cast<uint8_t>(iid >> 8);
    host.b[15] = static_cast<uint8_t>(iid);
    if (localFilterBit(host.b) == want) return host;
  }
  throw std::logic_error("no site A host shares the relay address's filter bit");
}

// RefusedByKernel: BPF_PROG_TEST_RUN itself rejects the frame (EINVAL)
// before the program runs: it insists on a whole IPv6 header behind an IPv6
// EtherType. Those frames never reach the program under test.
enum class Outcome { Forward, Error, Drop, Pass, RefusedByKernel };

struct ExpectedIcmp {
  uint8_t type = 0;
  uint8_t code = 0;
  uint32_t param = 0;
};

// One packet and what the program must do with it.
struct Step {
  Bytes frame;
  Outcome outcome;
  uint32_t reason;
  ExpectedIcmp icmp{};   // Outcome::Error
  uint32_t siteId = 0;   // Outcome::Forward: the site counter that must move
};

// A row: usually one step; fragment cases are short sequences whose later
// steps depend on what the earlier ones left in mf_frags.
struct RelayCase {
  std::string name;
  std::vector<Step> steps;
};

Ipv6Header ip(const In6& src, const In6& dst, uint8_t hopLimit = 64) {
  Ipv6Header h;
  h.src = src;
  h.dst = dst;
  h.hopLimit = hopLimit;
  return h;
}

Bytes eth(const Bytes& l3, uint16_t ethertype = 0x86dd) { return withEthernet(l3, kRouterMac, kPeerMac, ethertype); }

Step forward(Bytes frame, uint32_t reason, uint32_t siteId) {
  return {std::move(frame), Outcome::Forward, reason, {}, siteId};
}
Step error(Bytes frame, uint32_t reason, uint8_t type, uint8_t code, uint32_t param = 0) {
  return {std::move(frame), Outcome::Error, reason, {type, code, param}, 0};
}
Step reject(Bytes frame, uint32_t reason = MF_R_REJECT_POLICY) { return error(std::move(frame), reason, 1, 3); }
Step drop(Bytes frame, uint32_t reason) { return {std::move(frame), Outcome::Drop, reason, {}, 0}; }
Step refused(Bytes frame) { return {std::move(frame), Outcome::RefusedByKernel, 0, {}, 0}; }
Step pass(Bytes frame) { return {std::move(frame), Outcome::Pass, MF_R_PASS_LOCAL, {}, 0}; }

RelayCase row(std::string name, Step step) { return {std::move(name), {std::move(step)}}; }

// UDP with an exact L3 length (IPv6 40 + UDP 8 + payload).
Bytes udpOfL3Length(const In6& src, const In6& dst, uint16_t dport, size_t l3Len) {
  return udp6(ip(src, dst), 40000, dport, l3Len - 48);
}

// A mesh flow A -> B and an ICMPv6 error about it sent back B -> A: the
// quote is the original packet, after the error's 4-byte parameter field.
Bytes icmpErrorQuoting(const Ipv6Header& outer, uint8_t type, uint8_t code, const Bytes& quoted,
                       size_t quoteBytes = SIZE_MAX) {
  size_t n = std::min(quoteBytes, quoted.size());
  Bytes body(4 + n, 0);  // the unused/parameter field, then the quote
  std::copy_n(quoted.begin(), n, body.begin() + 4);
  return icmp6(outer, type, code, body);
}

// DESIGN.md 2a, written out again independently of the fixture's table.
struct IcmpExpectation {
  Outcome outcome;
  uint32_t reason;
};
IcmpExpectation icmpExpectation(uint8_t type, bool inMesh) {
  bool isError = type < 128;
  bool mld_or_rs = type == 130 || type == 131 || type == 132 || type == 133 || type == 143;
  if (inMesh) {
    if (type == 128 || type == 129 || type == 134) return {Outcome::Forward, MF_R_FWD_ICMP};
    if (mld_or_rs) return {Outcome::Error, MF_R_REJECT_POLICY};
    // 1-4 quoting nothing related, 135/136/137, unknown: dropped silently.
    return {Outcome::Drop, isError ? MF_R_DROP_ICMP_ERROR : MF_R_DROP_ICMP_TYPE};
  }
  if (type == 128 || type == 134 || mld_or_rs) return {Outcome::Error, MF_R_REJECT_POLICY};
  return {Outcome::Drop, isError ? MF_R_DROP_ICMP_ERROR : MF_R_DROP_ICMP_TYPE};
}

std::vector<RelayCase> icmpTypeCases() {
  std::vector<RelayCase> cases;
  for (int t = 0; t < 256; ++t) {
    for (bool inMesh : {true, false}) {
      auto type = static_cast<uint8_t>(t);
      const In6& dst = inMesh ? kHostB : kOutside;
      Bytes frame = eth(icmp6(ip(kHostA, dst), type, 0));
      IcmpExpectation e = icmpExpectation(type, inMesh);
      std::string name = "icmp_type_" + std::to_string(t) + (inMesh ? "_into_mesh" : "_elsewhere");
      switch (e.outcome) {
        case Outcome::Forward:
          cases.push_back(row(name, forward(frame, e.reason, kSiteIdB)));
          break;
        case Outcome::Error:
          cases.push_back(row(name, reject(frame, e.reason)));
          break;
        default:
          cases.push_back(row(name, drop(frame, e.reason)));
          break;
      }
    }
  }
  return cases;
}

std::vector<RelayCase> policyCases() {
  const Ipv6Header aToB = ip(kHostA, kHostB);
  std::vector<RelayCase> c;

  // R1 and the port range edges.
  c.push_back(row("udp_port_57999_rejected", reject(eth(udp6(aToB, 40000, 57999)))));
  c.push_back(row("udp_port_58000_forwarded", forward(eth(udp6(aToB, 40000, 58000)), MF_R_FWD_MESH_UDP, kSiteIdB)));
  c.push_back(row("udp_port_59000_forwarded", forward(eth(udp6(aToB, 40000, 59000)), MF_R_FWD_MESH_UDP, kSiteIdB)));
  c.push_back(row("udp_port_60000_forwarded", forward(eth(udp6(aToB, 40000, 60000)), MF_R_FWD_MESH_UDP, kSiteIdB)));
  c.push_back(row("udp_port_60001_rejected", reject(eth(udp6(aToB, 40000, 60001)))));
  c.push_back(row("udp_b_to_a_forwarded_to_site_a",
                  forward(eth(udp6(ip(kHostB, kHostA), 58000, 58001)), MF_R_FWD_MESH_UDP, kSiteIdA)));
  c.push_back(row("udp_within_site_a_forwarded",
                  forward(eth(udp6(ip(kHostA, kHostA2), 58000, 58000)), MF_R_FWD_MESH_UDP, kSiteIdA)));
  c.push_back(row("udp_source_port_in_range_does_not_count", reject(eth(udp6(aToB, 58000, 22)))));
  c.push_back(row("udp_just_outside_the_48_rejected", reject(eth(udp6(ip(kHostA, kOutside), 40000, 58000)))));
  c.push_back(row("udp_far_outside_rejected",
                  reject(eth(udp6(ip(kHostA, In6::parse("2001:db8::1")), 40000, 58000)))));
  c.push_back(row("tcp_in_mesh_rejected", reject(eth(tcp6(aToB, 40000, 58000)))));
  c.push_back(row("tcp_elsewhere_rejected", reject(eth(tcp6(ip(kHostA, kOutside), 40000, 443)))));
  c.push_back(row("no_next_header_rejected", reject(eth(ipv6Packet(aToB, {}, kProtoNoNext, {})))));
  c.push_back(row("esp_rejected", reject(eth(ipv6Packet(aToB, {}, 50, payloadBytes(16))))));

  // Egress: a /48 address without a site, a route to something not a tunnel.
  c.push_back(row("allowed_to_48_address_without_site",
                  reject(eth(udp6(ip(kHostA, kNoSite), 40000, 58000)), MF_R_REJECT_NO_EGRESS)));
  c.push_back(row("disallowed_to_48_address_without_site", reject(eth(udp6(ip(kHostA, kNoSite), 40000, 22)))));
  c.push_back(row("echo_to_48_address_without_site",
                  reject(eth(icmp6(ip(kHostA, kNoSite), 128, 0)), MF_R_REJECT_NO_EGRESS)));
  c.push_back(row("egress_not_a_configured_tunnel",
                  reject(eth(udp6(ip(kHostA, kHostC), 40000, 58000)), MF_R_REJECT_NO_EGRESS)));
  c.push_back(row("oversize_to_non_tunnel_egress_is_no_egress_not_ptb",
                  reject(eth(udpOfL3Length(kHostA, kHostC, 58000, 1500)), MF_R_REJECT_NO_EGRESS)));
  c.push_back(row("egress_ifindex_sharing_a_tunnels_slot_is_no_tunnel",
                  reject(eth(udp6(ip(kHostA, kHostD), 40000, 58000)), MF_R_REJECT_NO_EGRESS)));

  // Not IPv6.
  c.push_back(row("ipv4_dropped", drop(eth(udp4({10, 0, 0, 1}, {10, 0, 0, 2}, 1, 58000, payloadBytes(8)), 0x0800),
                                       MF_R_DROP_IPV4)));
  c.push_back(row("arp_dropped", drop(eth(payloadBytes(28), 0x0806), MF_R_DROP_NOT_IP)));
  {
    Bytes l3 = udp6(aToB, 40000, 58000);
    l3[0] = static_cast<uint8_t>(0x40 | (l3[0] & 0x0f));
    c.push_back(row("ipv6_ethertype_with_version_4_dropped", drop(eth(l3), MF_R_DROP_NOT_IP)));
  }

  // The input path's business.
  c.push_back(row("to_relay_itself_passes", pass(eth(udp6(ip(kHostA, kRelayTunnelAddr), 40000, 51820)))));
  c.push_back(row("to_relay_itself_with_hop_limit_1_passes",
                  pass(eth(udp6(ip(kHostA, kRelayTunnelAddr, 1), 40000, 22)))));
  c.push_back(row("local_filter_bit_shared_with_the_relay_still_forwarded",
                  forward(eth(udp6(ip(kHostB, siteAHostOnTheRelaysFilterBit()), 40000, 58000)),
                          MF_R_FWD_MESH_UDP, kSiteIdA)));
  c.push_back(row("to_link_local_passes", pass(eth(udp6(ip(kHostA, In6::parse("fe80::2")), 40000, 58000)))));
  c.push_back(row("to_link_local_febf_passes",
                  pass(eth(icmp6(ip(kHostA, In6::parse("febf::2")), 128, 0)))));
  c.push_back(row("from_link_local_passes", pass(eth(icmp6(ip(kLinkLocal, kHostB), 128, 0)))));
  c.push_back(row("to_all_nodes_multicast_passes", pass(eth(icmp6(ip(kLinkLocal, In6::parse("ff02::1")), 134, 0)))));
  c.push_back(row("to_global_multicast_passes", pass(eth(udp6(ip(kHostA, In6::parse("ff0e::1")), 1, 58000)))));
  c.push_back(row("fec0_is_not_link_local", reject(eth(udp6(ip(kHostA, In6::parse("fec0::1")), 1, 58000)))));

  // Hop limit: decremented when forwarded, time exceeded at 1 and 0
  // whatever the policy would have said.
  c.push_back(row("hop_limit_2_forwarded_as_1",
                  forward(eth(udp6(ip(kHostA, kHostB, 2), 40000, 58000)), MF_R_FWD_MESH_UDP, kSiteIdB)));
  c.push_back(row("hop_limit_255_forwarded_as_254",
                  forward(eth(udp6(ip(kHostA, kHostB, 255), 40000, 58000)), MF_R_FWD_MESH_UDP, kSiteIdB)));
  c.push_back(row("hop_limit_1_allowed_port_time_exceeded",
                  error(eth(udp6(ip(kHostA, kHostB, 1), 40000, 58000)), MF_R_TIME_EXCEEDED, 3, 0)));
  c.push_back(row("hop_limit_1_disallowed_port_time_exceeded",
                  error(eth(udp6(ip(kHostA, kHostB, 1), 40000, 22)), MF_R_TIME_EXCEEDED, 3, 0)));
  c.push_back(row("hop_limit_0_time_exceeded",
                  error(eth(udp6(ip(kHostA, kHostB, 0), 40000, 58000)), MF_R_TIME_EXCEEDED, 3, 0)));
  c.push_back(row("hop_limit_1_outside_time_exceeded",
                  error(eth(tcp6(ip(kHostA, kOutside, 1), 40000, 80)), MF_R_TIME_EXCEEDED, 3, 0)));
  c.push_back(row("hop_limit_1_echo_request_time_exceeded",
                  error(eth(icmp6(ip(kHostA, kHostB, 1), 128, 0)), MF_R_TIME_EXCEEDED, 3, 0)));
  c.push_back(row("hop_limit_1_ndp_type_time_exceeded",
                  error(eth(icmp6(ip(kHostA, kHostB, 1), 135, 0)), MF_R_TIME_EXCEEDED, 3, 0)));
  c.push_back(row("hop_limit_1_icmp_error_dropped_never_answered",
                  drop(eth(icmp6(ip(kHostA, kHostB, 1), 1, 4)), MF_R_DROP_ICMP_ERROR)));

  // Packet too big carries the egress MTU (1420); checked before the policy.
  c.push_back(row("l3_1420_fits", forward(eth(udpOfL3Length(kHostA, kHostB, 58000, 1420)), MF_R_FWD_MESH_UDP,
                                          kSiteIdB)));
  c.push_back(row("l3_1421_packet_too_big",
                  error(eth(udpOfL3Length(kHostA, kHostB, 58000, 1421)), MF_R_PACKET_TOO_BIG, 2, 0, kTunnelMtu)));
  c.push_back(row("oversize_disallowed_port_still_packet_too_big",
                  error(eth(udpOfL3Length(kHostA, kHostB, 22, 1500)), MF_R_PACKET_TOO_BIG, 2, 0, kTunnelMtu)));
  c.push_back(row("oversize_tcp_packet_too_big",
                  error(eth(ipv6Packet(ip(kHostA, kHostB), {}, kProtoTcp, payloadBytes(1460))), MF_R_PACKET_TOO_BIG,
                        2, 0, kTunnelMtu)));
  c.push_back(row("oversize_without_egress_rejected_not_ptb",
                  reject(eth(udpOfL3Length(kHostA, kOutside, 58000, 2000)))));
  // Outside the /48 no egress is looked up, so no packet too big whatever
  // the maps hold (docs/datapath-spec.md step 6): the policy decides.
  c.push_back(row("oversize_to_routed_address_outside_48_rejected_not_ptb",
                  reject(eth(udpOfL3Length(kHostA, kOtherEdgeTunnelAddr, 58000, 1400)))));
  c.push_back(row("oversize_to_exact_entry_outside_48_rejected_not_ptb",
                  reject(eth(udpOfL3Length(kHostA, kForeignExactHost, 58000, 1400)))));
  c.push_back(row("oversize_tcp_to_routed_address_outside_48_rejected_not_ptb",
                  reject(eth(ipv6Packet(ip(kHostA, kOtherEdgeTunnelAddr), {}, kProtoTcp, payloadBytes(1460))))));
  c.push_back(row("oversize_echo_request_to_routed_address_outside_48_rejected_not_ptb",
                  reject(eth(icmp6(ip(kHostA, kOtherEdgeTunnelAddr), 128, 0, payloadBytes(1400))))));
  c.push_back(row("oversize_echo_reply_to_routed_address_outside_48_dropped_not_ptb",
                  drop(eth(icmp6(ip(kHostA, kOtherEdgeTunnelAddr), 129, 0, payloadBytes(1400))),
                       MF_R_DROP_ICMP_TYPE)));
  c.push_back(row("mesh_port_to_routed_address_outside_48_rejected_not_forwarded",
                  reject(eth(udp6(ip(kHostA, kOtherEdgeTunnelAddr), 40000, 58000)))));
  c.push_back(row("echo_to_exact_entry_outside_48_rejected_not_forwarded",
                  reject(eth(icmp6(ip(kHostA, kForeignExactHost), 128, 0)))));
  c.push_back(row("hop_limit_1_to_routed_address_outside_48_still_time_exceeded",
                  error(eth(udp6(ip(kHostA, kOtherEdgeTunnelAddr, 1), 40000, 58000, 1400 - 48)),
                        MF_R_TIME_EXCEEDED, 3, 0)));
  c.push_back(row("oversize_icmp_error_dropped_never_answered",
                  drop(eth(icmp6(ip(kHostA, kHostB), 1, 4, payloadBytes(1500))), MF_R_DROP_ICMP_ERROR)));

  // The quote: the whole offender while it fits, cut at 1232 bytes after.
  // Lengths 0-3 mod 4 exercise the checksum's tail handling.
  for (size_t l3Len : {48u, 49u, 50u, 51u, 52u, 300u, 511u, 1231u, 1232u, 1233u, 1234u, 1235u, 1300u, 3000u}) {
    c.push_back(row("reject_quote_for_l3_length_" + std::to_string(l3Len),
                    reject(eth(udpOfL3Length(kHostA, kOutside, 58000, l3Len)))));
  }

  // ICMPv6 errors into the /48: forwarded only when they quote an allowed
  // mesh flow in the reverse direction (B answers a packet A sent to B).
  const Ipv6Header bToA = ip(kHostB, kHostA);
  const Bytes meshUdp = udp6(aToB, 40000, 58000);
  const Bytes meshEcho = icmp6(aToB, 128, 0);
  c.push_back(row("error_port_unreachable_quoting_mesh_udp_forwarded",
                  forward(eth(icmpErrorQuoting(bToA, 1, 4, meshUdp)), MF_R_FWD_ICMP_RELATED, kSiteIdA)));
  c.push_back(row("error_packet_too_big_quoting_mesh_udp_forwarded",
                  forward(eth(icmpErrorQuoting(bToA, 2, 0, meshUdp)), MF_R_FWD_ICMP_RELATED, kSiteIdA)));
  c.push_back(row("error_time_exceeded_quoting_echo_request_forwarded",
                  forward(eth(icmpErrorQuoting(bToA, 3, 0, meshEcho)), MF_R_FWD_ICMP_RELATED, kSiteIdA)));
  c.push_back(row("error_param_problem_quoting_echo_reply_forwarded",
                  forward(eth(icmpErrorQuoting(bToA, 4, 0, icmp6(aToB, 129, 0))), MF_R_FWD_ICMP_RELATED,
                          kSiteIdA)));
  c.push_back(row("error_quoting_just_header_plus_8_forwarded",
                  forward(eth(icmpErrorQuoting(bToA, 1, 4, meshUdp, 48)), MF_R_FWD_ICMP_RELATED, kSiteIdA)));
  c.push_back(row("error_quoting_header_plus_7_dropped",
                  drop(eth(icmpErrorQuoting(bToA, 1, 4, meshUdp, 47)), MF_R_DROP_ICMP_ERROR)));
  c.push_back(row("error_quoting_disallowed_port_dropped",
                  drop(eth(icmpErrorQuoting(bToA, 1, 4, udp6(aToB, 40000, 22))), MF_R_DROP_ICMP_ERROR)));
  c.push_back(row("error_quoting_tcp_dropped",
                  drop(eth(icmpErrorQuoting(bToA, 1, 4, tcp6(aToB, 40000, 58000))), MF_R_DROP_ICMP_ERROR)));
  c.push_back(row("error_quoting_other_source_dropped",
                  drop(eth(icmpErrorQuoting(bToA, 1, 4, udp6(ip(kHostA2, kHostB), 40000, 58000))),
                       MF_R_DROP_ICMP_ERROR)));
  c.push_back(row("error_quoting_destination_outside_48_dropped",
                  drop(eth(icmpErrorQuoting(bToA, 1, 4, udp6(ip(kHostA, kOutside), 40000, 58000))),
                       MF_R_DROP_ICMP_ERROR)));
  c.push_back(row("error_quoting_ndp_dropped",
                  drop(eth(icmpErrorQuoting(bToA, 1, 4, icmp6(aToB, 135, 0))), MF_R_DROP_ICMP_ERROR)));
  c.push_back(row("error_elsewhere_quoting_mesh_flow_dropped",
                  drop(eth(icmpErrorQuoting(ip(kHostB, kOutside), 1, 4, udp6(ip(kOutside, kHostB), 1, 58000))),
                       MF_R_DROP_ICMP_ERROR)));
  c.push_back(row("related_error_with_hop_limit_1_dropped",
                  drop(eth(icmpErrorQuoting(ip(kHostB, kHostA, 1), 1, 4, meshUdp)), MF_R_DROP_ICMP_ERROR)));
  c.push_back(row("related_error_too_big_dropped",
                  drop(eth(icmpErrorQuoting(bToA, 1, 4, udpOfL3Length(kHostA, kHostB, 58000, 1400))),
                       MF_R_DROP_ICMP_ERROR)));
  // Allowed but nowhere to go: the reject would be an error about an error.
  c.push_back(row("related_error_to_48_address_without_site_dropped",
                  drop(eth(icmpErrorQuoting(ip(kHostB, kNoSite), 1, 4, udp6(ip(kNoSite, kHostB), 1, 58000))),
                       MF_R_DROP_ICMP_ERROR)));
  return c;
}

std::vector<RelayCase> extensionHeaderCases() {
  const Ipv6Header aToB = ip(kHostA, kHostB);
  auto udp = [&](uint16_t dport) { return udpSegment(kHostA, kHostB, 40000, dport, payloadBytes(16)); };
  std::vector<RelayCase> c;
  c.push_back(row("hop_by_hop_then_udp_forwarded",
                  forward(eth(ipv6Packet(aToB, {hopByHopHeader()}, kProtoUdp, udp(58000))), MF_R_FWD_MESH_UDP,
                          kSiteIdB)));
  c.push_back(row("routing_then_udp_forwarded",
                  forward(eth(ipv6Packet(aToB, {routingHeader(22)}, kProtoUdp, udp(58000))), MF_R_FWD_MESH_UDP,
                          kSiteIdB)));
  c.push_back(row("destination_options_then_udp_forwarded",
                  forward(eth(ipv6Packet(aToB, {destOptsHeader(200)}, kProtoUdp, udp(60000))), MF_R_FWD_MESH_UDP,
                          kSiteIdB)));
  c.push_back(row("destination_options_then_udp_disallowed_port_rejected",
                  reject(eth(ipv6Packet(aToB, {destOptsHeader()}, kProtoUdp, udp(57999))))));
  c.push_back(row("hop_by_hop_then_echo_forwarded",
                  forward(eth(ipv6Packet(aToB, {hopByHopHeader()}, kProtoIcmp6,
                                         icmp6Message(kHostA, kHostB, 128, 0, Bytes(8, 0)))),
                          MF_R_FWD_ICMP, kSiteIdB)));
  c.push_back(row("atomic_fragment_then_udp_forwarded",
                  forward(eth(ipv6Packet(aToB, {fragmentHeader(0, false, 0xa70)}, kProtoUdp, udp(58000))),
                          MF_R_FWD_MESH_UDP, kSiteIdB)));
  std::vector<ExtHeader> six{hopByHopHeader(), destOptsHeader(), routingHeader(),
                             fragmentHeader(0, false, 0xa71), destOptsHeader(14), destOptsHeader()};
  c.push_back(row("chain_of_six_at_the_limit_forwarded",
                  forward(eth(ipv6Packet(aToB, six, kProtoUdp, udp(58000))), MF_R_FWD_MESH_UDP, kSiteIdB)));
  c.push_back(row("chain_of_six_then_tcp_rejected", reject(eth(ipv6Packet(aToB, six, kProtoTcp,
                                                                           tcpSegment(kHostA, kHostB, 1, 58000))))));
  auto seven = six;
  seven.push_back(destOptsHeader());
  c.push_back(row("chain_of_seven_dropped",
                  drop(eth(ipv6Packet(aToB, seven, kProtoUdp, udp(58000))), MF_R_DROP_EXTHDR_CHAIN)));
  c.push_back(row("chain_of_seven_ending_in_no_next_dropped",
                  drop(eth(ipv6Packet(aToB, seven, kProtoNoNext, {})), MF_R_DROP_EXTHDR_CHAIN)));
  c.push_back(row("chain_of_seven_to_relay_itself_passes",
                  pass(eth(ipv6Packet(ip(kHostA, kRelayTunnelAddr), seven, kProtoUdp, udp(58000))))));
  return c;
}

// First fragments decide; later ones follow. Each row is a sequence; ids are
// unique per row because mf_frags is shared by the rows of one suite.
std::vector<RelayCase> fragmentCases() {
  const Ipv6Header aToB = ip(kHostA, kHostB);
  auto first = [&](uint32_t id, uint16_t dport, const In6& dst = kHostB) {
    Bytes udp = udpSegment(kHostA, dst, 40000, dport, payloadBytes(64));
    udp.resize(40);  // first 40 bytes of the datagram
    return eth(ipv6Packet(ip(kHostA, dst), {fragmentHeader(0, true, id)}, kProtoUdp, udp));
  };
  auto later = [&](uint32_t id, const In6& src = kHostA, uint8_t hopLimit = 64, const In6& dst = kHostB) {
    return eth(ipv6Packet(ip(src, dst, hopLimit), {fragmentHeader(5, false, id)}, kProtoUdp, payloadBytes(32)));
  };
  std::vector<RelayCase> c;
  c.push_back({"fragment_first_forwarded_then_later_forwarded",
               {forward(first(0xf001, 58000), MF_R_FWD_MESH_UDP, kSiteIdB),
                forward(later(0xf001), MF_R_FWD_FRAG, kSiteIdB), forward(later(0xf001), MF_R_FWD_FRAG, kSiteIdB)}});
  c.push_back({"fragment_first_rejected_then_later_dropped",
               {reject(first(0xf002, 22)), drop(later(0xf002), MF_R_DROP_FRAG_REJECTED)}});
  c.push_back({"fragment_later_without_first_dropped", {drop(later(0xf003), MF_R_DROP_FRAG_NO_FIRST)}});
  c.push_back({"fragment_later_of_another_source_does_not_match",
               {forward(first(0xf004, 58000), MF_R_FWD_MESH_UDP, kSiteIdB),
                drop(later(0xf004, kHostA2), MF_R_DROP_FRAG_NO_FIRST)}});
  c.push_back({"fragment_later_of_another_id_does_not_match",
               {forward(first(0xf005, 58000), MF_R_FWD_MESH_UDP, kSiteIdB),
                drop(later(0xf006), MF_R_DROP_FRAG_NO_FIRST)}});
  {
    // The first fragment ends 4 bytes into its UDP header.
    Bytes udp = udpSegment(kHostA, kHostB, 40000, 58000, {});
    udp.resize(4);
    Bytes cut = eth(ipv6Packet(aToB, {fragmentHeader(0, true, 0xf007)}, kProtoUdp, udp));
    c.push_back({"fragment_first_without_l4_header_then_later_dropped",
                 {drop(cut, MF_R_DROP_TRUNCATED), drop(later(0xf007), MF_R_DROP_FRAG_REJECTED)}});
  }
  c.push_back({"fragment_first_without_site_then_later_dropped",
               {reject(first(0xf008, 58000, kNoSite), MF_R_REJECT_NO_EGRESS),
                drop(later(0xf008, kHostA, 64, kNoSite), MF_R_DROP_FRAG_REJECTED)}});
  {
    // Both fragments too big for the foreign entry's MTU: neither gets
    // packet too big, the first is rejected and the later one follows it.
    const Ipv6Header toForeign = ip(kHostA, kOtherEdgeTunnelAddr);
    Bytes udp = udpSegment(kHostA, kOtherEdgeTunnelAddr, 40000, 58000, payloadBytes(1392));
    Bytes bigFirst = eth(ipv6Packet(toForeign, {fragmentHeader(0, true, 0xf00c)}, kProtoUdp, udp));
    Bytes bigLater = eth(ipv6Packet(toForeign, {fragmentHeader(175, false, 0xf00c)}, kProtoUdp, payloadBytes(1400)));
    c.push_back({"fragments_oversize_to_routed_address_outside_48_rejected_not_ptb",
                 {reject(bigFirst), drop(bigLater, MF_R_DROP_FRAG_REJECTED)}});
  }
  c.push_back({"fragment_later_with_hop_limit_1_time_exceeded",
               {forward(first(0xf009, 58000), MF_R_FWD_MESH_UDP, kSiteIdB),
                error(later(0xf009, kHostA, 1), MF_R_TIME_EXCEEDED, 3, 0)}});
  c.push_back({"fragment_first_time_exceeded_is_not_remembered",
               {error(eth(ipv6Packet(ip(kHostA, kHostB, 1), {fragmentHeader(0, true, 0xf00a)}, kProtoUdp,
                                     udpSegment(kHostA, kHostB, 1, 58000, payloadBytes(8)))),
                      MF_R_TIME_EXCEEDED, 3, 0),
                drop(later(0xf00a), MF_R_DROP_FRAG_NO_FIRST)}});
  c.push_back({"fragment_later_carrying_what_looks_like_an_icmp_error_follows_its_first",
               {forward(first(0xf00b, 58000), MF_R_FWD_MESH_UDP, kSiteIdB),
                forward(eth(ipv6Packet(aToB, {fragmentHeader(9, false, 0xf00b)}, kProtoIcmp6, Bytes{1, 4, 0, 0})),
                        MF_R_FWD_FRAG, kSiteIdB)}});
  return c;
}

// Cut a packet at every byte inside its headers (IPv6, extension headers,
// the first 8 upper-layer bytes): each cut is dropped as truncated.
std::vector<RelayCase> truncationCases() {
  const Ipv6Header aToB = ip(kHostA, kHostB);
  struct Whole {
    std::string name;
    Bytes frame;
    size_t headersEnd;  // frame offset where the checked headers end
  };
  std::vector<Whole> wholes;
  {
    std::vector<ExtHeader> chain{hopByHopHeader(), routingHeader(), destOptsHeader(14),
                                 fragmentHeader(0, true, 0xc0de)};
    Bytes frame = eth(ipv6Packet(aToB, chain, kProtoUdp, udpSegment(kHostA, kHostB, 1, 58000, payloadBytes(8))));
    wholes.push_back({"udp_after_chain", frame, kL2 + 40 + 8 + 8 + 16 + 8 + 8});
  }
  wholes.push_back({"icmp_echo", eth(icmp6(aToB, 128, 0)), kL2 + 40 + 8});
  wholes.push_back({"tcp", eth(tcp6(aToB, 1, 58000)), kL2 + 40 + 8});
  wholes.push_back({"udp", eth(udp6(aToB, 1, 58000)), kL2 + 40 + 8});

  std::vector<RelayCase> c;
  for (const auto& w : wholes) {
    for (size_t cut = kL2; cut < w.headersEnd; ++cut) {
      Bytes frame(w.frame.begin(), w.frame.begin() + static_cast<std::ptrdiff_t>(cut));
      std::string name = "truncated_" + w.name + "_at_" + std::to_string(cut);
      if (cut < kL2 + 40)
        c.push_back(row(name, refused(frame)));
      else
        c.push_back(row(name, drop(frame, MF_R_DROP_TRUNCATED)));
    }
  }
  // A later fragment ends its walk at its fragment header: a cut inside the
  // fragment header is truncated, a cut right after it is judged (and
  // without a first fragment dropped as such).
  Bytes laterFrag = eth(ipv6Packet(aToB, {fragmentHeader(5, false, 0xc0df)}, kProtoUdp, payloadBytes(16)));
  for (size_t cut = kL2 + 40; cut < kL2 + 48; ++cut) {
    Bytes frame(laterFrag.begin(), laterFrag.begin() + static_cast<std::ptrdiff_t>(cut));
    c.push_back(row("truncated_later_fragment_at_" + std::to_string(cut), drop(frame, MF_R_DROP_TRUNCATED)));
  }
  c.push_back(row("later_fragment_without_payload_is_judged",
                  drop(Bytes(laterFrag.begin(), laterFrag.begin() + kL2 + 48), MF_R_DROP_FRAG_NO_FIRST)));
  // The full header set is not truncated: the cut just past it forwards.
  c.push_back(row("udp_exactly_its_header_forwarded",
                  forward(eth(ipv6Packet(aToB, {}, kProtoUdp, udpSegment(kHostA, kHostB, 1, 58000, {}))),
                          MF_R_FWD_MESH_UDP, kSiteIdB)));
  return c;
}

std::vector<RelayCase> allCases() {
  std::vector<RelayCase> all;
  for (auto part : {policyCases(), icmpTypeCases(), extensionHeaderCases(), fragmentCases(), truncationCases()})
    all.insert(all.end(), part.begin(), part.end());
  return all;
}

uint32_t expectedVerdict(Outcome o) {
  switch (o) {
    case Outcome::Forward:
    case Outcome::Error:
      return TC_ACT_REDIRECT;
    case Outcome::Drop:
      return TC_ACT_SHOT;
    case Outcome::Pass:
      return TC_ACT_OK;
    case Outcome::RefusedByKernel:
      break;
  }
  return ~0u;
}

std::array<mf_counter, kLastRelayReason + 1> relayCounters(const DatapathFixture& f) {
  std::array<mf_counter, kLastRelayReason + 1> out{};
  for (uint32_t r = kFirstRelayReason; r <= kLastRelayReason; ++r) out[r] = f.counter(r);
  return out;
}

// Checks an ICMPv6 error frame against the offending frame, field by field.
void expectIcmpError(const Bytes& out, const Bytes& in, const ExpectedIcmp& want) {
  std::string why;
  auto e = parseIcmp6Error(out, kL2, why);
  ASSERT_TRUE(e.has_value()) << why << "\n" << hexdump(out);
  EXPECT_EQ(e->type, want.type);
  EXPECT_EQ(e->code, want.code);
  EXPECT_EQ(e->param, want.param);
  EXPECT_EQ(e->src, kRelayTunnelAddr);
  In6 offender;
  std::copy_n(in.begin() + kL2 + 8, 16, offender.b.begin());
  EXPECT_EQ(e->dst, offender);
  EXPECT_EQ(e->hopLimit, 64);
  // Version 6, traffic class 0, flow label 0.
  EXPECT_EQ(out[kL2], 0x60);
  EXPECT_EQ(out[kL2 + 1], 0);
  EXPECT_EQ(out[kL2 + 2], 0);
  EXPECT_EQ(out[kL2 + 3], 0);
  size_t offenderLen = in.size() - kL2;
  size_t quoteLen = std::min(offenderLen, kQuoteMax);
  ASSERT_EQ(e->quote.size(), quoteLen);
  EXPECT_TRUE(std::equal(e->quote.begin(), e->quote.end(), in.begin() + kL2)) << "quote is not the offender's prefix";
  EXPECT_LE(out.size() - kL2, 1280u);
  // Back to whoever sent it: Ethernet addresses swapped, IPv6 EtherType.
  EXPECT_TRUE(std::equal(out.begin(), out.begin() + 6, in.begin() + 6));
  EXPECT_TRUE(std::equal(out.begin() + 6, out.begin() + 12, in.begin()));
  EXPECT_EQ(out[12], 0x86);
  EXPECT_EQ(out[13], 0xdd);
}

void runStep(DatapathFixture& f, const Step& s, size_t index) {
  SCOPED_TRACE("step " + std::to_string(index));
  auto before = relayCounters(f);
  auto siteBefore = f.siteCounter(s.siteId, MF_DIR_TO_SITE);
  auto r = f.run(kProgram, s.frame);
  if (s.outcome == Outcome::RefusedByKernel) {
    EXPECT_EQ(r.error, -EINVAL);
    auto after = relayCounters(f);
    for (uint32_t reason = kFirstRelayReason; reason <= kLastRelayReason; ++reason)
      EXPECT_EQ(after[reason].packets, before[reason].packets) << "the program must not have run";
    return;
  }
  ASSERT_EQ(r.error, 0) << "BPF_PROG_TEST_RUN failed";
  EXPECT_EQ(r.retval, expectedVerdict(s.outcome)) << "frame:\n" << hexdump(s.frame);

  // Exactly one reason moves, by one packet and the frame's bytes.
  auto after = relayCounters(f);
  for (uint32_t reason = kFirstRelayReason; reason <= kLastRelayReason; ++reason) {
    uint64_t packets = after[reason].packets - before[reason].packets;
    uint64_t bytes = after[reason].bytes - before[reason].bytes;
    EXPECT_EQ(packets, reason == s.reason ? 1u : 0u) << "reason " << reason;
    EXPECT_EQ(bytes, reason == s.reason ? s.frame.size() : 0u) << "reason " << reason;
  }

  switch (s.outcome) {
    case Outcome::Forward: {
      Bytes want = s.frame;
      want[kL2 + 7] = static_cast<uint8_t>(want[kL2 + 7] - 1);
      EXPECT_EQ(r.output, want) << "forwarded frame must differ from the input only by hop limit - 1";
      auto siteAfter = f.siteCounter(s.siteId, MF_DIR_TO_SITE);
      EXPECT_EQ(siteAfter.packets - siteBefore.packets, 1u) << "site " << s.siteId;
      EXPECT_EQ(siteAfter.bytes - siteBefore.bytes, s.frame.size());
      break;
    }
    case Outcome::Error:
      expectIcmpError(r.output, s.frame, s.icmp);
      break;
    case Outcome::Drop:
    case Outcome::Pass:
      EXPECT_EQ(r.output, s.frame) << "dropped and passed frames are left untouched";
      break;
    case Outcome::RefusedByKernel:
      break;
  }
}

class RelayTable : public ::testing::TestWithParam<RelayCase> {
 protected:
  static void SetUpTestSuite() {
    fixture_ = new DatapathFixture(loader::ObjectKind::Relay);
    if (!fixture_->ok()) return;
    fixture_->seedRelay();
    fixture_->addEgress(kSiteC, 64, kNotATunnelIfindex, kTunnelMtu, kSiteIdC);
    fixture_->addEgress(kSiteD, 64, kSlotTwinIfindex, kTunnelMtu, kSiteIdD);
    fixture_->addEgress(kOtherEdgeTunnelAddr, 128, kTunnelIfindex, kForeignMtu, kSiteIdForeignRoute);
    fixture_->addExactSite(kForeignExact64, kTunnelIfindex, kForeignMtu, kSiteIdForeignExact);
  }
  static void TearDownTestSuite() {
    delete fixture_;
    fixture_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(fixture_->ok()) << fixture_->error();
    // Rows never share a config: every row starts from the plan's.
    fixture_->setConfig(DatapathFixture::relayConfig());
  }
  static DatapathFixture* fixture_;
};
DatapathFixture* RelayTable::fixture_ = nullptr;

TEST_P(RelayTable, VerdictReasonAndOutput) {
  const auto& c = GetParam();
  for (size_t i = 0; i < c.steps.size(); ++i) runStep(*fixture_, c.steps[i], i);
}

INSTANTIATE_TEST_SUITE_P(Relay, RelayTable, ::testing::ValuesIn(allCases()),
                         [](const ::testing::TestParamInfo<RelayCase>& info) { return info.param.name; });

// Sanity of the table itself: the generated rows are all there.
TEST(RelayTableShape, CoversEveryIcmpTypeTwiceAndEveryHeaderByte) {
  EXPECT_EQ(icmpTypeCases().size(), 512u);
  EXPECT_GT(truncationCases().size(), 200u);
}

TEST(RelayNoConfig, PassesUntilUserspaceWritesAConfig) {
  DatapathFixture f(loader::ObjectKind::Relay);
  ASSERT_TRUE(f.ok()) << f.error();
  Bytes frame = eth(udp6(ip(kHostA, kHostB), 1, 22));
  auto r = f.run(kProgram, frame);
  ASSERT_EQ(r.error, 0);
  EXPECT_EQ(r.retval, static_cast<uint32_t>(TC_ACT_OK));
  EXPECT_EQ(r.output, frame);
  EXPECT_EQ(f.counter(MF_R_PASS_NO_CONFIG).packets, 1u);
  EXPECT_EQ(f.counter(MF_R_REJECT_POLICY).packets, 0u);
}

// Token buckets are per CPU: pin the test so every run uses one bucket.
class CpuPin {
 public:
  CpuPin() {
    sched_getaffinity(0, sizeof(saved_), &saved_);
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(sched_getcpu(), &one);
    sched_setaffinity(0, sizeof(one), &one);
  }
  ~CpuPin() { sched_setaffinity(0, sizeof(saved_), &saved_); }

 private:
  cpu_set_t saved_{};
};

class RelayIcmpRateLimit : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(f_.ok()) << f_.error();
    f_.seedRelay();
  }
  void limit(uint32_t rate, uint32_t burst) {
    mf_config c = DatapathFixture::relayConfig();
    c.icmp_rate = rate;
    c.icmp_burst = burst;
    f_.setConfig(c);
  }
  // Runs one rejected packet; true when an error came out.
  bool errorSent(const Bytes& frame) {
    auto r = f_.run(kProgram, frame);
    EXPECT_EQ(r.error, 0);
    if (r.retval == static_cast<uint32_t>(TC_ACT_REDIRECT)) {
      std::string why;
      EXPECT_TRUE(parseIcmp6Error(r.output, kL2, why).has_value()) << why;
      return true;
    }
    EXPECT_EQ(r.retval, static_cast<uint32_t>(TC_ACT_SHOT));
    EXPECT_EQ(r.output, frame);
    return false;
  }
  DatapathFixture f_{loader::ObjectKind::Relay};
};

TEST_F(RelayIcmpRateLimit, BurstThenSuppressedAndCounted) {
  CpuPin pin;
  limit(1, 3);  // one a second: nothing refills while the test runs
  Bytes frame = eth(tcp6(ip(kHostA, kHostB), 1, 22));
  int sent = 0;
  for (int i = 0; i < 3 + 5; ++i) sent += errorSent(frame) ? 1 : 0;
  EXPECT_EQ(sent, 3);
  EXPECT_EQ(f_.counter(MF_R_REJECT_POLICY).packets, 3u);
  EXPECT_EQ(f_.counter(MF_R_DROP_ICMP_RATELIMIT).packets, 5u);
  EXPECT_EQ(f_.counter(MF_R_DROP_ICMP_RATELIMIT).bytes, 5u * frame.size());
}

TEST_F(RelayIcmpRateLimit, EveryGeneratedErrorSharesTheBucket) {
  CpuPin pin;
  limit(1, 3);
  EXPECT_TRUE(errorSent(eth(udp6(ip(kHostA, kHostB, 1), 1, 58000))));              // time exceeded
  EXPECT_TRUE(errorSent(eth(udpOfL3Length(kHostA, kHostB, 58000, 1500))));         // packet too big
  EXPECT_TRUE(errorSent(eth(udp6(ip(kHostA, kNoSite), 1, 58000))));                // no egress
  EXPECT_FALSE(errorSent(eth(udp6(ip(kHostA, kHostB, 1), 1, 58000))));
  EXPECT_FALSE(errorSent(eth(udpOfL3Length(kHostA, kHostB, 58000, 1500))));
  EXPECT_FALSE(errorSent(eth(tcp6(ip(kHostA, kHostB), 1, 22))));
  EXPECT_EQ(f_.counter(MF_R_TIME_EXCEEDED).packets, 1u);
  EXPECT_EQ(f_.counter(MF_R_PACKET_TOO_BIG).packets, 1u);
  EXPECT_EQ(f_.counter(MF_R_REJECT_NO_EGRESS).packets, 1u);
  EXPECT_EQ(f_.counter(MF_R_DROP_ICMP_RATELIMIT).packets, 3u);
}

TEST_F(RelayIcmpRateLimit, ForwardingTakesNoToken) {
  CpuPin pin;
  limit(1, 1);
  for (int i = 0; i < 10; ++i) {
    auto r = f_.run(kProgram, eth(udp6(ip(kHostA, kHostB), 1, 58000)));
    EXPECT_EQ(r.retval, static_cast<uint32_t>(TC_ACT_REDIRECT));
  }
  EXPECT_TRUE(errorSent(eth(tcp6(ip(kHostA, kHostB), 1, 22))));
  EXPECT_FALSE(errorSent(eth(tcp6(ip(kHostA, kHostB), 1, 22))));
}

TEST_F(RelayIcmpRateLimit, RefillsOverTime) {
  CpuPin pin;
  limit(100, 1);  // a token every 10 ms
  Bytes frame = eth(tcp6(ip(kHostA, kHostB), 1, 22));
  EXPECT_TRUE(errorSent(frame));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(errorSent(frame));
}

TEST_F(RelayIcmpRateLimit, RateZeroIsUnlimited) {
  CpuPin pin;
  limit(0, 0);
  Bytes frame = eth(tcp6(ip(kHostA, kHostB), 1, 22));
  for (int i = 0; i < 50; ++i) EXPECT_TRUE(errorSent(frame));
  EXPECT_EQ(f_.counter(MF_R_DROP_ICMP_RATELIMIT).packets, 0u);
}

// Sampled reject events in mf_events, read as `meshfwd log` will.
class RelayEvents : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(f_.ok()) << f_.error();
    f_.seedRelay();
    reader_ = std::make_unique<RingbufReader>(f_.object().mapFd("mf_events"));
    ASSERT_TRUE(reader_->ok()) << reader_->error();
  }
  void configure(bool on, uint32_t rate, uint32_t burst) {
    mf_config c = DatapathFixture::relayConfig();
    if (on) c.flags |= MF_F_EVENTS;
    c.event_rate = rate;
    c.event_burst = burst;
    f_.setConfig(c);
  }
  std::vector<mf_event> events() {
    std::vector<mf_event> out;
    for (const auto& rec : reader_->drain()) {
      EXPECT_EQ(rec.size(), sizeof(mf_event));
      mf_event e{};
      std::memcpy(&e, rec.data(), std::min(rec.size(), sizeof e));
      out.push_back(e);
    }
    return out;
  }
  DatapathFixture f_{loader::ObjectKind::Relay};
  std::unique_ptr<RingbufReader> reader_;
};

In6 addrOf(const uint8_t (&a)[16]) {
  In6 x;
  std::memcpy(x.b.data(), a, 16);
  return x;
}

TEST_F(RelayEvents, RejectCarriesReasonAddressesAndPorts) {
  configure(true, 0, 0);
  Bytes frame = eth(tcp6(ip(kHostA, kHostB), 40000, 22));
  auto r = f_.run(kProgram, frame);
  ASSERT_EQ(r.retval, static_cast<uint32_t>(TC_ACT_REDIRECT));
  auto ev = events();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].reason, static_cast<uint32_t>(MF_R_REJECT_POLICY));
  EXPECT_EQ(addrOf(ev[0].saddr), kHostA);
  EXPECT_EQ(addrOf(ev[0].daddr), kHostB);
  EXPECT_EQ(ev[0].sport, htons(40000));
  EXPECT_EQ(ev[0].dport, htons(22));
  EXPECT_EQ(ev[0].l4proto, kProtoTcp);
  EXPECT_EQ(ev[0].len, frame.size() - kL2);
  EXPECT_EQ(ev[0].ifindex, if_nametoindex("lo"));  // BPF_PROG_TEST_RUN's device
  EXPECT_NE(ev[0].ts_ns, 0u);
}

TEST_F(RelayEvents, NoEgressRejectAndIcmpTypeCode) {
  configure(true, 0, 0);
  f_.run(kProgram, eth(udp6(ip(kHostA, kNoSite), 1234, 58000)));
  f_.run(kProgram, eth(icmp6(ip(kHostA, kHostB), 133, 0)));  // router solicitation: rejected
  auto ev = events();
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].reason, static_cast<uint32_t>(MF_R_REJECT_NO_EGRESS));
  EXPECT_EQ(addrOf(ev[0].daddr), kNoSite);
  EXPECT_EQ(ev[0].sport, htons(1234));
  EXPECT_EQ(ev[0].dport, htons(58000));
  EXPECT_EQ(ev[0].l4proto, kProtoUdp);
  EXPECT_EQ(ev[1].reason, static_cast<uint32_t>(MF_R_REJECT_POLICY));
  EXPECT_EQ(ev[1].sport, htons(133 << 8 | 0));  // ICMPv6: type << 8 | code
  EXPECT_EQ(ev[1].dport, 0);
  EXPECT_EQ(ev[1].l4proto, kProtoIcmp6);
}

TEST_F(RelayEvents, OnlyRejectsAreSampled) {
  configure(true, 0, 0);
  f_.run(kProgram, eth(udp6(ip(kHostA, kHostB), 1, 58000)));            // forward
  f_.run(kProgram, eth(icmp6(ip(kHostA, kHostB), 135, 0)));              // drop
  f_.run(kProgram, eth(udp6(ip(kHostA, kRelayTunnelAddr), 1, 51820)));   // pass
  f_.run(kProgram, eth(udp6(ip(kHostA, kHostB, 1), 1, 58000)));         // time exceeded
  EXPECT_TRUE(events().empty());
}

TEST_F(RelayEvents, OffUnlessEnabled) {
  configure(false, 0, 0);
  f_.run(kProgram, eth(tcp6(ip(kHostA, kHostB), 40000, 22)));
  EXPECT_TRUE(events().empty());
}

TEST_F(RelayEvents, LimitedByTheEventBucket) {
  CpuPin pin;
  configure(true, 1, 2);
  for (int i = 0; i < 5; ++i) {
    auto r = f_.run(kProgram, eth(tcp6(ip(kHostA, kHostB), 40000, 22)));
    EXPECT_EQ(r.retval, static_cast<uint32_t>(TC_ACT_REDIRECT)) << "events never limit the errors themselves";
  }
  EXPECT_EQ(events().size(), 2u);
  EXPECT_EQ(f_.counter(MF_R_REJECT_POLICY).packets, 5u);
}

}  // namespace
}  // namespace meshfwd::test
