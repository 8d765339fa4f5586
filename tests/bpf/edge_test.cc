// The edge programs (edge_lan_xdp, edge_lan_ingress, edge_tunnel_ingress)
// as a table, Katran style: input frame -> verdict, the one reason it is
// counted under, and what must leave: the frame untouched, the frame
// forwarded (hop limit - 1), or an ICMPv6 error read back by the
// independent parser in tests/support/icmp6_check. Cases that need a
// sequence of packets or kernel state (rate limit, the IPv4 FIB, the exact
// bytes of a hairpin reject) have their own suites below the table.
// docs/datapath-spec.md "Edge" is the specification.
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <sched.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <tuple>
#include <vector>

#include "loader/map_ops.h"
#include "tests/support/datapath_fixture.h"
#include "tests/support/icmp6_check.h"
#include "tests/support/packet.h"

namespace meshfwd::test {
namespace {

constexpr std::string_view kXdp = "edge_lan_xdp";
constexpr std::string_view kLan = "edge_lan_ingress";
constexpr std::string_view kTunnel = "edge_tunnel_ingress";

constexpr size_t kEth = 14;
constexpr uint32_t kEdgeSite = 0;  // the edge counts its own site as site 0

const In6 kInternet = In6::parse("2001:db8:5::1");
const In6 kUplinkAddr = In6::parse("2001:db8:1::2");  // the router's own uplink address (single NIC)
const In6 kRelayPublic = In6::parse("2001:db8:99::1");
const In6 kHostB2 = In6::parse("fd42:4242:4242:b::21");
const In6 kLinkLocal2 = In6::parse("fe80::2");
const In6 kAllNodes = In6::parse("ff02::1");
const In6 kAllRouters = In6::parse("ff02::2");
const In6 kVrrpGroup = In6::parse("ff02::12");
const In6 kMldv2Group = In6::parse("ff02::16");
const In6 kGlobalMulticast = In6::parse("ff0e::1");
constexpr Mac kHostMac{0x02, 0x00, 0x00, 0x00, 0x0a, 0x10};
constexpr Mac kOtherRouterMac{0x02, 0x00, 0x00, 0x00, 0x00, 0x99};
constexpr Mac kBroadcastMac{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
constexpr Mac kSolicitedNodeMac{0x33, 0x33, 0xff, 0x00, 0x00, 0x11};
constexpr Mac kTunnelFakeMac{0x02, 0x00, 0x00, 0x00, 0x00, 0x07};
constexpr uint16_t kEtherIpv4 = 0x0800;
constexpr uint16_t kEtherIpv6 = 0x86dd;
constexpr uint16_t kEtherArp = 0x0806;

// ----- packet shorthands ----------------------------------------------------

Bytes concat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

Bytes lan(const Bytes& l3, const Mac& dstMac = kRouterMac, uint16_t ethertype = kEtherIpv6) {
  return withEthernet(l3, dstMac, kHostMac, ethertype);
}

// BPF_PROG_TEST_RUN frames TC input as Ethernet, so the tunnel program runs
// with l2_len_tunnel 14 and these placeholder addresses.
Bytes tun(const Bytes& l3, uint16_t ethertype = kEtherIpv6) {
  return withEthernet(l3, kTunnelFakeMac, kTunnelFakeMac, ethertype);
}

Bytes udpTo(const In6& src, const In6& dst, uint8_t hopLimit = 64, size_t payload = 32,
            const std::vector<ExtHeader>& exts = {}) {
  Ipv6Header ip{src, dst, hopLimit};
  return ipv6Packet(ip, exts, kProtoUdp, udpSegment(src, dst, 40000, 58000, payloadBytes(payload)));
}

Bytes tcpTo(const In6& src, const In6& dst) { return tcp6({src, dst}, 40000, 443); }

Bytes icmpTo(const In6& src, const In6& dst, uint8_t type, uint8_t hopLimit = 64,
             const std::vector<ExtHeader>& exts = {}) {
  Ipv6Header ip{src, dst, hopLimit};
  return ipv6Packet(ip, exts, kProtoIcmp6, icmp6Message(src, dst, type, 0, Bytes(20, 0)));
}

// An ICMPv6 error (type < 128) quoting a packet `dst` sent, `l3Len` bytes
// in all (at least 96).
Bytes icmpErrorTo(const In6& src, const In6& dst, uint8_t type, uint8_t hopLimit = 64, size_t l3Len = 96) {
  Bytes quote = udpTo(dst, kHostB, 64, l3Len - 40 - 8 - 48);
  Ipv6Header ip{src, dst, hopLimit};
  return ipv6Packet(ip, {}, kProtoIcmp6, icmp6Message(src, dst, type, 0, concat(Bytes(4, 0), quote)));
}

// A UDP packet whose whole length, IPv6 header included, is l3Len.
Bytes udpOfLength(const In6& src, const In6& dst, size_t l3Len, uint8_t hopLimit = 64) {
  return udpTo(src, dst, hopLimit, l3Len - 40 - 8);
}

// A VRRPv3 advertisement (RFC 9568 5.1): version 3, type 1, VRID 42,
// priority 100, one address, interval 1 s; then the link-local VIP.
Bytes vrrpTo(const In6& src, const In6& dst) {
  // Sized up front: gcc 12 misreads insert() into a vector built from an
  // initializer list as an out-of-bounds copy (-Warray-bounds).
  Bytes msg(8 + 16, 0);
  const uint8_t header[8] = {0x31, 42, 100, 1, 0x00, 100, 0, 0};
  std::copy(std::begin(header), std::end(header), msg.begin());
  std::copy(kLinkLocal.b.begin(), kLinkLocal.b.end(), msg.begin() + 8);
  Ipv6Header ip{src, dst, 255};
  return ipv6Packet(ip, {}, kProtoVrrp, msg);
}

// MLD with the hop-by-hop router alert it always carries (RFC 2711).
Bytes mldTo(const In6& src, const In6& dst, uint8_t type) {
  ExtHeader routerAlert{kProtoHopByHop, {5, 2, 0, 0, 1, 0}};  // router alert (MLD), PadN 0
  Ipv6Header ip{src, dst, 1};
  return ipv6Packet(ip, {routerAlert}, kProtoIcmp6, icmp6Message(src, dst, type, 0, Bytes(20, 0)));
}

Bytes cut(Bytes frame, size_t length) {
  frame.resize(length);
  return frame;
}

Bytes withVersion(Bytes frame, size_t l2, uint8_t version) {
  frame[l2] = static_cast<uint8_t>((version << 4) | (frame[l2] & 0x0f));
  return frame;
}

Bytes withPayloadLength(Bytes frame, size_t l2, uint16_t length) {
  frame[l2 + 4] = static_cast<uint8_t>(length >> 8);
  frame[l2 + 5] = static_cast<uint8_t>(length);
  return frame;
}

Bytes hopDecremented(Bytes frame, size_t l2) {
  frame[l2 + 7]--;
  return frame;
}

// ----- the table ------------------------------------------------------------

// How the maps differ from DatapathFixture::seedEdge() for one case.
enum class Setup {
  Default,              // seedEdge() plus the uplink address as local
  NoSourceValidation,   // flags without MF_F_SOURCE_VALIDATION
  Backup,               // VRRP master flag off
  NoConfig,             // nothing written
  RelayRole,            // a relay's config in the maps
  TunnelL3,             // l2_len_tunnel 0: the packet starts at the IPv6 header
  TunnelBadL2,          // l2_len_tunnel neither 0 nor 14
};

enum class Expect {
  Unchanged,      // passed to the stack: the frame as it came
  Forwarded,      // hop limit - 1, nothing else changed
  ForwardedL3,    // tunnel L3 mode: dummy Ethernet header + hop limit - 1
  Error,          // an ICMPv6 error about the frame, Ethernet addresses swapped
  Dropped,        // nothing leaves
};

struct EdgeCase {
  std::string name;  // gtest parameter name: letters, digits, underscores
  std::string description;
  std::string_view program;
  Bytes frame;
  uint32_t verdict;
  uint32_t reason;
  Expect expect;
  uint8_t icmpType = 0;
  uint8_t icmpCode = 0;
  uint32_t icmpParam = 0;
  Setup setup = Setup::Default;
  int siteDirection = -1;  // MF_DIR_* counted for site 0, -1: none
};

class CaseList {
 public:
  void pass(std::string name, std::string description, std::string_view program, Bytes frame, uint32_t reason,
            Setup setup = Setup::Default) {
    add({std::move(name), std::move(description), program, std::move(frame), passVerdict(program), reason,
         Expect::Unchanged, 0, 0, 0, setup});
  }
  void drop(std::string name, std::string description, std::string_view program, Bytes frame, uint32_t reason,
            Setup setup = Setup::Default) {
    add({std::move(name), std::move(description), program, std::move(frame),
         program == kXdp ? uint32_t{XDP_DROP} : uint32_t{TC_ACT_SHOT}, reason, Expect::Dropped, 0, 0, 0, setup});
  }
  void forward(std::string name, std::string description, std::string_view program, Bytes frame, uint32_t reason,
               Setup setup = Setup::Default) {
    int dir = program == kLan ? MF_DIR_FROM_SITE : MF_DIR_TO_SITE;
    add({std::move(name), std::move(description), program, std::move(frame), TC_ACT_REDIRECT, reason,
         setup == Setup::TunnelL3 ? Expect::ForwardedL3 : Expect::Forwarded, 0, 0, 0, setup, dir});
  }
  void error(std::string name, std::string description, std::string_view program, Bytes frame, uint32_t reason,
             uint8_t type, uint8_t code, uint32_t param = 0, Setup setup = Setup::Default) {
    add({std::move(name), std::move(description), program, std::move(frame),
         program == kXdp ? uint32_t{XDP_TX} : uint32_t{TC_ACT_REDIRECT}, reason, Expect::Error, type, code, param,
         setup});
  }
  std::vector<EdgeCase> take() { return std::move(cases_); }

 private:
  static uint32_t passVerdict(std::string_view program) {
    return program == kXdp ? uint32_t{XDP_PASS} : uint32_t{TC_ACT_OK};
  }
  void add(EdgeCase c) { cases_.push_back(std::move(c)); }
  std::vector<EdgeCase> cases_;
};

void addXdpCases(CaseList& c) {
  // E1: the hairpin, answered in XDP.
  c.error("hairpin_udp", "LAN host to a neighbour in the site /64 through the router", kXdp,
          lan(udpTo(kHostA, kHostA2)), MF_E_REJECT_HAIRPIN, 1, 4);
  c.error("hairpin_tcp", "TCP hairpin", kXdp, lan(tcpTo(kHostA, kHostA2)), MF_E_REJECT_HAIRPIN, 1, 4);
  c.error("hairpin_echo", "echo request hairpin: informational, gets the error", kXdp,
          lan(icmpTo(kHostA, kHostA2, 128)), MF_E_REJECT_HAIRPIN, 1, 4);
  c.error("hairpin_ext_headers", "hairpin behind hop-by-hop and destination options", kXdp,
          lan(udpTo(kHostA, kHostA2, 64, 32, {hopByHopHeader(), destOptsHeader()})), MF_E_REJECT_HAIRPIN, 1, 4);
  c.error("hairpin_first_fragment", "first fragment of a hairpin datagram", kXdp,
          lan(udpTo(kHostA, kHostA2, 64, 32, {fragmentHeader(0, true, 7)})), MF_E_REJECT_HAIRPIN, 1, 4);
  c.error("hairpin_big", "1500-byte hairpin: the quote is cut to fit 1280", kXdp,
          lan(udpOfLength(kHostA, kHostA2, 1500)), MF_E_REJECT_HAIRPIN, 1, 4);
  c.error("hairpin_hop2", "hop limit 2 is still forwarded, so rejected", kXdp, lan(udpTo(kHostA, kHostA2, 2)),
          MF_E_REJECT_HAIRPIN, 1, 4);
  c.error("hairpin_hop1", "hop limit 1: time exceeded, as the kernel answers before its filter", kXdp,
          lan(udpTo(kHostA, kHostA2, 1)), MF_E_TIME_EXCEEDED, 3, 0);
  c.error("hairpin_hop0", "hop limit 0: time exceeded", kXdp, lan(udpTo(kHostA, kHostA2, 0)), MF_E_TIME_EXCEEDED,
          3, 0);
  c.drop("hairpin_icmp_error", "never an error about an ICMPv6 error", kXdp,
         lan(icmpErrorTo(kHostA, kHostA2, 1)), MF_E_DROP_ICMP_ERROR);
  c.drop("hairpin_icmp_error_ptb", "packet too big is an error too", kXdp, lan(icmpErrorTo(kHostA, kHostA2, 2)),
         MF_E_DROP_ICMP_ERROR);
  c.drop("hairpin_icmp_error_hop1", "no time exceeded about an error either", kXdp,
         lan(icmpErrorTo(kHostA, kHostA2, 3, 1)), MF_E_DROP_ICMP_ERROR);
  c.error("hairpin_later_fragment", "a later fragment's type is not visible: it gets the error", kXdp,
          lan(icmpTo(kHostA, kHostA2, 1, 64, {fragmentHeader(10, false, 7)})), MF_E_REJECT_HAIRPIN, 1, 4);
  c.error("hairpin_no_validation", "BCP 38 off: a foreign source gets the reject", kXdp,
          lan(udpTo(kInternet, kHostA2)), MF_E_REJECT_HAIRPIN, 1, 4, 0, Setup::NoSourceValidation);

  // VRRP MAC awareness.
  c.error("vmac_master", "to the virtual MAC while master: acted on", kXdp, lan(udpTo(kHostA, kHostA2), kVirtualMac),
          MF_E_REJECT_HAIRPIN, 1, 4);
  c.pass("vmac_backup", "to the virtual MAC while backup: the master's business", kXdp,
         lan(udpTo(kHostA, kHostA2), kVirtualMac), MF_E_PASS_NOT_OURS, Setup::Backup);
  c.error("router_mac_backup", "to our own MAC while backup: still ours", kXdp, lan(udpTo(kHostA, kHostA2)),
          MF_E_REJECT_HAIRPIN, 1, 4, 0, Setup::Backup);
  c.pass("other_router_mac", "to another router's MAC on a flooding bridge", kXdp,
         lan(udpTo(kHostA, kHostA2), kOtherRouterMac), MF_E_PASS_NOT_OURS);
  c.pass("broadcast_mac", "broadcast frame", kXdp, lan(udpTo(kHostA, kHostA2), kBroadcastMac), MF_E_PASS_NOT_OURS);
  c.pass("spoofed_other_mac", "a spoofed source to someone else's MAC is not ours to judge", kXdp,
         lan(udpTo(kInternet, kHostB), kOtherRouterMac), MF_E_PASS_NOT_OURS);

  // BCP 38.
  c.drop("spoofed_internet_src", "source outside the site /64 into the mesh", kXdp, lan(udpTo(kInternet, kHostB)),
         MF_E_DROP_SPOOFED);
  c.drop("spoofed_other_site_src", "another site's source into the mesh", kXdp, lan(udpTo(kHostB2, kHostB)),
         MF_E_DROP_SPOOFED);
  c.drop("spoofed_no_site_src", "a /48 source with no site", kXdp, lan(udpTo(kNoSite, kHostB)), MF_E_DROP_SPOOFED);
  c.drop("spoofed_hairpin", "spoofed hairpin: dropped, no error to a forged address", kXdp,
         lan(udpTo(kHostB2, kHostA2)), MF_E_DROP_SPOOFED);
  c.pass("spoofed_validation_off", "BCP 38 off: on to the TC fast path", kXdp, lan(udpTo(kInternet, kHostB)),
         MF_E_PASS_TO_TC, Setup::NoSourceValidation);
  c.pass("spoofed_outside_mesh", "BCP 38 guards the mesh only: to the internet it is TC's E4", kXdp,
         lan(udpTo(kInternet, kInternet)), MF_E_PASS_NOT_FORWARDED);

  // E2 is TC's: XDP hands it on untouched.
  c.pass("mesh_udp", "site A to site B", kXdp, lan(udpTo(kHostA, kHostB)), MF_E_PASS_TO_TC);
  c.pass("mesh_no_site", "to a /48 address without a site", kXdp, lan(udpTo(kHostA, kNoSite)), MF_E_PASS_TO_TC);
  c.pass("mesh_hop1", "hop limit 1 into the mesh: TC answers it", kXdp, lan(udpTo(kHostA, kHostB, 1)),
         MF_E_PASS_TO_TC);
  c.pass("mesh_ext_headers", "routing header on the way into the mesh", kXdp,
         lan(udpTo(kHostA, kHostB, 64, 32, {routingHeader()})), MF_E_PASS_TO_TC);
  c.pass("outside_mesh", "just outside the /48", kXdp, lan(udpTo(kHostA, kOutside)), MF_E_PASS_NOT_FORWARDED);
  c.pass("internet", "to the internet via our MAC", kXdp, lan(udpTo(kHostA, kInternet)), MF_E_PASS_NOT_FORWARDED);
  c.pass("ipv4", "IPv4 is judged by TC", kXdp,
         lan(udp4({192, 168, 1, 10}, {192, 168, 1, 1}, 5000, 53, Bytes(8, 0)), kRouterMac, kEtherIpv4),
         MF_E_PASS_NOT_FORWARDED);
  c.pass("arp", "not IP", kXdp, lan(payloadBytes(28), kRouterMac, kEtherArp), MF_E_PASS_OTHER);
  c.pass("bad_version", "IPv6 EtherType, version 4 header", kXdp, withVersion(lan(udpTo(kHostA, kHostB)), kEth, 4),
         MF_E_PASS_OTHER);
}

// The pass-through classes, the same for the XDP and the LAN TC program.
void addLanPassThroughCases(CaseList& c, std::string_view prog, const std::string& tag, uint32_t passLocal,
                            uint32_t passControl, uint32_t passNotOurs) {
  auto n = [&tag](const std::string& s) { return tag + "_" + s; };
  // ND, RA, RS, redirect: the usual multicast ones are not even to our MAC.
  c.pass(n("ns_multicast"), "NS to a solicited-node group", prog,
         lan(icmpTo(kHostA, In6::parse("ff02::1:ff00:11"), 135, 255), kSolicitedNodeMac), passNotOurs);
  c.pass(n("ns_to_self"), "unicast NUD probe of our own address", prog, lan(icmpTo(kHostA, kEdgeLanAddr, 135, 255)),
         passLocal);
  c.pass(n("ns_link_local"), "unicast NS between link-local addresses", prog,
         lan(icmpTo(kLinkLocal2, kLinkLocal, 135, 255)), passLocal);
  c.pass(n("ns_global_unicast"), "NS to our MAC for someone else's global address", prog,
         lan(icmpTo(kHostA, kHostA2, 135, 255)), passControl);
  c.pass(n("na_global_unicast"), "NA to our MAC about a mesh address", prog, lan(icmpTo(kHostA, kHostB, 136, 255)),
         passControl);
  c.pass(n("rs_all_routers"), "RS to all-routers with our MAC", prog, lan(icmpTo(kHostA, kAllRouters, 133, 255)),
         passLocal);
  c.pass(n("rs_unicast_mesh"), "RS to a mesh address", prog, lan(icmpTo(kHostA, kHostB, 133, 255)), passControl);
  c.pass(n("ra_unicast_site"), "RA to a site address", prog, lan(icmpTo(kHostA, kHostA2, 134, 255)), passControl);
  c.pass(n("ra_all_nodes"), "RA to all-nodes", prog, lan(icmpTo(kLinkLocal2, kAllNodes, 134, 255)), passLocal);
  c.pass(n("redirect_unicast"), "redirect to a mesh address", prog, lan(icmpTo(kHostA, kHostB, 137, 255)),
         passControl);
  // MLD (with its hop-by-hop router alert) and VRRP.
  c.pass(n("mld_report_group"), "MLDv2 report to ff02::16", prog, lan(mldTo(kLinkLocal2, kMldv2Group, 143)),
         passLocal);
  for (uint8_t t : {130, 131, 132, 143}) {
    c.pass(n("mld" + std::to_string(t) + "_unicast"), "MLD type " + std::to_string(t) + " to a mesh address",
           prog, lan(mldTo(kHostA, kHostB, t)), passControl);
  }
  c.pass(n("vrrp_group"), "VRRP advertisement to ff02::12", prog, lan(vrrpTo(kLinkLocal2, kVrrpGroup)), passLocal);
  c.pass(n("vrrp_unicast_mesh"), "unicast VRRP to a mesh address", prog, lan(vrrpTo(kHostA, kHostB)), passControl);
  c.pass(n("vrrp_spoofed_src"), "VRRP from outside the site: still the daemon's, not BCP 38's", prog,
         lan(vrrpTo(kInternet, kHostB)), passControl);
  // Link-local, multicast, to-self.
  c.pass(n("link_local_src"), "link-local source to the mesh", prog, lan(udpTo(kLinkLocal2, kHostB)), passLocal);
  c.pass(n("link_local_dst"), "to a link-local address", prog, lan(udpTo(kHostA, kLinkLocal)), passLocal);
  c.pass(n("multicast_dst"), "to a global multicast group", prog, lan(udpTo(kHostA, kGlobalMulticast)), passLocal);
  c.pass(n("to_self_lan"), "to the router's LAN address", prog, lan(udpTo(kHostA, kEdgeLanAddr)), passLocal);
  c.pass(n("to_self_hop1"), "to the router itself with hop limit 1: no time exceeded", prog,
         lan(udpTo(kHostA, kEdgeLanAddr, 1)), passLocal);
  c.pass(n("to_self_uplink_wireguard"), "single NIC: the WireGuard outer UDP to our uplink address", prog,
         lan(udpTo(kRelayPublic, kUplinkAddr, 50)), passLocal);
  c.pass(n("to_self_spoofed_src"), "to the router from outside the site: the input path's", prog,
         lan(udpTo(kInternet, kEdgeLanAddr)), passLocal);
  c.pass(n("to_self_chain"), "to the router with a long extension chain: the kernel's", prog,
         lan(udpTo(kHostA, kEdgeLanAddr, 64, 8, std::vector<ExtHeader>(MF_EXTHDR_MAX + 1, destOptsHeader()))),
         passLocal);
}

// Cut at every header boundary and inside every header, and a payload
// length that promises more than the frame holds.
void addTruncationCases(CaseList& c, std::string_view prog, const std::string& tag, uint32_t dropTruncated,
                        uint32_t dropChain, const Bytes& l3Into, std::function<Bytes(const Bytes&)> frame) {
  auto n = [&tag](const std::string& s) { return tag + "_" + s; };
  Bytes full = frame(l3Into);  // IPv6(40) + hop-by-hop(8) + dest opts(8) + UDP(8) + 32
  size_t l2 = full.size() - l3Into.size();
  for (size_t l3 : {0, 1, 20, 39, 40, 41, 47, 48, 55, 56, 60, 63, 64, 80, 95}) {
    // BPF_PROG_TEST_RUN refuses TC input whose IP header is incomplete, so
    // those cuts are for the XDP program only (TC sees them in L3 mode).
    if (prog != kXdp && l3 < 40) continue;
    c.drop(n("cut_l3_" + std::to_string(l3)), "cut " + std::to_string(l3) + " bytes into the IPv6 packet", prog,
           cut(full, l2 + l3), dropTruncated);
  }
  // The same cuts with a payload length that agrees: the walk itself must
  // notice the missing header bytes.
  for (size_t l3 : {40, 41, 47, 48, 55, 56, 60, 63}) {
    c.drop(n("cut_consistent_l3_" + std::to_string(l3)),
           "cut " + std::to_string(l3) + " bytes in, payload length agreeing", prog,
           withPayloadLength(cut(full, l2 + l3), l2, static_cast<uint16_t>(l3 - 40)), dropTruncated);
  }
  c.drop(n("payload_len_long"), "payload length one byte beyond the packet", prog,
         withPayloadLength(full, l2, static_cast<uint16_t>(l3Into.size() - 40 + 1)), dropTruncated);
  c.drop(n("chain_too_long"), "more extension headers than the walk takes", prog,
         frame(udpTo(kHostA, kHostB, 64, 8, std::vector<ExtHeader>(MF_EXTHDR_MAX + 1, destOptsHeader()))),
         dropChain);
  Bytes icmpHeaderCut = frame(ipv6Packet({kHostA, kHostB}, {}, kProtoIcmp6, {128, 0, 0, 0, 0, 0, 0}));
  c.drop(n("icmp_header_cut"), "7 bytes of ICMPv6 header", prog, icmpHeaderCut, dropTruncated);
}

void addLanTcCases(CaseList& c) {
  // E2: into the mesh, redirected into the tunnel.
  c.forward("e2_udp", "site A to site B", kLan, lan(udpTo(kHostA, kHostB)), MF_T_FWD_TO_TUNNEL);
  c.forward("e2_tcp", "TCP into the mesh", kLan, lan(tcpTo(kHostA, kHostB)), MF_T_FWD_TO_TUNNEL);
  c.forward("e2_echo", "echo request into the mesh", kLan, lan(icmpTo(kHostA, kHostB, 128)), MF_T_FWD_TO_TUNNEL);
  c.forward("e2_icmp_error", "an ICMPv6 error into the mesh: the relay judges related", kLan,
            lan(icmpErrorTo(kHostA, kHostB, 1)), MF_T_FWD_TO_TUNNEL);
  c.forward("e2_no_site", "a /48 address with no site: the relay rejects it", kLan, lan(udpTo(kHostA, kNoSite)),
            MF_T_FWD_TO_TUNNEL);
  c.forward("e2_ext_headers", "hop-by-hop, routing and destination options", kLan,
            lan(udpTo(kHostA, kHostB, 64, 32, {hopByHopHeader(), routingHeader(), destOptsHeader()})),
            MF_T_FWD_TO_TUNNEL);
  c.forward("e2_later_fragment", "a later fragment follows its addresses", kLan,
            lan(udpTo(kHostA, kHostB, 64, 32, {fragmentHeader(100, false, 9)})), MF_T_FWD_TO_TUNNEL);
  c.forward("e2_vmac_master", "to the virtual MAC while master", kLan, lan(udpTo(kHostA, kHostB), kVirtualMac),
            MF_T_FWD_TO_TUNNEL);
  c.pass("e2_vmac_backup", "to the virtual MAC while backup: untouched", kLan,
         lan(udpTo(kHostA, kHostB), kVirtualMac), MF_T_PASS_NOT_OURS, Setup::Backup);
  c.forward("e2_router_mac_backup", "to our own MAC while backup", kLan, lan(udpTo(kHostA, kHostB)),
            MF_T_FWD_TO_TUNNEL, Setup::Backup);
  c.pass("e2_other_mac", "to another router's MAC", kLan, lan(udpTo(kHostA, kHostB), kOtherRouterMac),
         MF_T_PASS_NOT_OURS);
  c.forward("e2_hop2", "hop limit 2 leaves with 1", kLan, lan(udpTo(kHostA, kHostB, 2)), MF_T_FWD_TO_TUNNEL);
  c.error("e2_hop1", "hop limit 1: time exceeded back onto the LAN", kLan, lan(udpTo(kHostA, kHostB, 1)),
          MF_T_TIME_EXCEEDED, 3, 0);
  c.error("e2_hop0", "hop limit 0", kLan, lan(udpTo(kHostA, kHostB, 0)), MF_T_TIME_EXCEEDED, 3, 0);
  c.drop("e2_hop1_icmp_error", "hop limit 1 on an ICMPv6 error: silence", kLan,
         lan(icmpErrorTo(kHostA, kHostB, 4, 1)), MF_T_DROP_ICMP_ERROR);
  c.error("e2_vmac_hop1", "time exceeded from the virtual MAC", kLan, lan(udpTo(kHostA, kHostB, 1), kVirtualMac),
          MF_T_TIME_EXCEEDED, 3, 0);

  // MTU: against the tunnel's, with packet too big carrying it.
  c.forward("e2_mtu_exact", "L3 length equal to the tunnel MTU", kLan,
            lan(udpOfLength(kHostA, kHostB, kTunnelMtu)), MF_T_FWD_TO_TUNNEL);
  c.error("e2_mtu_plus1", "one byte above the tunnel MTU", kLan, lan(udpOfLength(kHostA, kHostB, kTunnelMtu + 1)),
          MF_T_PACKET_TOO_BIG, 2, 0, kTunnelMtu);
  c.error("e2_mtu_1500", "a full Ethernet frame: the quote is cut to fit 1280", kLan,
          lan(udpOfLength(kHostA, kHostB, 1500)), MF_T_PACKET_TOO_BIG, 2, 0, kTunnelMtu);
  c.drop("e2_mtu_icmp_error", "too big, but an ICMPv6 error: silence", kLan,
         lan(icmpErrorTo(kHostA, kHostB, 1, 64, 1500)), MF_T_DROP_ICMP_ERROR);
  c.error("e2_mtu_hop1", "too big and hop limit 1: time exceeded comes first", kLan,
          lan(udpOfLength(kHostA, kHostB, 1500, 1)), MF_T_TIME_EXCEEDED, 3, 0);

  // BCP 38 here too: TC does not count on XDP having run.
  c.drop("e2_spoofed", "foreign source into the mesh", kLan, lan(udpTo(kInternet, kHostB)), MF_T_DROP_SPOOFED);
  c.drop("e2_spoofed_hop1", "spoofed with hop limit 1: no error to a forged address", kLan,
         lan(udpTo(kHostB2, kHostB, 1)), MF_T_DROP_SPOOFED);
  c.forward("e2_spoofed_validation_off", "BCP 38 off", kLan, lan(udpTo(kInternet, kHostB)), MF_T_FWD_TO_TUNNEL,
            Setup::NoSourceValidation);

  // E1 again, for a frame XDP did not answer.
  c.error("e1_hairpin", "hairpin reaching TC: port unreachable back onto the LAN", kLan,
          lan(udpTo(kHostA, kHostA2)), MF_T_REJECT_HAIRPIN, 1, 4);
  c.error("e1_hairpin_hop1", "hairpin with hop limit 1", kLan, lan(udpTo(kHostA, kHostA2, 1)), MF_T_TIME_EXCEEDED,
          3, 0);
  c.drop("e1_hairpin_icmp_error", "hairpin of an ICMPv6 error", kLan, lan(icmpErrorTo(kHostA, kHostA2, 1)),
         MF_T_DROP_ICMP_ERROR);

  // E4: anything else that would be forwarded.
  c.error("e4_internet", "to the internet via our MAC", kLan, lan(udpTo(kHostA, kInternet)), MF_T_REJECT_OTHER, 1, 4);
  c.error("e4_outside_mesh", "just outside the /48", kLan, lan(tcpTo(kHostA, kOutside)), MF_T_REJECT_OTHER, 1, 4);
  c.error("e4_foreign_src", "BCP 38 is for the mesh: a foreign source to the internet is rejected", kLan,
          lan(udpTo(kInternet, kInternet)), MF_T_REJECT_OTHER, 1, 4);
  c.error("e4_hop1", "hop limit 1 to the internet: time exceeded", kLan, lan(udpTo(kHostA, kInternet, 1)),
          MF_T_TIME_EXCEEDED, 3, 0);
  c.error("e4_big", "big packets to the internet: no MTU check, port unreachable", kLan,
          lan(udpOfLength(kHostA, kInternet, 1500)), MF_T_REJECT_OTHER, 1, 4);
  c.drop("e4_icmp_error", "an ICMPv6 error to the internet: silence", kLan, lan(icmpErrorTo(kHostA, kInternet, 3)),
         MF_T_DROP_ICMP_ERROR);

  // IPv4 that needs no FIB answer (the FIB cases are EdgeIpv4 below).
  c.pass("ipv4_multicast", "IPv4 to a multicast group", kLan,
         lan(udp4({192, 168, 1, 10}, {224, 0, 0, 251}, 5353, 5353, Bytes(8, 0)), kRouterMac, kEtherIpv4),
         MF_T_PASS_LOCAL);
  c.pass("ipv4_broadcast", "IPv4 limited broadcast", kLan,
         lan(udp4({0, 0, 0, 0}, {255, 255, 255, 255}, 68, 67, Bytes(8, 0)), kRouterMac, kEtherIpv4),
         MF_T_PASS_LOCAL);
  c.pass("ipv4_dhcp_offer", "DHCP offer to an address the router does not hold yet", kLan,
         lan(udp4({192, 168, 1, 1}, {192, 168, 1, 77}, 67, 68, Bytes(240, 0)), kRouterMac, kEtherIpv4),
         MF_T_PASS_LOCAL);
  Bytes ihl4 = lan(udp4({192, 168, 1, 10}, {8, 8, 8, 8}, 5000, 53, Bytes(8, 0)), kRouterMac, kEtherIpv4);
  ihl4[kEth] = 0x44;
  c.drop("ipv4_ihl4", "IPv4 header length below 20 bytes", kLan, ihl4, MF_T_DROP_TRUNCATED);
  c.pass("ipv4_other_mac", "IPv4 to another MAC", kLan,
         lan(udp4({192, 168, 1, 10}, {8, 8, 8, 8}, 5000, 53, Bytes(8, 0)), kOtherRouterMac, kEtherIpv4),
         MF_T_PASS_NOT_OURS);

  c.pass("arp", "not IP", kLan, lan(payloadBytes(28), kRouterMac, kEtherArp), MF_T_PASS_OTHER);
  c.pass("bad_version", "IPv6 EtherType, version 4 header", kLan, withVersion(lan(udpTo(kHostA, kHostB)), kEth, 4),
         MF_T_PASS_OTHER);
}

void addTunnelCases(CaseList& c) {
  // E3: into the site /64, out to the LAN.
  c.forward("e3_udp", "site B to site A", kTunnel, tun(udpTo(kHostB, kHostA)), MF_T_FWD_TO_LAN);
  c.forward("e3_tcp", "TCP into the site", kTunnel, tun(tcpTo(kHostB, kHostA)), MF_T_FWD_TO_LAN);
  c.forward("e3_icmp_error", "an error the relay let through", kTunnel, tun(icmpErrorTo(kHostB, kHostA, 2)),
            MF_T_FWD_TO_LAN);
  c.forward("e3_echo_reply", "echo reply", kTunnel, tun(icmpTo(kHostB, kHostA, 129)), MF_T_FWD_TO_LAN);
  c.forward("e3_ra_unicast", "no control hand-off from the tunnel: forwarded as E3", kTunnel,
            tun(icmpTo(kHostB, kHostA, 134, 255)), MF_T_FWD_TO_LAN);
  c.forward("e3_ext_headers", "extension headers", kTunnel,
            tun(udpTo(kHostB, kHostA, 64, 32, {hopByHopHeader(), destOptsHeader()})), MF_T_FWD_TO_LAN);
  c.forward("e3_hop2", "hop limit 2 leaves with 1", kTunnel, tun(udpTo(kHostB, kHostA, 2)), MF_T_FWD_TO_LAN);
  c.forward("e3_big", "no MTU check towards the LAN", kTunnel, tun(udpOfLength(kHostB, kHostA, 1500)),
            MF_T_FWD_TO_LAN);
  c.forward("e3_foreign_src", "sources are the relay's to check", kTunnel, tun(udpTo(kInternet, kHostA)),
            MF_T_FWD_TO_LAN);
  c.error("e3_hop1", "hop limit 1: time exceeded back into the tunnel", kTunnel, tun(udpTo(kHostB, kHostA, 1)),
          MF_T_TIME_EXCEEDED, 3, 0);
  c.error("e3_hop0", "hop limit 0", kTunnel, tun(udpTo(kHostB, kHostA, 0)), MF_T_TIME_EXCEEDED, 3, 0);
  c.drop("e3_hop1_icmp_error", "hop limit 1 on an error: silence", kTunnel,
         tun(icmpErrorTo(kHostB, kHostA, 1, 1)), MF_T_DROP_ICMP_ERROR);

  // E4 from the tunnel.
  c.error("e4_other_site", "to another site's /64", kTunnel, tun(udpTo(kHostB, kHostB2)), MF_T_REJECT_OTHER, 1, 4);
  c.error("e4_no_site", "to a /48 address with no site", kTunnel, tun(udpTo(kHostB, kNoSite)), MF_T_REJECT_OTHER,
          1, 4);
  c.error("e4_internet", "to the internet", kTunnel, tun(udpTo(kHostB, kInternet)), MF_T_REJECT_OTHER, 1, 4);
  c.error("e4_big", "1500 bytes: the quote is cut to fit 1280", kTunnel, tun(udpOfLength(kHostB, kInternet, 1500)),
          MF_T_REJECT_OTHER, 1, 4);
  c.error("e4_hop1", "hop limit 1 comes first", kTunnel, tun(udpTo(kHostB, kInternet, 1)), MF_T_TIME_EXCEEDED, 3,
          0);
  c.drop("e4_icmp_error", "an error to elsewhere: silence", kTunnel, tun(icmpErrorTo(kHostB, kInternet, 1)),
         MF_T_DROP_ICMP_ERROR);

  // The router's own traffic.
  c.pass("to_self", "to the router's LAN address", kTunnel, tun(udpTo(kHostB, kEdgeLanAddr)), MF_T_PASS_LOCAL);
  c.pass("to_self_hop1", "to the router with hop limit 1", kTunnel, tun(icmpTo(kHostB, kEdgeLanAddr, 128, 1)),
         MF_T_PASS_LOCAL);
  c.pass("multicast", "multicast", kTunnel, tun(udpTo(kHostB, kAllNodes)), MF_T_PASS_LOCAL);
  c.pass("link_local_src", "link-local source", kTunnel, tun(udpTo(kLinkLocal2, kHostA)), MF_T_PASS_LOCAL);
  c.pass("link_local_dst", "link-local destination", kTunnel, tun(udpTo(kHostB, kLinkLocal)), MF_T_PASS_LOCAL);

  // Not IPv6.
  c.drop("ipv4", "IPv4 in the routing tunnel", kTunnel,
         tun(udp4({10, 0, 0, 1}, {10, 0, 0, 2}, 1, 2, Bytes(8, 0)), kEtherIpv4), MF_T_DROP_IPV4);
  c.drop("arp", "neither IPv4 nor IPv6", kTunnel, tun(payloadBytes(28), kEtherArp), MF_T_DROP_NOT_IP);
  c.drop("bad_version", "IPv6 EtherType, version 5 header", kTunnel,
         withVersion(tun(udpTo(kHostB, kHostA)), kEth, 5), MF_T_DROP_NOT_IP);

  // L3 mode (l2_len_tunnel 0, as on TUN/WireGuard): the decision reads the
  // packet from its first byte and E3 adds the dummy Ethernet header.
  c.forward("l3_e3", "L3 mode: MAC header added for bpf_redirect_neigh", kTunnel, udpTo(kHostB, kHostA),
            MF_T_FWD_TO_LAN, Setup::TunnelL3);
  c.forward("l3_e3_big", "L3 mode, 1500 bytes", kTunnel, udpOfLength(kHostB, kHostA, 1500), MF_T_FWD_TO_LAN,
            Setup::TunnelL3);
  c.pass("l3_to_self", "L3 mode: to the router", kTunnel, udpTo(kHostB, kEdgeLanAddr), MF_T_PASS_LOCAL,
         Setup::TunnelL3);
  c.drop("l3_ipv4", "L3 mode: version nibble 4", kTunnel, udp4({10, 0, 0, 1}, {10, 0, 0, 2}, 1, 2, Bytes(8, 0)),
         MF_T_DROP_IPV4, Setup::TunnelL3);
  c.drop("l3_not_ip", "L3 mode: version nibble 0", kTunnel, withVersion(udpTo(kHostB, kHostA), 0, 0),
         MF_T_DROP_NOT_IP, Setup::TunnelL3);
  c.drop("l3_cut_header", "L3 mode: IPv6 header cut short", kTunnel, cut(udpTo(kHostB, kHostA), 39),
         MF_T_DROP_TRUNCATED, Setup::TunnelL3);
  c.drop("l3_icmp_error_hop1", "L3 mode: hop limit 1 on an error", kTunnel, icmpErrorTo(kHostB, kHostA, 1, 1),
         MF_T_DROP_ICMP_ERROR, Setup::TunnelL3);
  c.pass("bad_l2_len", "l2_len_tunnel 7 is not a config to act on", kTunnel, tun(udpTo(kHostB, kHostA)),
         MF_T_PASS_NO_CONFIG, Setup::TunnelBadL2);
}

void addConfigCases(CaseList& c) {
  for (auto [prog, tag, reason] : {std::tuple{kXdp, "xdp", uint32_t{MF_E_PASS_NO_CONFIG}},
                                   std::tuple{kLan, "lan", uint32_t{MF_T_PASS_NO_CONFIG}},
                                   std::tuple{kTunnel, "tunnel", uint32_t{MF_T_PASS_NO_CONFIG}}}) {
    Bytes frame = prog == kTunnel ? tun(udpTo(kHostB, kHostA)) : lan(udpTo(kHostA, kHostA2));
    c.pass(std::string(tag) + "_no_config", "nothing written yet: hands off", prog, frame, reason, Setup::NoConfig);
    c.pass(std::string(tag) + "_relay_config", "a relay's config is not the edge's", prog, frame, reason,
           Setup::RelayRole);
  }
}

std::vector<EdgeCase> allCases() {
  CaseList c;
  addXdpCases(c);
  addLanPassThroughCases(c, kXdp, "xdp", MF_E_PASS_LOCAL, MF_E_PASS_CONTROL, MF_E_PASS_NOT_OURS);
  addLanPassThroughCases(c, kLan, "lan", MF_T_PASS_LOCAL, MF_T_PASS_CONTROL, MF_T_PASS_NOT_OURS);
  addLanTcCases(c);
  addTunnelCases(c);
  Bytes probe = udpTo(kHostA, kHostB, 64, 32, {hopByHopHeader(), destOptsHeader()});
  addTruncationCases(c, kXdp, "xdp", MF_E_DROP_TRUNCATED, MF_E_DROP_EXTHDR_CHAIN, probe,
                     [](const Bytes& l3) { return lan(l3); });
  addTruncationCases(c, kLan, "lan", MF_T_DROP_TRUNCATED, MF_T_DROP_EXTHDR_CHAIN, probe,
                     [](const Bytes& l3) { return lan(l3); });
  Bytes probeIn = udpTo(kHostB, kHostA, 64, 32, {hopByHopHeader(), destOptsHeader()});
  addTruncationCases(c, kTunnel, "tunnel", MF_T_DROP_TRUNCATED, MF_T_DROP_EXTHDR_CHAIN, probeIn,
                     [](const Bytes& l3) { return tun(l3); });
  addConfigCases(c);
  return c.take();
}

// ----- running a case -------------------------------------------------------

void applySetup(DatapathFixture& fx, Setup setup) {
  if (setup == Setup::NoConfig) return;
  fx.seedEdge();
  fx.addLocalAddr(kUplinkAddr, kLanIfindex);
  mf_config cfg = DatapathFixture::edgeConfig();
  switch (setup) {
    case Setup::NoSourceValidation:
      cfg.flags &= ~MF_F_SOURCE_VALIDATION;
      break;
    case Setup::Backup:
      fx.setEdgeState(false, kVirtualMac);
      break;
    case Setup::RelayRole:
      cfg = DatapathFixture::relayConfig();
      break;
    case Setup::TunnelL3:
      cfg.l2_len_tunnel = 0;
      break;
    case Setup::TunnelBadL2:
      cfg.l2_len_tunnel = 7;
      break;
    default:
      return;
  }
  fx.setConfig(cfg);
}

// Every reason the edge programs count under, and the relay's: a packet
// is counted exactly once, by its own program.
uint64_t totalPackets(const DatapathFixture& fx) {
  uint64_t n = 0;
  for (uint32_t r = 0; r < MF_REASON_MAX; ++r) n += fx.counter(r).packets;
  return n;
}

void checkError(const EdgeCase& tc, const loader::TestRunResult& r, size_t l2) {
  std::string why;
  auto err = parseIcmp6Error(r.output, l2, why);
  ASSERT_TRUE(err.has_value()) << why << "\n" << hexdump(r.output);
  EXPECT_EQ(err->type, tc.icmpType);
  EXPECT_EQ(err->code, tc.icmpCode);
  EXPECT_EQ(err->param, tc.icmpParam);
  EXPECT_EQ(err->src, kEdgeLanAddr) << err->src.str();
  In6 offender;
  std::copy_n(tc.frame.begin() + static_cast<long>(l2) + 8, 16, offender.b.begin());
  EXPECT_EQ(err->dst, offender) << err->dst.str();
  EXPECT_EQ(err->hopLimit, 64);
  // Version 6, traffic class 0, flow label 0.
  EXPECT_EQ(r.output[l2], 0x60);
  EXPECT_EQ(r.output[l2 + 1], 0);
  EXPECT_EQ(r.output[l2 + 2], 0);
  EXPECT_EQ(r.output[l2 + 3], 0);
  // The quote is the offending packet from its IPv6 header, cut to 1232.
  Bytes l3(tc.frame.begin() + static_cast<long>(l2), tc.frame.end());
  size_t quoteLen = std::min<size_t>(l3.size(), MF_ICMP_QUOTE_MAX);
  EXPECT_EQ(err->quote, Bytes(l3.begin(), l3.begin() + static_cast<long>(quoteLen)));
  if (l2 == kEth) {
    // Back where it came from: the Ethernet addresses swapped.
    EXPECT_TRUE(std::equal(r.output.begin(), r.output.begin() + 6, tc.frame.begin() + 6));
    EXPECT_TRUE(std::equal(r.output.begin() + 6, r.output.begin() + 12, tc.frame.begin()));
    EXPECT_EQ(r.output[12], 0x86);
    EXPECT_EQ(r.output[13], 0xdd);
  }
}

class EdgeTable : public ::testing::TestWithParam<EdgeCase> {};

TEST_P(EdgeTable, VerdictReasonAndOutput) {
  const EdgeCase& tc = GetParam();
  SCOPED_TRACE(tc.description);
  DatapathFixture fx(loader::ObjectKind::Edge);
  ASSERT_TRUE(fx.ok()) << fx.error();
  applySetup(fx, tc.setup);

  loader::TestRunResult r = fx.run(tc.program, tc.frame);
  ASSERT_EQ(r.error, 0) << "BPF_PROG_TEST_RUN failed";
  EXPECT_EQ(r.retval, tc.verdict);
  EXPECT_EQ(fx.counter(tc.reason).packets, 1u) << "reason " << tc.reason;
  EXPECT_EQ(fx.counter(tc.reason).bytes, tc.frame.size());
  EXPECT_EQ(totalPackets(fx), 1u) << "counted under more than one reason";

  size_t l2 = tc.setup == Setup::TunnelL3 ? 0 : kEth;
  switch (tc.expect) {
    case Expect::Unchanged:
      EXPECT_EQ(r.output, tc.frame) << hexdump(r.output);
      break;
    case Expect::Forwarded:
      EXPECT_EQ(r.output, hopDecremented(tc.frame, kEth)) << hexdump(r.output);
      break;
    case Expect::ForwardedL3: {
      Bytes expected = withEthernet(hopDecremented(tc.frame, 0), kRouterMac, kRouterMac, kEtherIpv6);
      EXPECT_EQ(r.output, expected) << hexdump(r.output);
      break;
    }
    case Expect::Error:
      checkError(tc, r, l2);
      break;
    case Expect::Dropped:
      break;
  }

  mf_counter from = fx.siteCounter(kEdgeSite, MF_DIR_FROM_SITE);
  mf_counter to = fx.siteCounter(kEdgeSite, MF_DIR_TO_SITE);
  EXPECT_EQ(from.packets, tc.siteDirection == MF_DIR_FROM_SITE ? 1u : 0u);
  EXPECT_EQ(to.packets, tc.siteDirection == MF_DIR_TO_SITE ? 1u : 0u);
  if (tc.siteDirection >= 0) {
    EXPECT_EQ((tc.siteDirection == MF_DIR_FROM_SITE ? from : to).bytes, tc.frame.size());
  }
}

INSTANTIATE_TEST_SUITE_P(Edge, EdgeTable, ::testing::ValuesIn(allCases()),
                         [](const ::testing::TestParamInfo<EdgeCase>& info) {
                           std::string prog = info.param.program == kXdp   ? "xdp_"
                                              : info.param.program == kLan ? "lan_"
                                                                           : "tunnel_";
                           return info.param.name.starts_with(prog.substr(0, prog.size() - 1)) ? info.param.name
                                                                                              : prog + info.param.name;
                         });

// ----- the hairpin reject, byte for byte ------------------------------------

// The error rebuilt from the RFCs alone: Ethernet addresses swapped, IPv6
// from the router's LAN address to the sender, ICMPv6 1/4, the quote.
Bytes expectedHairpinReject(const Bytes& frame, const Mac& routerMac) {
  Bytes offending(frame.begin() + kEth, frame.end());
  if (offending.size() > MF_ICMP_QUOTE_MAX) offending.resize(MF_ICMP_QUOTE_MAX);
  In6 sender;
  std::copy_n(offending.begin() + 8, 16, sender.b.begin());
  Bytes error = ipv6Packet({kEdgeLanAddr, sender, 64}, {}, kProtoIcmp6,
                           icmp6Message(kEdgeLanAddr, sender, 1, 4, concat(Bytes(4, 0), offending)));
  Mac hostMac;
  std::copy_n(frame.begin() + 6, 6, hostMac.begin());
  return withEthernet(error, hostMac, routerMac, kEtherIpv6);
}

TEST(EdgeHairpinBytes, SmallPacketWholeQuote) {
  DatapathFixture fx(loader::ObjectKind::Edge);
  ASSERT_TRUE(fx.ok()) << fx.error();
  fx.seedEdge();
  Bytes frame = lan(udpTo(kHostA, kHostA2, 64, 100));
  auto r = fx.run(kXdp, frame);
  ASSERT_EQ(r.retval, uint32_t{XDP_TX});
  EXPECT_EQ(r.output, expectedHairpinReject(frame, kRouterMac)) << hexdump(r.output);
}

TEST(EdgeHairpinBytes, OddLengthQuoteChecksum) {
  // An odd number of quoted bytes exercises the checksum's zero padding.
  DatapathFixture fx(loader::ObjectKind::Edge);
  ASSERT_TRUE(fx.ok()) << fx.error();
  fx.seedEdge();
  for (size_t payload : {1, 2, 3, 5, 333}) {
    Bytes frame = lan(udpTo(kHostA, kHostA2, 64, payload));
    auto r = fx.run(kXdp, frame);
    ASSERT_EQ(r.retval, uint32_t{XDP_TX}) << payload;
    EXPECT_EQ(r.output, expectedHairpinReject(frame, kRouterMac)) << payload << "\n" << hexdump(r.output);
  }
}

TEST(EdgeHairpinBytes, FullFrameCutTo1280) {
  DatapathFixture fx(loader::ObjectKind::Edge);
  ASSERT_TRUE(fx.ok()) << fx.error();
  fx.seedEdge();
  Bytes frame = lan(udpOfLength(kHostA, kHostA2, 1500));
  auto r = fx.run(kXdp, frame);
  ASSERT_EQ(r.retval, uint32_t{XDP_TX});
  EXPECT_EQ(r.output.size(), kEth + 1280);
  EXPECT_EQ(r.output, expectedHairpinReject(frame, kRouterMac)) << hexdump(r.output);
}

TEST(EdgeHairpinBytes, FromTheVirtualMacWhileMaster) {
  DatapathFixture fx(loader::ObjectKind::Edge);
  ASSERT_TRUE(fx.ok()) << fx.error();
  fx.seedEdge();
  Bytes frame = lan(udpTo(kHostA, kHostA2), kVirtualMac);
  auto r = fx.run(kXdp, frame);
  ASSERT_EQ(r.retval, uint32_t{XDP_TX});
  EXPECT_EQ(r.output, expectedHairpinReject(frame, kVirtualMac)) << hexdump(r.output);
}

TEST(EdgeHairpinBytes, TcBuildsTheSameReject) {
  // The LAN TC program's E1 (for frames XDP did not answer) and the XDP
  // one must be indistinguishable on the wire.
  DatapathFixture fx(loader::ObjectKind::Edge);
  ASSERT_TRUE(fx.ok()) << fx.error();
  fx.seedEdge();
  for (size_t l3 : {size_t{100}, size_t{777}, size_t{1500}}) {
    Bytes frame = lan(udpOfLength(kHostA, kHostA2, l3));
    auto x = fx.run(kXdp, frame);
    auto t = fx.run(kLan, frame);
    EXPECT_EQ(t.retval, uint32_t{TC_ACT_REDIRECT});
    EXPECT_EQ(x.output, t.output) << l3;
  }
}

// ----- ICMP rate limit ------------------------------------------------------

// The bucket is per CPU: pin the test so every run hits the same one.
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

class EdgeIcmpRateLimit : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fx_.ok()) << fx_.error();
    fx_.seedEdge();
    mf_config cfg = DatapathFixture::edgeConfig();
    cfg.icmp_rate = 1;  // one per second: nothing refills within the test
    cfg.icmp_burst = 3;
    fx_.setConfig(cfg);
  }
  DatapathFixture fx_{loader::ObjectKind::Edge};
  CpuPin pin_;
};

TEST_F(EdgeIcmpRateLimit, HairpinBurstThenSuppressed) {
  Bytes frame = lan(udpTo(kHostA, kHostA2));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(fx_.run(kXdp, frame).retval, uint32_t{XDP_TX}) << i;
  auto r = fx_.run(kXdp, frame);
  EXPECT_EQ(r.retval, uint32_t{XDP_DROP});
  EXPECT_EQ(fx_.counter(MF_E_REJECT_HAIRPIN).packets, 3u);
  EXPECT_EQ(fx_.counter(MF_E_DROP_ICMP_RATELIMIT).packets, 1u);
}

TEST_F(EdgeIcmpRateLimit, XdpAndTcShareTheBucket) {
  EXPECT_EQ(fx_.run(kXdp, lan(udpTo(kHostA, kHostA2))).retval, uint32_t{XDP_TX});
  EXPECT_EQ(fx_.run(kLan, lan(udpTo(kHostA, kInternet))).retval, uint32_t{TC_ACT_REDIRECT});
  EXPECT_EQ(fx_.run(kTunnel, tun(udpTo(kHostB, kHostA, 1))).retval, uint32_t{TC_ACT_REDIRECT});
  EXPECT_EQ(fx_.run(kLan, lan(udpTo(kHostA, kHostB, 1))).retval, uint32_t{TC_ACT_SHOT});
  EXPECT_EQ(fx_.run(kTunnel, tun(udpTo(kHostB, kInternet))).retval, uint32_t{TC_ACT_SHOT});
  EXPECT_EQ(fx_.run(kXdp, lan(udpTo(kHostA, kHostA2))).retval, uint32_t{XDP_DROP});
  EXPECT_EQ(fx_.counter(MF_T_DROP_ICMP_RATELIMIT).packets, 2u);
  EXPECT_EQ(fx_.counter(MF_E_DROP_ICMP_RATELIMIT).packets, 1u);
}

TEST_F(EdgeIcmpRateLimit, ForwardingAndSilenceTakeNoToken) {
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(fx_.run(kLan, lan(udpTo(kHostA, kHostB))).retval, uint32_t{TC_ACT_REDIRECT});
    EXPECT_EQ(fx_.run(kTunnel, tun(udpTo(kHostB, kHostA))).retval, uint32_t{TC_ACT_REDIRECT});
    EXPECT_EQ(fx_.run(kXdp, lan(icmpErrorTo(kHostA, kHostA2, 1))).retval, uint32_t{XDP_DROP});
  }
  for (int i = 0; i < 3; ++i) EXPECT_EQ(fx_.run(kXdp, lan(udpTo(kHostA, kHostA2))).retval, uint32_t{XDP_TX}) << i;
  EXPECT_EQ(fx_.counter(MF_E_DROP_ICMP_RATELIMIT).packets, 0u);
}

TEST_F(EdgeIcmpRateLimit, RateZeroIsUnlimited) {
  mf_config cfg = DatapathFixture::edgeConfig();
  cfg.icmp_rate = 0;
  fx_.setConfig(cfg);
  for (int i = 0; i < 50; ++i) ASSERT_EQ(fx_.run(kXdp, lan(udpTo(kHostA, kHostA2))).retval, uint32_t{XDP_TX}) << i;
}

// ----- IPv4: the FIB decides, in a network namespace of our own --------------

// BPF_PROG_TEST_RUN runs TC programs on the loopback device of the calling
// thread's network namespace, and bpf_fib_lookup consults that namespace.
// This fixture enters a fresh one, sets forwarding and routes there, and
// returns to the original afterwards.
class EdgeIpv4 : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fx_.ok()) << fx_.error();
    fx_.seedEdge();
    original_ = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(original_, 0);
    ASSERT_EQ(unshare(CLONE_NEWNET), 0) << "unshare(CLONE_NEWNET): " << std::strerror(errno);
    ASSERT_EQ(std::system("ip link set lo up && ip link add mf-ed0 type veth peer name mf-ed1 && ip link set mf-ed1 up && ip link set mf-ed0 up && "
                          "ip addr add 192.0.2.1/24 dev mf-ed0 && ip route add 198.51.100.0/24 via 192.0.2.254 && "
                          "ip route add unreachable 203.0.113.0/24 && ip route add blackhole 100.64.0.0/10"),
              0);
  }
  void TearDown() override {
    if (original_ >= 0) {
      EXPECT_EQ(setns(original_, CLONE_NEWNET), 0);
      close(original_);
    }
  }
  static void setForwarding(bool on) {
    std::ofstream("/proc/sys/net/ipv4/conf/all/forwarding") << (on ? "1" : "0");
  }
  loader::TestRunResult runV4(const std::array<uint8_t, 4>& dst, uint16_t dport = 443) {
    return fx_.run(kLan, lan(udp4({192, 0, 2, 10}, dst, 40000, dport, Bytes(16, 0)), kRouterMac, kEtherIpv4));
  }
  DatapathFixture fx_{loader::ObjectKind::Edge};
  int original_ = -1;
};

TEST_F(EdgeIpv4, ForwardedIsDropped) {
  setForwarding(true);
  auto r = runV4({198, 51, 100, 7});
  EXPECT_EQ(r.retval, uint32_t{TC_ACT_SHOT});
  EXPECT_EQ(fx_.counter(MF_T_DROP_IPV4).packets, 1u);
}

TEST_F(EdgeIpv4, ToTheRouterItselfPasses) {
  setForwarding(true);
  auto r = runV4({192, 0, 2, 1}, 22);
  EXPECT_EQ(r.retval, uint32_t{TC_ACT_OK});
  EXPECT_EQ(fx_.counter(MF_T_PASS_LOCAL).packets, 1u);
  EXPECT_EQ(fx_.counter(MF_T_DROP_IPV4).packets, 0u);
}

TEST_F(EdgeIpv4, UnreachableAndBlackholeAreTheKernelsToAnswer) {
  setForwarding(true);
  EXPECT_EQ(runV4({203, 0, 113, 9}).retval, uint32_t{TC_ACT_OK});
  EXPECT_EQ(runV4({100, 64, 1, 1}).retval, uint32_t{TC_ACT_OK});
  EXPECT_EQ(runV4({10, 9, 9, 9}).retval, uint32_t{TC_ACT_OK});  // no route at all: NOT_FWDED
  EXPECT_EQ(fx_.counter(MF_T_PASS_OTHER).packets, 2u);
  EXPECT_EQ(fx_.counter(MF_T_PASS_LOCAL).packets, 1u);
  EXPECT_EQ(fx_.counter(MF_T_DROP_IPV4).packets, 0u);
}

TEST_F(EdgeIpv4, ForwardingOffPassesEverything) {
  setForwarding(false);
  EXPECT_EQ(runV4({198, 51, 100, 7}).retval, uint32_t{TC_ACT_OK});
  EXPECT_EQ(runV4({192, 0, 2, 1}).retval, uint32_t{TC_ACT_OK});
  EXPECT_EQ(fx_.counter(MF_T_DROP_IPV4).packets, 0u);
}

TEST_F(EdgeIpv4, DhcpClientPortPassesEvenWhenRoutable) {
  setForwarding(true);
  auto r = runV4({198, 51, 100, 7}, 68);
  EXPECT_EQ(r.retval, uint32_t{TC_ACT_OK});
  EXPECT_EQ(fx_.counter(MF_T_PASS_LOCAL).packets, 1u);
}

// ----- maps change the verdict without a reload ------------------------------

TEST(EdgeStateFlip, BecomingBackupStopsActingOnTheVirtualMac) {
  DatapathFixture fx(loader::ObjectKind::Edge);
  ASSERT_TRUE(fx.ok()) << fx.error();
  fx.seedEdge();
  Bytes frame = lan(udpTo(kHostA, kHostB), kVirtualMac);
  EXPECT_EQ(fx.run(kLan, frame).retval, uint32_t{TC_ACT_REDIRECT});
  fx.setEdgeState(false, kVirtualMac);
  auto r = fx.run(kLan, frame);
  EXPECT_EQ(r.retval, uint32_t{TC_ACT_OK});
  EXPECT_EQ(r.output, frame);
  fx.setEdgeState(true, kVirtualMac);
  EXPECT_EQ(fx.run(kLan, frame).retval, uint32_t{TC_ACT_REDIRECT});
  EXPECT_EQ(fx.counter(MF_T_FWD_TO_TUNNEL).packets, 2u);
  EXPECT_EQ(fx.counter(MF_T_PASS_NOT_OURS).packets, 1u);
}

TEST(EdgeStateFlip, LocalAddressAddedLaterIsPassed) {
  // The daemon adds an uplink address (a new SLAAC address, say): from
  // then on its traffic is the input path's, no longer E4.
  DatapathFixture fx(loader::ObjectKind::Edge);
  ASSERT_TRUE(fx.ok()) << fx.error();
  fx.seedEdge();
  Bytes frame = lan(udpTo(kRelayPublic, kUplinkAddr, 50));
  EXPECT_EQ(fx.run(kLan, frame).retval, uint32_t{TC_ACT_REDIRECT});
  EXPECT_EQ(fx.counter(MF_T_REJECT_OTHER).packets, 1u);
  fx.addLocalAddr(kUplinkAddr, kLanIfindex);
  EXPECT_EQ(fx.run(kLan, frame).retval, uint32_t{TC_ACT_OK});
  EXPECT_EQ(fx.run(kXdp, frame).retval, uint32_t{XDP_PASS});
  EXPECT_EQ(fx.counter(MF_T_PASS_LOCAL).packets, 1u);
  EXPECT_EQ(fx.counter(MF_E_PASS_LOCAL).packets, 1u);
}

}  // namespace
}  // namespace meshfwd::test
