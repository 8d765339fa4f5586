#include "tools/bench/relay_rows.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "loader/map_ops.h"
#include "loader/test_run.h"
#include "userspace/config.h"
#include "userspace/local_filter.h"
#include "userspace/policy_maps.h"
#include "userspace/route_sync.h"

namespace meshfwd::bench {

namespace {

using test::Bytes;
using test::In6;
using test::Ipv6Header;

const In6 kRelayTunnelAddr = In6::parse("fd99::1");  // the relay's own routing-tunnel address
const In6 kRelayUplink6 = In6::parse("2001:db8:ffff::1");
constexpr std::array<uint8_t, 4> kRelayUplink4{203, 0, 113, 1};
constexpr test::Mac kRelayMac{0x02, 0, 0, 0, 0, 0x01};
constexpr test::Mac kPeerMac{0x02, 0, 0, 0, 0, 0x02};
constexpr uint8_t kForwardHopLimit = 255;  // stays > 1 through every repeat of a forward
constexpr uint16_t kNotMeshPort = 22;
constexpr uint16_t kPeerPort = 40001;
constexpr uint16_t kOtherUplinkPort = 443;
constexpr uint32_t kIcmpBucket = 0;  // MF_BUCKET_ICMP (bpf/maps.bpf.h): generated ICMPv6 errors

Bytes eth6(const Bytes& l3) { return test::withEthernet(l3, kRelayMac, kPeerMac, 0x86dd); }
Bytes eth4(const Bytes& l3) { return test::withEthernet(l3, kRelayMac, kPeerMac, 0x0800); }

// A WireGuard message of `len` bytes: type, zero reserved bytes, a body
// that stands in for keys and ciphertext (the guard reads only the framing).
Bytes wgMessage(uint8_t type, size_t len) {
  Bytes msg = test::payloadBytes(len, type);
  msg[0] = type;
  msg[1] = msg[2] = msg[3] = 0;
  return msg;
}

Bytes udp6Packet(const In6& src, const In6& dst, uint16_t sport, uint16_t dport, size_t payload,
                 uint8_t hopLimit = kForwardHopLimit, const std::vector<test::ExtHeader>& exts = {}) {
  Ipv6Header ip{src, dst, hopLimit};
  return eth6(test::ipv6Packet(ip, exts, test::kProtoUdp,
                               test::udpSegment(src, dst, sport, dport, test::payloadBytes(payload))));
}

std::string updateError(const char* what, int err) {
  return std::string("seeding ") + what + " failed: " + std::strerror(-err);
}

}  // namespace

RelayBench::RelayBench(SitePlan& plan, const BenchNetns& netns, uint32_t packetsPerRow, bool lpmOnly)
    : object_(loader::BpfObject::load(loader::ObjectKind::Relay)), netns_(netns), lpmOnly_(lpmOnly) {
  if (!object_.ok()) {
    error_ = object_.error();
    return;
  }
  error_ = seedMaps(plan, netns);
  if (error_.empty()) error_ = applyConfig(GuardLimit::Off);
  if (error_.empty()) buildPackets(plan, packetsPerRow);
}

std::string RelayBench::seedMaps(const SitePlan& plan, const BenchNetns& netns) {
  mf_tunnel tunnel{netns.tunnelMtu, kTestRunL2Len, netns.tunnelIfindex};
  if (int err = loader::updateElem(object_.mapFd("mf_tunnels"), mf_tunnel_slot(netns.tunnelIfindex), tunnel))
    return updateError("mf_tunnels", err);

  // The same two tables route sync writes: the LPM trie with every route,
  // and the exact /64 table in front of it (planExactSites), unless the
  // run asks for the trie alone to show what its depth costs.
  std::map<Ipv6Prefix, mf_egress> routes;
  for (uint32_t site = 0; site < plan.sites(); ++site) {
    Ipv6Prefix p;
    std::memcpy(p.addr.bytes.data(), plan.sitePrefix(site).b.data(), 16);
    p.length = 64;
    routes.emplace(p, mf_egress{netns.tunnelIfindex, netns.tunnelMtu, site, kTestRunL2Len});
  }
  int egressFd = object_.mapFd("mf_egress");
  for (const auto& [prefix, value] : routes)
    if (int err = loader::updateElem(egressFd, egressKey(prefix), value)) return updateError("mf_egress", err);
  if (!lpmOnly_) {
    int exactFd = object_.mapFd("mf_egress64");
    for (const auto& [prefix, value] : planExactSites(routes))
      if (int err = loader::updateElem(exactFd, egress64Key(prefix), value)) return updateError("mf_egress64", err);
  }

  mf_local_key local{};
  std::memcpy(local.addr, kRelayTunnelAddr.b.data(), 16);
  if (int err = loader::updateElem(object_.mapFd("mf_local_addrs"), local, netns.tunnelIfindex))
    return updateError("mf_local_addrs", err);
  mf_local_filter filter{};
  localFilterAdd(filter, kRelayTunnelAddr.b);
  if (int err = loader::updateElem(object_.mapFd("mf_local_filter"), uint32_t{0}, filter))
    return updateError("mf_local_filter", err);
  return "";
}

// The product's own translation (buildMfConfig) of a default relay config.
// Two departures, both so that a row times the path it names: the ICMPv6
// error limit is off, or the reject rows would time "rate-limited" after
// the burst; and the handshake limit is set per guard row.
std::string RelayBench::applyConfig(GuardLimit limit, IcmpLimit icmp) const {
  Config config;
  config.role = Role::Relay;
  config.meshPrefix = *Ipv6Prefix::parse(kMeshPrefix);
  config.ports = {kMeshPortLo, kMeshPortHi};
  config.icmpErrors = icmp == IcmpLimit::Spent ? RateLimit{1, 1} : RateLimit{0, 0};
  config.guard.handshakeRateLimit = limit != GuardLimit::Off;
  if (limit == GuardLimit::OnUnderLimit) config.guard.handshake = {1000000, 1000000};
  if (limit == GuardLimit::OnOverLimit) config.guard.handshake = {1, 1};

  PolicyInputs inputs;
  inputs.tunnelIfindex = netns_.tunnelIfindex;
  inputs.tunnelL2Len = kTestRunL2Len;
  inputs.icmpSource.bytes = kRelayTunnelAddr.b;
  inputs.wgListenPort = kWgPort;
  inputs.possibleCpus = static_cast<unsigned>(libbpf_num_possible_cpus());

  BpfConfigSlots slots(object_.mapFd("mf_config"), object_.mapFd("mf_active"));
  ApplyResult applied = applyGeneration(slots, buildMfConfig(config, inputs));
  return applied.ok ? "" : applied.error;
}

// No token on any CPU, refilled at 1/s: the rows that need it run for
// milliseconds after this, so every packet finds the bucket empty.
std::string RelayBench::emptyIcmpBuckets() const {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);  // bpf_ktime_get_ns's clock
  uint64_t nowNs = uint64_t(now.tv_sec) * 1000000000ull + uint64_t(now.tv_nsec);
  std::vector<mf_bucket> perCpu(static_cast<size_t>(libbpf_num_possible_cpus()), mf_bucket{0, nowNs});
  uint32_t key = kIcmpBucket;
  if (bpf_map_update_elem(object_.mapFd("mf_buckets"), &key, perCpu.data(), BPF_ANY) != 0)
    return updateError("mf_buckets", -errno);
  return "";
}

void RelayBench::buildPackets(SitePlan& plan, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i) {
    In6 a = plan.randomSiteHost(), b = plan.randomSiteHost();
    uint16_t port = plan.randomMeshPort();

    meshUdp_.push_back(udp6Packet(a, b, port, port, 64));
    echo_.push_back(eth6(test::icmp6({a, b, kForwardHopLimit}, 128, 0, test::payloadBytes(56))));

    // b tells a that a's mesh datagram to c was undeliverable: the quote is
    // an allowed flow in reverse, so the error is "related".
    In6 c = plan.randomSiteHost();
    Bytes quote = test::udp6({a, c}, port, plan.randomMeshPort(), 64);
    Bytes body = quote;
    body.insert(body.begin(), 4, 0);  // the error's unused word, then the quote
    relatedError_.push_back(eth6(test::icmp6({b, a, kForwardHopLimit}, 1, 4, body)));

    rejected_.push_back(udp6Packet(a, b, port, kNotMeshPort, 64));
    hopLimit1_.push_back(udp6Packet(a, b, port, port, 64, 1));
    tooBig_.push_back(udp6Packet(a, b, port, port, 1500 - 40 - 8));

    uint32_t id = plan.random32();
    firstFragments_.push_back(udp6Packet(a, b, port, port, 504, kForwardHopLimit,
                                         {test::fragmentHeader(0, true, id)}));
    // Later fragments whose first fragment is primed before every pass.
    uint32_t primedId = id ^ 0x5a5a5a5a;
    laterFragmentsPrimers_.push_back(udp6Packet(a, b, port, port, 504, kForwardHopLimit,
                                                {test::fragmentHeader(0, true, primedId)}));
    Ipv6Header ip{a, b, kForwardHopLimit};
    laterFragments_.push_back(eth6(test::ipv6Packet(ip, {test::fragmentHeader(64, false, primedId)},
                                                    test::kProtoUdp, test::payloadBytes(512))));
    orphanFragments_.push_back(eth6(test::ipv6Packet(ip, {test::fragmentHeader(64, false, ~id)}, test::kProtoUdp,
                                                     test::payloadBytes(512))));

    toSelf_.push_back(eth6(test::icmp6({a, kRelayTunnelAddr}, 128, 0, test::payloadBytes(56))));
    ipv4_.push_back(eth4(test::udp4(plan.randomInternetHost4(), {10, 0, 0, 1}, port, port, test::payloadBytes(64))));

    // The uplink: Internet peers to the relay's WireGuard port.
    auto peer4 = plan.randomInternetHost4();
    In6 peer6 = plan.randomInternetHost6();
    guardOther4_.push_back(eth4(test::udp4(peer4, kRelayUplink4, kPeerPort, kOtherUplinkPort, wgMessage(9, 1200))));
    guardOther6_.push_back(udp6Packet(peer6, kRelayUplink6, kPeerPort, kOtherUplinkPort, 1200, 64));
    guardInit4_.push_back(eth4(test::udp4(peer4, kRelayUplink4, kPeerPort, kWgPort, wgMessage(1, 148))));
    guardResp4_.push_back(eth4(test::udp4(peer4, kRelayUplink4, kPeerPort, kWgPort, wgMessage(2, 92))));
    guardCookie4_.push_back(eth4(test::udp4(peer4, kRelayUplink4, kPeerPort, kWgPort, wgMessage(3, 64))));
    // 1420-byte inner packets padded to 1424, plus header and tag.
    guardData4_.push_back(eth4(test::udp4(peer4, kRelayUplink4, kPeerPort, kWgPort, wgMessage(4, 1456))));
    Ipv6Header uplink6{peer6, kRelayUplink6};
    guardData6_.push_back(eth6(test::ipv6Packet(
        uplink6, {}, test::kProtoUdp,
        test::udpSegment(peer6, kRelayUplink6, kPeerPort, kWgPort, wgMessage(4, 1456)))));
    guardBadLength4_.push_back(eth4(test::udp4(peer4, kRelayUplink4, kPeerPort, kWgPort, wgMessage(1, 1001))));  // an initiation is 148 bytes
    guardInitOneSource_.push_back(
        eth4(test::udp4({192, 0, 2, 66}, kRelayUplink4, kPeerPort, kWgPort, wgMessage(1, 148))));
  }
  // The wrong-destination flood's path: a mesh port, but outside the /48.
  // Drawn after the loop so the other rows keep their packets.
  for (uint32_t i = 0; i < n; ++i) {
    In6 a = plan.randomSiteHost();
    uint16_t port = plan.randomMeshPort();
    rejectedOutside_.push_back(udp6Packet(a, plan.randomInternetHost6(), port, port, 64));
  }
}

std::vector<BenchRow> RelayBench::rows(const loader::BpfObject& bench) const {
  const char* kTc = "relay_tunnel_ingress";
  const char* kGuard = "relay_uplink_guard";
  auto base = [this] { return applyConfig(GuardLimit::Off); };

  std::vector<BenchRow> rows;
  auto tc = [&](std::string path, const std::vector<Packet>& packets, uint32_t verdict, uint32_t reason,
                bool rewrites = false) {
    BenchRow r;
    r.group = "relay_tc";
    r.path = std::move(path);
    r.object = &object_;
    r.program = kTc;
    r.hook = Hook::Tc;
    r.packets = packets;
    r.verdict = verdict;
    r.reason = reason;
    r.rewritesPacket = rewrites;
    r.prepare = base;
    rows.push_back(std::move(r));
  };
  tc("fwd_mesh_udp", meshUdp_, TC_ACT_REDIRECT, MF_R_FWD_MESH_UDP);
  rows.back().allowedPath = true;
  tc("fwd_icmp_echo", echo_, TC_ACT_REDIRECT, MF_R_FWD_ICMP);
  tc("fwd_icmp_error_related", relatedError_, TC_ACT_REDIRECT, MF_R_FWD_ICMP_RELATED);
  tc("reject_policy_build_1_3", rejected_, TC_ACT_REDIRECT, MF_R_REJECT_POLICY, true);
  // What each packet of a flood costs once the error limit has cut in:
  // the whole decision, then no token. Wrong port (inside the /48) and
  // wrong destination (outside it) take different ways to the same reject.
  auto spent = [this] {
    if (std::string err = applyConfig(GuardLimit::Off, IcmpLimit::Spent); !err.empty()) return err;
    return emptyIcmpBuckets();
  };
  tc("flood_wrong_port_ratelimited", rejected_, TC_ACT_SHOT, MF_R_DROP_ICMP_RATELIMIT);
  rows.back().prepare = spent;
  tc("flood_wrong_dest_ratelimited", rejectedOutside_, TC_ACT_SHOT, MF_R_DROP_ICMP_RATELIMIT);
  rows.back().prepare = spent;
  tc("time_exceeded_build", hopLimit1_, TC_ACT_REDIRECT, MF_R_TIME_EXCEEDED, true);
  tc("packet_too_big_build", tooBig_, TC_ACT_REDIRECT, MF_R_PACKET_TOO_BIG, true);
  tc("fwd_first_fragment", firstFragments_, TC_ACT_REDIRECT, MF_R_FWD_MESH_UDP);
  tc("fwd_later_fragment", laterFragments_, TC_ACT_REDIRECT, MF_R_FWD_FRAG);
  rows.back().prepare = [this, base] {
    if (std::string err = base(); !err.empty()) return err;
    int fd = object_.progFd("relay_tunnel_ingress");
    for (const Packet& p : laterFragmentsPrimers_) {
      if (loader::testRun(fd, p).retval != TC_ACT_REDIRECT) return std::string("a first fragment was not forwarded");
    }
    return std::string();
  };
  tc("drop_fragment_no_first", orphanFragments_, TC_ACT_SHOT, MF_R_DROP_FRAG_NO_FIRST);
  tc("pass_to_self", toSelf_, TC_ACT_OK, MF_R_PASS_LOCAL);
  tc("drop_ipv4", ipv4_, TC_ACT_SHOT, MF_R_DROP_IPV4);

  auto guard = [&](std::string path, const std::vector<Packet>& packets, uint32_t verdict, uint32_t reason,
                   GuardLimit limit = GuardLimit::Off) {
    BenchRow r;
    r.group = "relay_guard";
    r.path = std::move(path);
    r.object = &object_;
    r.program = kGuard;
    r.hook = Hook::Xdp;
    r.packets = packets;
    r.verdict = verdict;
    r.reason = reason;
    r.prepare = [this, limit] { return applyConfig(limit); };
    rows.push_back(std::move(r));
  };
  guard("pass_other_v4", guardOther4_, XDP_PASS, MF_G_PASS_OTHER);
  guard("pass_other_v6", guardOther6_, XDP_PASS, MF_G_PASS_OTHER);
  guard("pass_handshake_init", guardInit4_, XDP_PASS, MF_G_PASS_WG_INIT);
  guard("pass_handshake_init_limit_on", guardInit4_, XDP_PASS, MF_G_PASS_WG_INIT, GuardLimit::OnUnderLimit);
  guard("pass_handshake_response", guardResp4_, XDP_PASS, MF_G_PASS_WG_RESP);
  guard("pass_cookie_reply", guardCookie4_, XDP_PASS, MF_G_PASS_WG_COOKIE);
  guard("pass_transport_data_v4", guardData4_, XDP_PASS, MF_G_PASS_WG_DATA);
  guard("pass_transport_data_v6", guardData6_, XDP_PASS, MF_G_PASS_WG_DATA);
  guard("drop_bad_length", guardBadLength4_, XDP_DROP, MF_G_DROP_BAD_LENGTH);
  guard("drop_handshake_ratelimited", guardInitOneSource_, XDP_DROP, MF_G_DROP_HS_RATELIMIT,
        GuardLimit::OnOverLimit);
  // The one source's bucket (burst 1) is spent by a first initiation.
  rows.back().prepare = [this] {
    if (std::string err = applyConfig(GuardLimit::OnOverLimit); !err.empty()) return err;
    loader::testRun(object_.progFd("relay_uplink_guard"), guardInitOneSource_.front());
    return std::string();
  };

  BenchRow fib;
  fib.group = "reference";
  fib.path = "fib_lookup_skip_neigh";
  fib.object = &bench;
  fib.program = "bench_fib_tc";
  fib.hook = Hook::Tc;
  fib.packets = meshUdp_;
  fib.verdict = TC_ACT_OK;  // a route was found for every destination
  rows.push_back(std::move(fib));
  return rows;
}

}  // namespace meshfwd::bench
