// The WireGuard-port guard (relay_uplink_guard, XDP on the relay's uplink),
// as a table: input frame -> verdict, the one reason it is counted under,
// and the frame left unchanged. The rate-limit cases need a sequence of
// packets and live in their own suite below the table.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "loader/map_ops.h"
#include "tests/support/datapath_fixture.h"
#include "tests/support/packet.h"

namespace meshfwd::test {
namespace {

constexpr std::string_view kGuard = "relay_uplink_guard";
constexpr uint16_t kPeerPort = 40001;
constexpr std::array<uint8_t, 4> kPeer4{198, 51, 100, 7};
constexpr std::array<uint8_t, 4> kRelay4{203, 0, 113, 1};
const In6 kPeer6 = In6::parse("2001:db8:1:1::7");
const In6 kRelay6 = In6::parse("2001:db8:ffff::1");

// Every reason the guard may count a packet under.
constexpr std::array<uint32_t, 11> kGuardReasons{
    MF_G_PASS_OTHER,    MF_G_PASS_WG_INIT,     MF_G_PASS_WG_RESP,      MF_G_PASS_WG_COOKIE,
    MF_G_PASS_WG_DATA,  MF_G_DROP_BAD_TYPE,    MF_G_DROP_BAD_LENGTH,   MF_G_DROP_RESERVED,
    MF_G_DROP_HS_RATELIMIT, MF_G_DROP_TRUNCATED, MF_G_PASS_FRAGMENT};

// A WireGuard message of `len` bytes (len >= 4): type, three reserved
// bytes, then a body that stands in for the keys and ciphertext.
Bytes wgMessage(uint8_t type, size_t len, uint8_t reserved = 0) {
  Bytes msg = payloadBytes(len, type);
  msg[0] = type;
  msg[1] = 0;
  msg[2] = reserved;
  msg[3] = 0;
  return msg;
}

Bytes eth4(const Bytes& l3) { return withEthernet(l3, kRouterMac, kPeerMac, 0x0800); }
Bytes eth6(const Bytes& l3) { return withEthernet(l3, kRouterMac, kPeerMac, 0x86dd); }

Bytes udp4To(uint16_t dport, const Bytes& payload, const std::array<uint8_t, 4>& src = kPeer4) {
  return eth4(udp4(src, kRelay4, kPeerPort, dport, payload));
}

Bytes udp6To(uint16_t dport, const Bytes& payload, const std::vector<ExtHeader>& exts = {},
             const In6& src = kPeer6) {
  Ipv6Header ip{src, kRelay6};
  return eth6(ipv6Packet(ip, exts, kProtoUdp, udpSegment(src, kRelay6, kPeerPort, dport, payload)));
}

void put16(Bytes& b, size_t at, uint16_t v) {
  b[at] = static_cast<uint8_t>(v >> 8);
  b[at + 1] = static_cast<uint8_t>(v);
}

constexpr size_t kEth = 14;
constexpr size_t kIp4TotLen = kEth + 2;
constexpr size_t kIp4FragOff = kEth + 6;
constexpr size_t kIp4Checksum = kEth + 10;
constexpr size_t kUdp4Len = kEth + 20 + 4;

void fixIpv4Checksum(Bytes& frame) {
  put16(frame, kIp4Checksum, 0);
  put16(frame, kIp4Checksum, internetChecksum(std::span(frame).subspan(kEth, 20)));
}

// An IPv4 fragment of `datagram` (an Ethernet frame from udp4To): the IP
// payload cut to `keepBytes` and the fragment field set; for a first
// fragment the UDP header still announces the whole datagram.
Bytes ipv4Fragment(Bytes frame, uint16_t offsetUnits, bool more, size_t keepBytes) {
  frame.resize(kEth + 20 + keepBytes);
  put16(frame, kIp4TotLen, static_cast<uint16_t>(20 + keepBytes));
  put16(frame, kIp4FragOff, static_cast<uint16_t>(offsetUnits | (more ? 0x2000 : 0)));
  fixIpv4Checksum(frame);
  return frame;
}

// An IPv6 first fragment: the UDP header announces the whole datagram,
// the packet carries only the first `keepBytes` of it.
Bytes ipv6FirstFragment(uint16_t dport, const Bytes& payload, size_t keepBytes) {
  Ipv6Header ip{kPeer6, kRelay6};
  Bytes seg = udpSegment(kPeer6, kRelay6, kPeerPort, dport, payload);
  seg.resize(keepBytes);
  return eth6(ipv6Packet(ip, {fragmentHeader(0, true, 0x1234)}, kProtoUdp, seg));
}

Bytes ipv6LaterFragment() {
  Ipv6Header ip{kPeer6, kRelay6};
  return eth6(ipv6Packet(ip, {fragmentHeader(181, false, 0x1234)}, kProtoUdp, payloadBytes(64)));
}

Bytes withUdp4Len(Bytes frame, uint16_t udpLen) {
  put16(frame, kUdp4Len, udpLen);
  return frame;
}

Bytes cut(Bytes frame, size_t length) {
  frame.resize(length);
  return frame;
}

Bytes padded(Bytes frame, size_t extra) {
  frame.insert(frame.end(), extra, 0);
  return frame;
}

struct GuardCase {
  std::string name;
  std::string description;
  Bytes frame;
  uint32_t verdict;
  uint32_t reason;
  bool guardOn = true;  // false: wg_port 0
};

std::vector<GuardCase> guardCases() {
  const Bytes data32 = wgMessage(4, 32);
  std::vector<GuardCase> c;
  auto add = [&c](std::string name, std::string description, Bytes frame, uint32_t verdict, uint32_t reason,
                  bool guardOn = true) {
    c.push_back({std::move(name), std::move(description), std::move(frame), verdict, reason, guardOn});
  };

  // Each message type at its exact length, one byte short, one byte long,
  // over IPv4 and over IPv6.
  struct Framing {
    const char* name;
    uint8_t type;
    size_t len;
    uint32_t pass;
  };
  for (const Framing& f : {Framing{"init", 1, 148, MF_G_PASS_WG_INIT}, Framing{"resp", 2, 92, MF_G_PASS_WG_RESP},
                           Framing{"cookie", 3, 64, MF_G_PASS_WG_COOKIE}}) {
    std::string n = f.name;
    for (bool v6 : {false, true}) {
      std::string fam = v6 ? "6" : "4";
      auto frame = [&](size_t len) { return v6 ? udp6To(kWgPort, wgMessage(f.type, len))
                                               : udp4To(kWgPort, wgMessage(f.type, len)); };
      add(n + "_exact_v" + fam, "type " + std::to_string(f.type) + " at its exact length", frame(f.len), XDP_PASS,
          f.pass);
      add(n + "_short_v" + fam, "one byte short", frame(f.len - 1), XDP_DROP, MF_G_DROP_BAD_LENGTH);
      add(n + "_long_v" + fam, "one byte long", frame(f.len + 1), XDP_DROP, MF_G_DROP_BAD_LENGTH);
    }
  }

  // Transport data: >= 32. Padding stops at the sender's tunnel MTU, so a
  // full-size packet through a 1420-byte tunnel is 16 + 1420 + 16 = 1452
  // bytes, not a multiple of 16: any length from 32 up is valid.
  for (size_t len : {32, 33, 47, 48, 1424, 1452}) {
    add("data_" + std::to_string(len) + "_v4", "transport data", udp4To(kWgPort, wgMessage(4, len)),
        XDP_PASS, MF_G_PASS_WG_DATA);
    add("data_" + std::to_string(len) + "_v6", "transport data", udp6To(kWgPort, wgMessage(4, len)),
        XDP_PASS, MF_G_PASS_WG_DATA);
  }
  for (size_t len : {16, 31}) {
    add("data_" + std::to_string(len) + "_v4", "transport data, bad length", udp4To(kWgPort, wgMessage(4, len)),
        XDP_DROP, MF_G_DROP_BAD_LENGTH);
  }
  add("data_31_v6", "transport data, shorter than an empty message", udp6To(kWgPort, wgMessage(4, 31)), XDP_DROP,
      MF_G_DROP_BAD_LENGTH);

  // The type byte and the reserved bytes.
  for (uint8_t type : {0, 5, 0x81, 0xff}) {
    add("type_" + std::to_string(type), "unknown message type", udp4To(kWgPort, wgMessage(type, 148)), XDP_DROP,
        MF_G_DROP_BAD_TYPE);
  }
  add("type_0_v6", "unknown message type", udp6To(kWgPort, wgMessage(0, 32)), XDP_DROP, MF_G_DROP_BAD_TYPE);
  for (size_t at : {1, 2, 3}) {
    Bytes msg = wgMessage(1, 148);
    msg[at] = 1;
    add("reserved_byte" + std::to_string(at) + "_v4", "reserved byte non-zero", udp4To(kWgPort, msg), XDP_DROP,
        MF_G_DROP_RESERVED);
    add("reserved_byte" + std::to_string(at) + "_v6", "reserved byte non-zero", udp6To(kWgPort, msg), XDP_DROP,
        MF_G_DROP_RESERVED);
  }
  add("reserved_data", "reserved non-zero on transport data", udp4To(kWgPort, wgMessage(4, 48, 0x80)), XDP_DROP,
      MF_G_DROP_RESERVED);
  add("empty_datagram", "no WireGuard header at all", udp4To(kWgPort, {}), XDP_DROP, MF_G_DROP_BAD_LENGTH);
  add("three_bytes", "header cut before the last reserved byte", udp4To(kWgPort, {1, 0, 0}), XDP_DROP,
      MF_G_DROP_BAD_LENGTH);
  add("empty_datagram_v6", "no WireGuard header at all", udp6To(kWgPort, {}), XDP_DROP, MF_G_DROP_BAD_LENGTH);

  // IPv6 extension headers are walked to find the port.
  add("v6_hbh_init", "hop-by-hop before a valid initiation", udp6To(kWgPort, wgMessage(1, 148), {hopByHopHeader()}),
      XDP_PASS, MF_G_PASS_WG_INIT);
  add("v6_chain_data", "hop-by-hop, routing, dest-opts before transport data",
      udp6To(kWgPort, data32, {hopByHopHeader(), routingHeader(), destOptsHeader(14)}), XDP_PASS,
      MF_G_PASS_WG_DATA);
  add("v6_dstopt_bad_len", "dest-opts before a short initiation",
      udp6To(kWgPort, wgMessage(1, 147), {destOptsHeader()}), XDP_DROP, MF_G_DROP_BAD_LENGTH);
  add("v6_chain_too_long", "more extension headers than walked: port unseen, the stack's",
      udp6To(kWgPort, wgMessage(9, 40), std::vector<ExtHeader>(MF_EXTHDR_MAX + 1, destOptsHeader())), XDP_PASS,
      MF_G_PASS_OTHER);

  // Other traffic passes untouched.
  add("other_port_v4", "garbage to another UDP port", udp4To(kWgPort + 1, {9, 9, 9}), XDP_PASS, MF_G_PASS_OTHER);
  add("other_port_v6", "garbage to another UDP port", udp6To(53, {9, 9, 9}), XDP_PASS, MF_G_PASS_OTHER);
  add("source_port_only", "from port 51820 to another port",
      eth4(udp4(kPeer4, kRelay4, kWgPort, 53, {9, 9, 9})), XDP_PASS, MF_G_PASS_OTHER);
  add("tcp_to_port", "TCP to the WireGuard port number",
      eth6(tcp6({kPeer6, kRelay6}, kPeerPort, kWgPort)), XDP_PASS, MF_G_PASS_OTHER);
  add("icmp6", "ICMPv6 echo request", eth6(icmp6({kPeer6, kRelay6}, 128, 0)), XDP_PASS, MF_G_PASS_OTHER);
  add("arp", "not IP", withEthernet(payloadBytes(28), kRouterMac, kPeerMac, 0x0806), XDP_PASS, MF_G_PASS_OTHER);
  // (BPF_PROG_TEST_RUN refuses XDP frames shorter than an Ethernet header.)
  add("ethernet_only_v4", "IPv4 ethertype, no IP header", eth4({}), XDP_PASS, MF_G_PASS_OTHER);
  add("ethernet_only_v6", "IPv6 ethertype, no IP header", eth6({}), XDP_PASS, MF_G_PASS_OTHER);

  // Lengths that do not add up.
  Bytes init4 = udp4To(kWgPort, wgMessage(1, 148));
  Bytes init6 = udp6To(kWgPort, wgMessage(1, 148));
  add("v4_ip_header_cut", "frame ends inside the IPv4 header", cut(init4, kEth + 12), XDP_PASS, MF_G_PASS_OTHER);
  add("v4_udp_header_cut", "frame ends inside the UDP header", cut(init4, kEth + 20 + 6), XDP_PASS,
      MF_G_PASS_OTHER);
  add("v4_message_cut", "IPv4 total length beyond the frame", cut(init4, init4.size() - 10), XDP_DROP,
      MF_G_DROP_TRUNCATED);
  add("v4_udp_len_beyond_ip", "UDP length beyond the IP payload", withUdp4Len(init4, 8 + 149), XDP_DROP,
      MF_G_DROP_TRUNCATED);
  add("v4_udp_len_below_header", "UDP length below its own header", withUdp4Len(init4, 7), XDP_DROP,
      MF_G_DROP_TRUNCATED);
  add("v4_udp_len_short", "UDP length one byte short of an initiation", withUdp4Len(init4, 8 + 147), XDP_DROP,
      MF_G_DROP_BAD_LENGTH);
  add("v4_ethernet_padding", "trailing Ethernet padding after the datagram",
      padded(udp4To(kWgPort, wgMessage(3, 64)), 6), XDP_PASS, MF_G_PASS_WG_COOKIE);
  add("v6_ip_header_cut", "frame ends inside the IPv6 header", cut(init6, kEth + 30), XDP_PASS, MF_G_PASS_OTHER);
  add("v6_udp_header_cut", "frame ends inside the UDP header", cut(init6, kEth + 40 + 5), XDP_PASS,
      MF_G_PASS_OTHER);
  add("v6_message_cut", "IPv6 payload length beyond the frame", cut(init6, init6.size() - 1), XDP_DROP,
      MF_G_DROP_TRUNCATED);

  // Fragments: later fragments carry no port; first fragments are framed
  // from the UDP header that announces the whole datagram.
  Bytes bigData4 = udp4To(kWgPort, wgMessage(4, 1424));
  add("v4_later_fragment", "IPv4 non-first fragment", ipv4Fragment(bigData4, 100, false, 600), XDP_PASS,
      MF_G_PASS_FRAGMENT);
  add("v4_first_fragment_data", "IPv4 first fragment of transport data", ipv4Fragment(bigData4, 0, true, 8 + 600),
      XDP_PASS, MF_G_PASS_FRAGMENT);
  add("v4_first_fragment_bad_type", "IPv4 first fragment, unknown type",
      ipv4Fragment(udp4To(kWgPort, wgMessage(7, 1424)), 0, true, 8 + 600), XDP_DROP, MF_G_DROP_BAD_TYPE);
  add("v4_first_fragment_bad_len", "IPv4 first fragment, handshake response of the wrong length",
      ipv4Fragment(udp4To(kWgPort, wgMessage(2, 1425)), 0, true, 8 + 600), XDP_DROP, MF_G_DROP_BAD_LENGTH);
  add("v4_first_fragment_other_port", "IPv4 first fragment to another port",
      ipv4Fragment(udp4To(443, wgMessage(7, 1424)), 0, true, 8 + 600), XDP_PASS, MF_G_PASS_OTHER);
  add("v6_later_fragment", "IPv6 non-first fragment", ipv6LaterFragment(), XDP_PASS, MF_G_PASS_FRAGMENT);
  add("v6_later_fragment_tcp", "IPv6 non-first fragment of TCP: not the guard's",
      eth6(ipv6Packet({kPeer6, kRelay6}, {fragmentHeader(181, false, 0x1234)}, kProtoTcp, payloadBytes(64))),
      XDP_PASS, MF_G_PASS_OTHER);
  add("v6_first_fragment_data", "IPv6 first fragment of transport data",
      ipv6FirstFragment(kWgPort, wgMessage(4, 1424), 8 + 1000), XDP_PASS, MF_G_PASS_FRAGMENT);
  add("v6_first_fragment_reserved", "IPv6 first fragment, reserved non-zero",
      ipv6FirstFragment(kWgPort, wgMessage(4, 1424, 1), 8 + 1000), XDP_DROP, MF_G_DROP_RESERVED);

  // Guard off: wg_port 0 passes everything.
  add("off_garbage", "guard off: garbage to the port", udp4To(kWgPort, {9, 9, 9}), XDP_PASS, MF_G_PASS_OTHER,
      false);
  add("off_bad_type_v6", "guard off: unknown type", udp6To(kWgPort, wgMessage(9, 148)), XDP_PASS, MF_G_PASS_OTHER,
      false);
  return c;
}

// One loaded object for the whole table, as Katran's tester runs its
// fixtures: loading the relay object dominates the time of a single case.
// Counters are zeroed before each row so every row sees only its own count.
void zeroGuardCounters(const DatapathFixture& fx) {
  int ncpu = libbpf_num_possible_cpus();
  ASSERT_GT(ncpu, 0);
  std::vector<mf_counter> zeros(static_cast<size_t>(ncpu));
  for (uint32_t reason : kGuardReasons)
    ASSERT_EQ(bpf_map_update_elem(fx.object().mapFd("mf_counters"), &reason, zeros.data(), BPF_ANY), 0);
}

TEST(GuardTable, EveryRowGivesItsVerdictAndReasonAndLeavesTheFrame) {
  DatapathFixture fx(loader::ObjectKind::Relay);
  ASSERT_TRUE(fx.ok()) << fx.error();

  for (const GuardCase& tc : guardCases()) {
    SCOPED_TRACE(tc.name + ": " + tc.description);
    mf_config cfg = DatapathFixture::relayConfig();
    if (!tc.guardOn) cfg.wg_port = 0;
    fx.setConfig(cfg);
    zeroGuardCounters(fx);

    loader::TestRunResult r = fx.run(kGuard, tc.frame);
    ASSERT_EQ(r.error, 0);
    EXPECT_EQ(r.retval, tc.verdict) << hexdump(tc.frame);
    EXPECT_EQ(r.output, tc.frame) << "the guard never rewrites";
    for (uint32_t reason : kGuardReasons) {
      mf_counter c = fx.counter(reason);
      if (reason == tc.reason) {
        EXPECT_EQ(c.packets, 1u) << "expected reason " << reason;
        EXPECT_EQ(c.bytes, tc.frame.size());
      } else {
        EXPECT_EQ(c.packets, 0u) << "also counted under reason " << reason;
      }
    }
  }
}

// The table's names are unique: a duplicate would hide a row in reports.
TEST(GuardTable, RowNamesAreUnique) {
  std::set<std::string> names;
  for (const GuardCase& tc : guardCases()) EXPECT_TRUE(names.insert(tc.name).second) << tc.name;
}

TEST(GuardNoConfig, PassesEverythingBeforeUserspaceWritesAConfig) {
  DatapathFixture fx(loader::ObjectKind::Relay);
  ASSERT_TRUE(fx.ok()) << fx.error();
  Bytes garbage = udp4To(kWgPort, {9, 9, 9});
  EXPECT_EQ(fx.run(kGuard, garbage).retval, static_cast<uint32_t>(XDP_PASS));
  EXPECT_EQ(fx.counter(MF_G_PASS_OTHER).packets, 1u);
}

// Handshake initiations per source prefix. hs_rate 1/s keeps refills out of
// a test that runs in milliseconds, so exactly `burst` initiations pass.
class GuardRateLimit : public ::testing::Test {
 protected:
  static constexpr uint32_t kBurst = 3;

  void SetUp() override {
    ASSERT_TRUE(fx_.ok()) << fx_.error();
    mf_config cfg = DatapathFixture::relayConfig();
    cfg.flags |= MF_F_HS_RATELIMIT;
    cfg.hs_rate = 1;
    cfg.hs_burst = kBurst;
    fx_.setConfig(cfg);
  }

  uint32_t initiationFrom(const In6& src) { return fx_.run(kGuard, udp6To(kWgPort, wgMessage(1, 148), {}, src)).retval; }
  uint32_t initiationFrom(const std::array<uint8_t, 4>& src) {
    return fx_.run(kGuard, udp4To(kWgPort, wgMessage(1, 148), src)).retval;
  }

  DatapathFixture fx_{loader::ObjectKind::Relay};
};

TEST_F(GuardRateLimit, BurstPlusTwoFromOneSlash64DropsTwo) {
  // Different hosts of one /64 share its bucket.
  for (uint32_t i = 0; i < kBurst + 2; ++i) {
    In6 src = In6::parse("2001:db8:1:1::" + std::to_string(i + 1));
    EXPECT_EQ(initiationFrom(src), static_cast<uint32_t>(i < kBurst ? XDP_PASS : XDP_DROP)) << "initiation " << i;
  }
  EXPECT_EQ(fx_.counter(MF_G_PASS_WG_INIT).packets, kBurst);
  EXPECT_EQ(fx_.counter(MF_G_DROP_HS_RATELIMIT).packets, 2u);

  // The bucket is keyed by the /64 with the host bits zero (the ABI).
  mf_hs_key key{};
  key.family = 6;
  In6 prefix = In6::parse("2001:db8:1:1::");
  std::memcpy(key.prefix, prefix.b.data(), 16);
  mf_bucket bucket{};
  EXPECT_EQ(loader::lookupElem(fx_.object().mapFd("mf_hs_limit"), key, bucket), 0);
}

TEST_F(GuardRateLimit, AnotherSlash64IsUnaffected) {
  for (uint32_t i = 0; i < kBurst + 2; ++i) initiationFrom(In6::parse("2001:db8:1:1::1"));
  for (uint32_t i = 0; i < kBurst; ++i)
    EXPECT_EQ(initiationFrom(In6::parse("2001:db8:1:2::1")), static_cast<uint32_t>(XDP_PASS)) << i;
  EXPECT_EQ(fx_.counter(MF_G_DROP_HS_RATELIMIT).packets, 2u);
}

TEST_F(GuardRateLimit, OnlyInitiationsAreLimited) {
  for (uint32_t i = 0; i < kBurst + 1; ++i) initiationFrom(kPeer6);
  EXPECT_EQ(fx_.run(kGuard, udp6To(kWgPort, wgMessage(2, 92))).retval, static_cast<uint32_t>(XDP_PASS));
  EXPECT_EQ(fx_.run(kGuard, udp6To(kWgPort, wgMessage(4, 64))).retval, static_cast<uint32_t>(XDP_PASS));
  EXPECT_EQ(fx_.counter(MF_G_DROP_HS_RATELIMIT).packets, 1u);
}

TEST_F(GuardRateLimit, Ipv4IsLimitedPerSlash32) {
  for (uint32_t i = 0; i < kBurst + 1; ++i)
    EXPECT_EQ(initiationFrom(std::array<uint8_t, 4>{192, 0, 2, 1}),
              static_cast<uint32_t>(i < kBurst ? XDP_PASS : XDP_DROP))
        << i;
  // The neighbouring address in the same /24 has its own bucket.
  EXPECT_EQ(initiationFrom(std::array<uint8_t, 4>{192, 0, 2, 2}), static_cast<uint32_t>(XDP_PASS));
  EXPECT_EQ(fx_.counter(MF_G_DROP_HS_RATELIMIT).packets, 1u);
}

TEST(GuardRateLimitOff, ManyInitiationsFromOneSourceAllPass) {
  DatapathFixture fx(loader::ObjectKind::Relay);
  ASSERT_TRUE(fx.ok()) << fx.error();
  mf_config cfg = DatapathFixture::relayConfig();  // MF_F_HS_RATELIMIT not set
  cfg.hs_rate = 1;
  cfg.hs_burst = 1;
  fx.setConfig(cfg);
  Bytes init = udp6To(kWgPort, wgMessage(1, 148));
  for (int i = 0; i < 10; ++i) EXPECT_EQ(fx.run(kGuard, init).retval, static_cast<uint32_t>(XDP_PASS)) << i;
  EXPECT_EQ(fx.counter(MF_G_PASS_WG_INIT).packets, 10u);
  EXPECT_EQ(fx.counter(MF_G_DROP_HS_RATELIMIT).packets, 0u);
}

}  // namespace
}  // namespace meshfwd::test
