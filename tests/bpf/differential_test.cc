// Randomized differential test: the BPF programs against the independent
// C++ reference models (tests/support/policy_model.*, edge_model.*), over
// at least 100,000 random and mutated packets per role. Every packet must
// get the model's verdict, be counted under the model's reason (and only
// that one), and leave exactly the model's bytes. The seed comes from
// MESHFWD_DIFF_SEED or is random; a failure prints it with the packet.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <sched.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <thread>

#include "loader/map_ops.h"
#include "tests/support/datapath_fixture.h"
#include "tests/support/edge_model.h"
#include "tests/support/packet_fuzz.h"
#include "tests/support/policy_model.h"
#include "userspace/reasons.h"

namespace meshfwd::test {
namespace {

constexpr size_t kPacketsPerRole = 100000;
constexpr size_t kUnconfiguredPackets = 300;   // before any config: everything passes
constexpr size_t kFragmentEpoch = 4000;        // forget fragment state this often (LRU stays far from full)
constexpr size_t kCounterAudit = 2500;         // check no packet was counted twice this often

static_assert(kTcActOk == TC_ACT_OK && kTcActShot == TC_ACT_SHOT && kTcActRedirect == TC_ACT_REDIRECT);
static_assert(kXdpDrop == XDP_DROP && kXdpPass == XDP_PASS && kXdpTx == XDP_TX);

// The relay plan of the differential run: more than seedRelay() so that the
// LPM, the tunnel check and the MTUs are exercised.
constexpr uint32_t kSecondTunnel = 5;
constexpr uint32_t kNotATunnel = 9;
const In6 kWidePrefix = In6::parse("fd42:4242:4242:10::");     // /60, MTU 1300
const In6 kShadowingNonTunnel = In6::parse("fd42:4242:4242:11::");  // /64 inside it, routed to no tunnel
// A /48 outside the mesh routed through the tunnel with an MTU of 1400:
// route sync never writes such an entry, and the relay must ignore it (no
// egress lookup outside the /48, so no packet too big from it).
const In6 kForeignPrefix = In6::parse("2001:db8:1::");
const In6 kRelayInMeshLocal = In6::parse("fd42:4242:4242:ff::53");
const In6 kEdgeTunnelAddr = In6::parse("fd99::2");

uint64_t diffSeed() {
  const char* env = std::getenv("MESHFWD_DIFF_SEED");
  if (env && *env) return std::strtoull(env, nullptr, 0);
  return std::random_device{}() ^ (uint64_t(std::random_device{}()) << 32);
}

std::string reasonName(uint32_t id) {
  auto info = reasonById(id);
  return std::to_string(id) + (info ? " (" + std::string(info->name) + ")" : "");
}

std::string actionName(bool xdp, uint32_t action) {
  static const char* kTc[] = {"TC_ACT_OK", "TC_ACT_RECLASSIFY", "TC_ACT_SHOT", "TC_ACT_PIPE",
                              "TC_ACT_STOLEN", "TC_ACT_QUEUED", "TC_ACT_REPEAT", "TC_ACT_REDIRECT"};
  static const char* kXdp[] = {"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT"};
  if (xdp && action < 5) return kXdp[action];
  if (!xdp && action < 8) return kTc[action];
  return std::to_string(action);
}

// Observes which reason a run was counted under, without reading all 128
// per-CPU counters per packet: the model's reason is checked first, the
// whole table only when that one did not move.
class CounterWatch {
 public:
  explicit CounterWatch(const DatapathFixture& fixture) : fixture_(fixture) { refresh(); }

  void refresh() {
    for (uint32_t r = 0; r < MF_REASON_MAX; ++r) known_[r] = fixture_.counter(r).packets;
  }
  // The reason counted since the last call, or the list of what moved.
  std::string countedSince(uint32_t expected, bool& asExpected) {
    uint64_t now = fixture_.counter(expected).packets;
    if (now == known_[expected] + 1) {
      known_[expected] = now;
      asExpected = true;
      return reasonName(expected);
    }
    asExpected = false;
    std::string moved;
    for (uint32_t r = 0; r < MF_REASON_MAX; ++r) {
      uint64_t v = fixture_.counter(r).packets;
      if (v != known_[r]) moved += (moved.empty() ? "" : ", ") + reasonName(r) + " +" + std::to_string(v - known_[r]);
      known_[r] = v;
    }
    return moved.empty() ? "nothing counted" : moved;
  }
  uint64_t total() const {
    uint64_t sum = 0;
    for (uint64_t v : known_) sum += v;
    return sum;
  }
  uint64_t freshTotal() const {
    uint64_t sum = 0;
    for (uint32_t r = 0; r < MF_REASON_MAX; ++r) sum += fixture_.counter(r).packets;
    return sum;
  }

 private:
  const DatapathFixture& fixture_;
  std::array<uint64_t, MF_REASON_MAX> known_{};
};

// Runs one frame through one program and holds it to the model's verdict.
// Returns a description of the first disagreement, or nothing.
std::optional<std::string> compare(DatapathFixture& fixture, CounterWatch& counters, std::string_view program,
                                   bool xdp, const Bytes& frame, const ModelVerdict& model) {
  uint64_t siteBefore = 0;
  uint32_t siteDirection = MF_DIR_TO_SITE;
  if (model.siteId) {
    siteDirection = (program == "edge_lan_ingress") ? MF_DIR_FROM_SITE : MF_DIR_TO_SITE;
    siteBefore = fixture.siteCounter(*model.siteId, siteDirection).packets;
  }
  loader::TestRunResult got = fixture.run(program, frame);
  std::ostringstream diff;
  bool countedRight = false;
  std::string counted = counters.countedSince(model.reason, countedRight);
  if (got.error != 0) diff << "BPF_PROG_TEST_RUN failed: " << got.error << "\n";
  if (got.retval != static_cast<uint32_t>(model.action))
    diff << "verdict: model " << actionName(xdp, model.action) << ", BPF " << actionName(xdp, got.retval) << "\n";
  if (!countedRight) diff << "reason: model " << reasonName(model.reason) << ", BPF counted " << counted << "\n";
  bool bytesMatter = model.action != (xdp ? kXdpDrop : kTcActShot);
  if (bytesMatter && got.output != model.output) {
    size_t at = 0;
    while (at < got.output.size() && at < model.output.size() && got.output[at] == model.output[at]) ++at;
    diff << "output bytes differ at offset " << at << " (model " << model.output.size() << " bytes, BPF "
         << got.output.size() << ")\nmodel output:\n"
         << hexdump(model.output) << "\nBPF output:\n"
         << hexdump(got.output) << "\n";
  }
  if (model.siteId && got.retval == static_cast<uint32_t>(model.action)) {
    uint64_t siteAfter = fixture.siteCounter(*model.siteId, siteDirection).packets;
    if (siteAfter != siteBefore + 1)
      diff << "site counter [" << *model.siteId << "][" << siteDirection << "] moved by " << siteAfter - siteBefore
           << ", expected 1\n";
  }
  if (diff.str().empty()) return std::nullopt;
  return "program " + std::string(program) + "\n" + diff.str();
}

// BPF_PROG_TEST_RUN refuses (EINVAL) a TC input whose EtherType announces
// IPv6 or IPv4 but whose L3 part is shorter than that header (measured on
// this kernel). Such frames cannot be run, so they are generated but not
// compared, and counted apart; any other EINVAL is a failure.
bool testRunRefuses(bool xdp, const Bytes& frame) {
  if (xdp || frame.size() < 14) return false;
  uint16_t ethertype = static_cast<uint16_t>((frame[12] << 8) | frame[13]);
  return (ethertype == 0x86dd && frame.size() < 14 + 40) || (ethertype == 0x0800 && frame.size() < 14 + 20);
}

// By default the first mismatch ends the run. With MESHFWD_DIFF_KEEP_GOING
// set, the run goes on and ends with one example per kind of disagreement
// (program, model reason, BPF verdict line), to survey a new program.
class Mismatches {
 public:
  Mismatches() : keepGoing_(std::getenv("MESHFWD_DIFF_KEEP_GOING") != nullptr) {}
  // True when the run should stop here.
  bool record(const std::string& kind, const std::string& report) {
    ++total_;
    auto [it, fresh] = examples_.try_emplace(kind, report, 0);
    ++it->second.second;
    return !keepGoing_;
  }
  bool empty() const { return total_ == 0; }
  std::string summary() const {
    std::ostringstream out;
    out << total_ << " mismatches in " << examples_.size() << " kinds\n";
    for (const auto& [kind, example] : examples_)
      out << "=== " << example.second << " x " << kind << "\n" << example.first << "\n";
    return out.str();
  }

 private:
  bool keepGoing_;
  size_t total_ = 0;
  std::map<std::string, std::pair<std::string, size_t>> examples_;
};

// The kind of a disagreement: the program and the first two lines of the
// difference (verdict and reason), without the bytes.
std::string mismatchKind(const std::string& diff) {
  size_t end = 0;
  for (int line = 0; line < 3 && end != std::string::npos; ++line) end = diff.find('\n', end + 1);
  std::string kind = diff.substr(0, end);
  for (auto& c : kind)
    if (c == '\n') c = ' ';
  return kind.substr(0, kind.find("output bytes"));
}

std::string failureReport(uint64_t seed, size_t index, const PacketFuzzer& fuzzer, const Bytes& frame,
                          const std::string& diff) {
  std::ostringstream out;
  out << "MESHFWD_DIFF_SEED=" << seed << " packet #" << index << ": " << fuzzer.lastDescription() << "\n"
      << diff << "input frame:\n"
      << hexdump(frame);
  return out.str();
}

// ---------------------------------------------------------------- relay

RelayMaps relayPlan(const mf_config& config) {
  RelayMaps m;
  m.config = config;
  m.tunnels[kTunnelIfindex] = mf_tunnel{kTunnelMtu, 14, kTunnelIfindex};
  m.tunnels[kSecondTunnel] = mf_tunnel{1380, 14, kSecondTunnel};
  m.egress.push_back({kSiteA, 64, mf_egress{kTunnelIfindex, kTunnelMtu, kSiteIdA, 14}});
  m.egress.push_back({kSiteB, 64, mf_egress{kSecondTunnel, 1280, kSiteIdB, 14}});
  m.egress.push_back({kWidePrefix, 60, mf_egress{kTunnelIfindex, 1300, 3, 14}});
  m.egress.push_back({kShadowingNonTunnel, 64, mf_egress{kNotATunnel, kTunnelMtu, 4, 14}});
  m.egress.push_back({kForeignPrefix, 48, mf_egress{kTunnelIfindex, 1400, 5, 14}});
  m.localAddrs = {kRelayTunnelAddr.b, kRelayInMeshLocal.b};
  return m;
}

void seedRelayPlan(DatapathFixture& fixture, const RelayMaps& plan) {
  fixture.setConfig(plan.config);
  for (const auto& [ifindex, tunnel] : plan.tunnels) fixture.addTunnel(ifindex, tunnel.mtu, tunnel.l2_len);
  for (const auto& e : plan.egress)
    fixture.addEgress(e.prefix, e.prefixLen, e.value.ifindex, e.value.mtu, e.value.site_id, e.value.l2_len);
  for (const auto& a : plan.localAddrs) {
    In6 addr;
    addr.b = a;
    fixture.addLocalAddr(addr, kTunnelIfindex);
  }
}

FuzzSpace relaySpace() {
  FuzzSpace s;
  for (const char* a : {"fd42:4242:4242:a::10", "fd42:4242:4242:a::11", "fd42:4242:4242:b::20",
                        "fd42:4242:4242:ff::1", "fd42:4242:4243::1", "fd42:4242:4241:ffff:ffff:ffff:ffff:ffff",
                        "fd42:4242:4242::", "fd42:4242:4242:ffff:ffff:ffff:ffff:ffff", "fd99::1",
                        "fd42:4242:4242:ff::53", "fe80::1", "febf:ffff::1", "fec0::1", "ff02::1", "ff05::1:3",
                        "::", "::1", "2001:db8:1::5", "fd42:4242:4242:11::7", "fd42:4242:4242:1f::1",
                        "fd42:4242:4242:20::1"})
    s.addresses.push_back(In6::parse(a));
  for (const In6& p : {kSiteA, kSiteB, kWidePrefix, kShadowingNonTunnel, kForeignPrefix}) s.hostRanges.push_back({p});
  s.meshPrefix = kMeshBase;
  s.portLo = 58000;
  s.portHi = 60000;
  s.l3SizeEdges = {1232, 1280, 1300, 1380, 1400, 1420};
  s.dstMacs = {kRouterMac};
  s.srcMac = kPeerMac;
  return s;
}

// ICMPv6 informational types get a random action table in the second half,
// so the program is seen reading icmp_action rather than knowing the 2a
// table by heart. Error types keep 2a's: the spec never has the relay answer
// an error with an error.
mf_config shuffledIcmpTable(mf_config config, std::mt19937_64& rng) {
  static constexpr uint8_t kInMesh[] = {MF_ICMP_DROP, MF_ICMP_FORWARD, MF_ICMP_REJECT};
  static constexpr uint8_t kElsewhere[] = {MF_ICMP_DROP, MF_ICMP_REJECT};
  for (int type = 128; type < 256; ++type)
    config.icmp_action[type] = MF_ICMP_ACTION(kInMesh[rng() % 3], kElsewhere[rng() % 2]);
  return config;
}

void forgetFragments(DatapathFixture& fixture, FragmentMemory& memory) {
  for (const auto& key : memory.keys()) {
    mf_frag_key k{};
    std::memcpy(k.saddr, key.saddr.data(), 16);
    std::memcpy(k.daddr, key.daddr.data(), 16);
    k.id = key.id;
    loader::deleteElem(fixture.object().mapFd("mf_frags"), k);
  }
  memory.forget();
}

TEST(DifferentialRelay, BpfAgreesWithTheReferenceModel) {
  DatapathFixture fixture(loader::ObjectKind::Relay);
  ASSERT_TRUE(fixture.ok()) << fixture.error();
  ASSERT_GE(fixture.object().progFd("relay_tunnel_ingress"), 0);
  const uint64_t seed = diffSeed();
  std::mt19937_64 tableRng(seed);
  PacketFuzzer fuzzer(seed, relaySpace());
  CounterWatch counters(fixture);

  // Before userspace has written a config everything goes to the stack.
  Mismatches mismatches;
  RelayPolicyModel unconfigured(RelayMaps{});
  size_t refused = 0;
  for (size_t i = 0; i < kUnconfiguredPackets; ++i) {
    Bytes frame = fuzzer.next();
    if (testRunRefuses(false, frame)) {
      ++refused;
      continue;
    }
    auto diff = compare(fixture, counters, "relay_tunnel_ingress", false, frame, unconfigured.decide(frame));
    if (diff && mismatches.record(mismatchKind(*diff), failureReport(seed, i, fuzzer, frame, *diff))) break;
  }

  mf_config config = DatapathFixture::relayConfig();
  config.icmp_rate = 0;  // unlimited: the token bucket is time, not policy
  RelayPolicyModel model(relayPlan(config));
  seedRelayPlan(fixture, model.maps());
  size_t compared = 0, generated = 0;
  bool shuffled = false;
  while (compared < kPacketsPerRole && (mismatches.empty() || std::getenv("MESHFWD_DIFF_KEEP_GOING"))) {
    if (!shuffled && compared == kPacketsPerRole / 2) {
      // A new generation with a shuffled ICMPv6 table; fragment verdicts
      // remembered under the old one are forgotten on both sides.
      RelayMaps next = model.maps();
      next.config = shuffledIcmpTable(config, tableRng);
      forgetFragments(fixture, model.fragments());
      model = RelayPolicyModel(next);
      fixture.setConfig(next.config);
      shuffled = true;
    }
    if (++generated % kFragmentEpoch == 0) forgetFragments(fixture, model.fragments());
    Bytes frame = fuzzer.next();
    if (testRunRefuses(false, frame)) {
      ++refused;
      continue;
    }
    ModelVerdict expected = model.decide(frame);
    auto diff = compare(fixture, counters, "relay_tunnel_ingress", false, frame, expected);
    if (diff && mismatches.record(mismatchKind(*diff), failureReport(seed, generated, fuzzer, frame, *diff))) break;
    if (++compared % kCounterAudit == 0) {
      ASSERT_EQ(counters.freshTotal(), counters.total()) << "a packet was counted twice";
    }
  }
  ASSERT_TRUE(mismatches.empty()) << mismatches.summary();
  std::printf("relay_tunnel_ingress: %zu packets compared, 0 mismatches (seed %llu; %zu frames the test run "
              "refuses not compared)\n",
              compared, static_cast<unsigned long long>(seed), refused);
}

// ----------------------------------------------------------------- edge

// The IPv4 FIB the edge differential runs against, in a private network
// namespace: routes of each class bpf_fib_lookup distinguishes. The model
// gets the same table as its FIB input.
constexpr const char* kEdgeIpv4Fib =
    "ip link set lo up && ip addr add 192.0.2.1/32 dev lo && ip route add 198.51.100.0/24 dev lo && "
    "ip route add blackhole 203.0.113.0/24 && ip route add prohibit 192.0.2.128/25 && "
    "sysctl -qw net.ipv4.conf.all.forwarding=1 net.ipv4.conf.lo.forwarding=1";

FibAnswer edgeIpv4Fib(const std::array<uint8_t, 4>& dst) {
  if (dst[0] == 198 && dst[1] == 51 && dst[2] == 100) return FibAnswer::Forwarded;
  if (dst[0] == 203 && dst[1] == 0 && dst[2] == 113) return FibAnswer::Other;               // blackhole
  if (dst[0] == 192 && dst[1] == 0 && dst[2] == 2 && dst[3] >= 128) return FibAnswer::Other;  // prohibit
  return FibAnswer::NotForwarded;  // local, or no route at all (the lookup says NOT_FWDED for both)
}

EdgeMaps edgePlan() {
  EdgeMaps m;
  m.config = DatapathFixture::edgeConfig();
  m.config.icmp_rate = 0;
  mf_edge_state state{};
  state.vrrp_master = 1;
  std::memcpy(state.vmac, kVirtualMac.data(), 6);
  m.edgeState = state;
  m.localAddrs = {kEdgeLanAddr.b, kEdgeTunnelAddr.b};
  m.fib = edgeIpv4Fib;
  return m;
}

void seedEdgePlan(DatapathFixture& fixture, const EdgeMaps& plan) {
  fixture.setConfig(plan.config);
  fixture.addTunnel(kTunnelIfindex, kTunnelMtu);
  fixture.addLocalAddr(kEdgeLanAddr, kLanIfindex);
  fixture.addLocalAddr(kEdgeTunnelAddr, kTunnelIfindex);
  Mac vmac;
  std::memcpy(vmac.data(), plan.edgeState->vmac, 6);
  fixture.setEdgeState(plan.edgeState->vrrp_master != 0, vmac);
}

FuzzSpace edgeSpace(bool lanSide) {
  FuzzSpace s;
  for (const char* a : {"fd42:4242:4242:a::10", "fd42:4242:4242:a::11", "fd42:4242:4242:a::1", "fd42:4242:4242:b::20",
                        "fd42:4242:4242:ff::1", "fd42:4242:4243::1", "fd42:4242:4241:ffff:ffff:ffff:ffff:ffff",
                        "fd42:4242:4242:9:ffff:ffff:ffff:ffff", "fd42:4242:4242:a:ffff:ffff:ffff:ffff",
                        "fd42:4242:4242:b::", "fd99::2", "fd99::1", "fe80::1", "febf:ffff::1", "fec0::1",
                        "ff02::1", "ff02::12", "ff05::1:3", "::", "::1", "2001:db8:1::5"})
    s.addresses.push_back(In6::parse(a));
  s.hostRanges = {{kSiteA}, {kSiteA}, {kSiteA}, {kSiteB}, {In6::parse("2001:db8:77::")}};
  s.meshPrefix = kMeshBase;
  s.portLo = 58000;
  s.portHi = 60000;
  s.l3SizeEdges = {1232, 1280, 1420};
  s.ipv4Addresses = {{198, 51, 100, 7}, {203, 0, 113, 9},   {192, 0, 2, 1},  {192, 0, 2, 200},
                     {224, 0, 0, 18},   {255, 255, 255, 255}, {10, 1, 2, 3}, {127, 0, 0, 1}};
  if (lanSide)
    s.dstMacs = {kRouterMac, kRouterMac, kRouterMac, kVirtualMac, kVirtualMac, kPeerMac,
                 Mac{0x33, 0x33, 0, 0, 0, 1}, Mac{0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
                 Mac{0x00, 0x00, 0x5e, 0x00, 0x02, 0x2b}};
  else
    s.dstMacs = {kRouterMac};
  s.srcMac = kPeerMac;
  return s;
}

// Runs `body` on a thread of its own in a fresh network namespace whose
// IPv4 FIB is kEdgeIpv4Fib: the edge's IPv4 path asks the kernel's FIB of
// the namespace the test runs in, so the run must not depend on the host's.
void inEdgeFibNamespace(const std::function<void()>& body) {
  std::thread worker([&] {
    ASSERT_EQ(unshare(CLONE_NEWNET), 0) << "unshare(CLONE_NEWNET): " << std::strerror(errno);
    ASSERT_EQ(std::system(kEdgeIpv4Fib), 0) << kEdgeIpv4Fib;
    body();
  });
  worker.join();
}

void runEdgeDifferential() {
  DatapathFixture fixture(loader::ObjectKind::Edge);
  ASSERT_TRUE(fixture.ok()) << fixture.error();
  for (const char* p : {"edge_lan_xdp", "edge_lan_ingress", "edge_tunnel_ingress"})
    ASSERT_GE(fixture.object().progFd(p), 0) << p;
  const uint64_t seed = diffSeed();
  PacketFuzzer lanFuzzer(seed, edgeSpace(true));
  PacketFuzzer tunnelFuzzer(seed ^ 0x9e3779b97f4a7c15ull, edgeSpace(false));
  CounterWatch counters(fixture);

  const uint64_t tunnelSeed = seed ^ 0x9e3779b97f4a7c15ull;
  size_t xdpCompared = 0, lanCompared = 0, tunnelCompared = 0, refused = 0;
  // One LAN frame through both LAN programs and one tunnel packet through
  // the tunnel program; frames the test run refuses are drawn again.
  Mismatches mismatches;
  auto check = [&](const EdgePolicyModel& model) {
    for (;;) {
      Bytes frame = lanFuzzer.next();
      auto diff = compare(fixture, counters, "edge_lan_xdp", true, frame, model.lanXdp(frame));
      if (diff && mismatches.record(mismatchKind(*diff), failureReport(seed, xdpCompared, lanFuzzer, frame, *diff)))
        return false;
      ++xdpCompared;
      if (testRunRefuses(false, frame)) {
        ++refused;
        continue;
      }
      diff = compare(fixture, counters, "edge_lan_ingress", false, frame, model.lanIngress(frame));
      if (diff && mismatches.record(mismatchKind(*diff), failureReport(seed, xdpCompared, lanFuzzer, frame, *diff)))
        return false;
      ++lanCompared;
      break;
    }
    for (;;) {
      Bytes frame = tunnelFuzzer.next();
      if (testRunRefuses(false, frame)) {
        ++refused;
        continue;
      }
      auto diff = compare(fixture, counters, "edge_tunnel_ingress", false, frame, model.tunnelIngress(frame));
      if (diff && mismatches.record(mismatchKind(*diff),
                                    failureReport(tunnelSeed, tunnelCompared, tunnelFuzzer, frame, *diff)))
        return false;
      ++tunnelCompared;
      break;
    }
    return true;
  };

  EdgeMaps unconfiguredMaps;
  unconfiguredMaps.fib = edgeIpv4Fib;
  EdgePolicyModel unconfigured(unconfiguredMaps);
  for (size_t i = 0; i < kUnconfiguredPackets; ++i) {
    if (!check(unconfigured)) break;
  }

  EdgePolicyModel model(edgePlan());
  seedEdgePlan(fixture, model.maps());
  for (size_t i = 0; i < kPacketsPerRole; ++i) {
    if (i == kPacketsPerRole / 2) {
      // Second half: this edge is a VRRP backup with source validation off,
      // so frames to the vmac are not ours and spoofed sources forward.
      EdgeMaps backup = model.maps();
      backup.config.flags &= ~MF_F_SOURCE_VALIDATION;
      backup.edgeState->vrrp_master = 0;
      model = EdgePolicyModel(backup);
      seedEdgePlan(fixture, backup);
    }
    if (!mismatches.empty() && !std::getenv("MESHFWD_DIFF_KEEP_GOING")) break;
    if (!check(model)) break;
    if (i % kCounterAudit == 0) {
      ASSERT_EQ(counters.freshTotal(), counters.total()) << "a packet was counted twice";
    }
  }
  ASSERT_TRUE(mismatches.empty()) << mismatches.summary();
  std::printf("edge: %zu edge_lan_xdp, %zu edge_lan_ingress, %zu edge_tunnel_ingress runs compared, 0 mismatches "
              "(seed %llu; %zu frames the test run refuses not compared)\n",
              xdpCompared, lanCompared, tunnelCompared, static_cast<unsigned long long>(seed), refused);
}

TEST(DifferentialEdge, BpfAgreesWithTheReferenceModel) { inEdgeFibNamespace(runEdgeDifferential); }

}  // namespace
}  // namespace meshfwd::test
