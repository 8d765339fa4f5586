// The loader on real interfaces: attach/re-attach/detach/status of the
// hook layout on veths and a TUN device in throw-away namespaces ("ld-*"),
// with the loader-test object (the role's program names over the real
// maps, passing and counting every packet). Root only.
//
// The loader acts on the calling thread's namespace, so every loader call
// runs on a thread that entered the namespace with setns(); `ip netns exec`
// would hide the bpffs pins. iproute2 (`ip -n`, `tc -n`) needs no pins.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "loader/bpf_object.h"
#include "loader/datapath.h"
#include "loader/instance_state.h"
#include "loader/interfaces.h"
#include "loader/map_ops.h"
#include "loader/tc_hook.h"
#include "loader/xdp_hook.h"
#include "maps/meshfwd_abi.h"

namespace meshfwd::loader {
namespace {

constexpr const char* kTun = "ld-tun0";
constexpr const char* kLan = "ld-lan0";      // the router's side
constexpr const char* kLanPeer = "ld-lan1";  // where test frames are sent from
constexpr const char* kUplink = "ld-up0";
constexpr const char* kUplinkPeer = "ld-up1";
constexpr int kFrames = 40;

std::string run(const std::string& command, int* status = nullptr) {
  std::string out;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return out;
  std::array<char, 4096> buffer{};
  while (size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) out.append(buffer.data(), n);
  int rc = pclose(pipe);
  if (status) *status = rc;
  return out;
}

void mustRun(const std::string& command) {
  int status = 0;
  std::string out = run(command, &status);
  ASSERT_EQ(status, 0) << command << ":\n" << out;
}

// Runs f on a thread inside the named namespace and returns its result.
template <typename F>
auto inNetns(const std::string& ns, F&& f) -> decltype(f()) {
  std::optional<decltype(f())> result;
  std::string error;
  std::thread worker([&] {
    int fd = open(("/var/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) {
      error = "cannot enter namespace " + ns + ": " + std::strerror(errno);
      if (fd >= 0) close(fd);
      return;
    }
    close(fd);
    result.emplace(f());
  });
  worker.join();
  if (!result) {
    ADD_FAILURE() << error;
    return decltype(f()){};
  }
  return std::move(*result);
}

// Detaches whatever meshfwd left in the namespace, then deletes it.
void destroyNetns(const std::string& ns) {
  struct stat st {};
  if (stat(("/var/run/netns/" + ns).c_str(), &st) == 0) inNetns(ns, [] { return detach(); });
  run("ip netns del " + ns);
}

// A namespace that is deleted (after a detach) however the test ends.
class ScopedNetns {
 public:
  explicit ScopedNetns(std::string name) : name_(std::move(name)) {
    destroyNetns(name_);
    mustRun("ip netns add " + name_);
  }
  ~ScopedNetns() { destroyNetns(name_); }
  ScopedNetns(const ScopedNetns&) = delete;
  ScopedNetns& operator=(const ScopedNetns&) = delete;
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

// Namespaces a crashed earlier run left behind: "ld-<pid>-..." whose pid
// is gone. Every process of this binary (any netns test) runs this, so a
// live loader test of another run (another build directory) keeps its own.
class StaleNamespaceSweep : public ::testing::Environment {
 public:
  void SetUp() override {
    std::istringstream list(run("ip netns list"));
    for (std::string line; std::getline(list, line);) {
      std::string name = line.substr(0, line.find(' '));
      if (name.rfind("ld-", 0) != 0) continue;
      pid_t owner = static_cast<pid_t>(std::strtol(name.c_str() + 3, nullptr, 10));
      if (owner > 0 && (::kill(owner, 0) == 0 || errno == EPERM)) continue;  // that run is still going
      destroyNetns(name);
    }
  }
};
[[maybe_unused]] const auto* const kSweep = ::testing::AddGlobalTestEnvironment(new StaleNamespaceSweep);

mf_counter sumCounter(int mapFd, uint32_t reason) {
  std::vector<mf_counter> perCpu;
  mf_counter sum{};
  if (lookupPerCpu(mapFd, reason, perCpu) != 0) return sum;
  for (const mf_counter& c : perCpu) {
    sum.packets += c.packets;
    sum.bytes += c.bytes;
  }
  return sum;
}

// Sends `count` Ethernet frames (local experimental ethertype) out of iface.
int sendFrames(const std::string& iface, int count) {
  int s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (s < 0) return -errno;
  sockaddr_ll to{};
  to.sll_family = AF_PACKET;
  to.sll_ifindex = static_cast<int>(interfaceIndex(iface));
  to.sll_halen = ETH_ALEN;
  std::array<uint8_t, 64> frame{};
  frame.fill(0);
  for (int i = 0; i < 6; ++i) frame[i] = 0xff;  // broadcast: every veth delivers it
  frame[6] = 0x02;
  frame[12] = 0x88;
  frame[13] = 0xb5;
  int sent = 0;
  for (int i = 0; i < count; ++i)
    if (sendto(s, frame.data(), frame.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) ==
        static_cast<ssize_t>(frame.size()))
      ++sent;
  close(s);
  return sent;
}

// Polls the pinned counter of `reason` until it reaches `atLeast`.
uint64_t waitForCounter(uint32_t reason, uint64_t atLeast) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  uint64_t packets = 0;
  do {
    std::string error;
    PinnedMaps maps = PinnedMaps::open(&error);
    if (maps.ok()) packets = sumCounter(maps.fd("mf_counters"), reason).packets;
    if (packets >= atLeast) return packets;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  } while (std::chrono::steady_clock::now() < deadline);
  return packets;
}

const Attachment* findAttachment(const std::vector<Attachment>& list, const std::string& iface,
                                 const std::string& hook) {
  for (const Attachment& a : list)
    if (a.iface == iface && a.hook == hook) return &a;
  return nullptr;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

class LoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ns_.emplace("ld-" + std::to_string(getpid()) + "-" + std::to_string(testNumber_++));
    const std::string& n = ns_->name();
    mustRun("ip -n " + n + " link add " + kLan + " type veth peer name " + kLanPeer);
    mustRun("ip -n " + n + " link add " + kUplink + " type veth peer name " + kUplinkPeer);
    mustRun("ip -n " + n + " tuntap add dev " + kTun + " mode tun");
    for (const char* dev : {kLan, kLanPeer, kUplink, kUplinkPeer, kTun, "lo"})
      mustRun("ip -n " + n + " link set dev " + dev + " up");
  }

  const std::string& ns() const { return ns_->name(); }

  AttachRequest edgeRequest() const {
    AttachRequest r;
    r.kind = ObjectKind::Edge;
    r.tunnel = kTun;
    r.lan = kLan;
    r.programsFrom = ObjectKind::LoaderTest;
    return r;
  }

  AttachRequest relayRequest() const {
    AttachRequest r;
    r.kind = ObjectKind::Relay;
    r.tunnel = kTun;
    r.uplink = kUplink;
    r.programsFrom = ObjectKind::LoaderTest;
    return r;
  }

  AttachOutcome attachIn(const AttachRequest& request) {
    return inNetns(ns(), [&] { return attach(request); });
  }
  std::vector<Attachment> statusIn() {
    return inNetns(ns(), [] { return status(); });
  }
  std::string tcFilters(const std::string& dev) { return run("tc -n " + ns() + " filter show dev " + dev + " ingress"); }
  bool hasClsact(const std::string& dev) {
    return run("tc -n " + ns() + " qdisc show dev " + dev).find("clsact") != std::string::npos;
  }
  uint32_t xdpProgOn(const std::string& dev) {
    return inNetns(ns(), [&] {
      XdpHookState s;
      queryXdp(static_cast<int>(interfaceIndex(dev)), s);
      return s.progId;
    });
  }
  uint32_t tcProgOn(const std::string& dev) {
    return inNetns(ns(), [&] {
      uint32_t id = 0;
      queryTc(static_cast<int>(interfaceIndex(dev)), &id);
      return id;
    });
  }
  bool pinned(const std::string& relative) {
    return inNetns(ns(), [&] {
      struct stat st {};
      return stat((pinRoot() + "/" + relative).c_str(), &st) == 0;
    });
  }

  static inline int testNumber_ = 0;
  std::optional<ScopedNetns> ns_;
};

TEST_F(LoaderTest, EdgeAttachesNativeXdpOnVethAndStatusReadsItBack) {
  AttachOutcome out = attachIn(edgeRequest());
  ASSERT_TRUE(out.ok()) << out.error;
  ASSERT_EQ(out.attached.size(), 3u);
  EXPECT_FALSE(out.adoptedMaps);

  std::vector<Attachment> st = statusIn();
  ASSERT_EQ(st.size(), 3u);
  const Attachment* xdp = findAttachment(st, kLan, "xdp");
  const Attachment* lanTc = findAttachment(st, kLan, "tc-ingress");
  const Attachment* tunTc = findAttachment(st, kTun, "tc-ingress");
  ASSERT_TRUE(xdp && lanTc && tunTc);
  EXPECT_EQ(xdp->mode, "native");
  EXPECT_EQ(xdp->program, "edge_lan_xdp");
  EXPECT_EQ(lanTc->program, "edge_lan_ingress");
  EXPECT_EQ(tunTc->program, "edge_tunnel_ingress");
  EXPECT_EQ(tunTc->mode, "tc");
  EXPECT_NE(xdp->progId, 0u);
  EXPECT_EQ(xdp->progId, xdpProgOn(kLan));
  for (const Attachment& a : out.attached) {
    const Attachment* s = findAttachment(st, a.iface, a.hook);
    ASSERT_TRUE(s) << a.iface << " " << a.hook;
    EXPECT_EQ(s->progId, a.progId);
  }
  // The kernel's own view agrees, and the filter sits in meshfwd's slot.
  std::string filters = tcFilters(kTun);
  EXPECT_NE(filters.find("edge_tunnel_ing"), std::string::npos) << filters;  // the kernel keeps 15 characters
  EXPECT_NE(filters.find("handle 0x6d66"), std::string::npos) << filters;
  EXPECT_NE(filters.find("id " + std::to_string(tunTc->progId)), std::string::npos) << filters;
  for (const char* pin : {"progs/edge_lan_xdp", "progs/edge_lan_ingress", "progs/edge_tunnel_ingress",
                          "maps/mf_counters", "maps/mf_config", "state"})
    EXPECT_TRUE(pinned(pin)) << pin;
  EXPECT_TRUE(inNetns(ns(), [] {
    std::string e;
    PinnedMaps maps = PinnedMaps::open(&e);
    return maps.ok() && maps.kind() == ObjectKind::Edge && maps.fd("mf_egress") >= 0 && maps.fd("nope") == -1;
  }));
}

TEST_F(LoaderTest, XdpOnTunFallsBackToGenericWithAWarning) {
  AttachRequest r = relayRequest();
  r.tunnel = kUplinkPeer;  // TC on a veth
  r.uplink = kTun;         // the guard on a TUN: no native XDP there
  AttachOutcome out = attachIn(r);
  ASSERT_TRUE(out.ok()) << out.error;
  const Attachment* guard = findAttachment(out.attached, kTun, "xdp");
  ASSERT_TRUE(guard);
  EXPECT_EQ(guard->mode, "generic");
  std::string warnings = joined(out.warnings);
  EXPECT_NE(warnings.find("'ld-tun0' has no native XDP support"), std::string::npos) << warnings;
  EXPECT_NE(warnings.find("generic"), std::string::npos) << warnings;

  std::vector<Attachment> st = statusIn();
  const Attachment* seen = findAttachment(st, kTun, "xdp");
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->mode, "generic");
  EXPECT_EQ(seen->program, "relay_uplink_guard");
  EXPECT_NE(run("ip -n " + ns() + " link show dev " + kTun).find("xdpgeneric"), std::string::npos);
}

TEST_F(LoaderTest, ReattachReplacesEveryHookWithoutAddingASecondCopy) {
  AttachOutcome first = attachIn(edgeRequest());
  ASSERT_TRUE(first.ok()) << first.error;
  AttachOutcome second = attachIn(edgeRequest());
  ASSERT_TRUE(second.ok()) << second.error;
  EXPECT_TRUE(second.adoptedMaps);

  std::vector<Attachment> st = statusIn();
  ASSERT_EQ(st.size(), 3u);
  for (const Attachment& before : first.attached) {
    const Attachment* now = findAttachment(st, before.iface, before.hook);
    ASSERT_TRUE(now);
    EXPECT_NE(now->progId, before.progId) << before.iface << " " << before.hook << " was not replaced";
    const Attachment* reported = findAttachment(second.attached, before.iface, before.hook);
    ASSERT_TRUE(reported);
    EXPECT_EQ(now->progId, reported->progId);
  }
  for (const char* dev : {kTun, kLan}) {
    std::string filters = tcFilters(dev);
    size_t count = 0;
    for (size_t at = filters.find("direct-action"); at != std::string::npos; at = filters.find("direct-action", at + 1))
      ++count;
    EXPECT_EQ(count, 1u) << dev << ":\n" << filters;
  }
}

// How a restarted daemon adopts the datapath: the same code over the
// adopted maps stays on its hook (same program id, never replaced); a hook
// that would change (here: XDP asked for generic while it runs native)
// still gets the new program.
TEST_F(LoaderTest, ReattachKeepingIdenticalProgramsLeavesThoseHooksAlone) {
  AttachOutcome first = attachIn(edgeRequest());
  ASSERT_TRUE(first.ok()) << first.error;
  AttachRequest keep = edgeRequest();
  keep.keepIdenticalPrograms = true;
  AttachOutcome second = attachIn(keep);
  ASSERT_TRUE(second.ok()) << second.error;
  EXPECT_TRUE(second.adoptedMaps);
  EXPECT_EQ(second.keptHooks, 3u);
  for (const Attachment& before : first.attached) {
    const Attachment* reported = findAttachment(second.attached, before.iface, before.hook);
    ASSERT_TRUE(reported);
    EXPECT_EQ(reported->progId, before.progId) << before.iface << " " << before.hook << " was replaced";
  }
  EXPECT_EQ(tcProgOn(kTun), findAttachment(first.attached, kTun, "tc-ingress")->progId);
  EXPECT_EQ(tcProgOn(kLan), findAttachment(first.attached, kLan, "tc-ingress")->progId);
  EXPECT_EQ(xdpProgOn(kLan), findAttachment(first.attached, kLan, "xdp")->progId);

  keep.preferGeneric = true;
  AttachOutcome third = attachIn(keep);
  ASSERT_TRUE(third.ok()) << third.error;
  EXPECT_EQ(third.keptHooks, 2u);
  EXPECT_NE(xdpProgOn(kLan), findAttachment(first.attached, kLan, "xdp")->progId);
  EXPECT_EQ(xdpProgOn(kLan), findAttachment(third.attached, kLan, "xdp")->progId);
  EXPECT_EQ(tcProgOn(kTun), findAttachment(first.attached, kTun, "tc-ingress")->progId);
  // The pins name what runs, kept or not: status matches every hook.
  for (const Attachment& a : statusIn()) {
    const Attachment* reported = findAttachment(third.attached, a.iface, a.hook);
    ASSERT_TRUE(reported) << a.iface << " " << a.hook;
    EXPECT_EQ(a.progId, reported->progId) << a.iface << " " << a.hook;
  }
}

TEST_F(LoaderTest, CountersInPinnedMapsSurviveAReattach) {
  ASSERT_TRUE(attachIn(edgeRequest()).ok());
  uint64_t before = inNetns(ns(), [] {
    EXPECT_EQ(sendFrames(kLanPeer, kFrames), kFrames);
    return waitForCounter(MF_E_PASS_OTHER, kFrames);
  });
  ASSERT_GE(before, static_cast<uint64_t>(kFrames)) << "the XDP program on the LAN did not count the frames";

  AttachOutcome again = attachIn(edgeRequest());
  ASSERT_TRUE(again.ok()) << again.error;
  EXPECT_TRUE(again.adoptedMaps);
  uint64_t after = inNetns(ns(), [] { return waitForCounter(MF_E_PASS_OTHER, 0); });
  EXPECT_GE(after, before) << "counters restarted on re-attach";

  // The replacing program counts into the same (adopted) map.
  uint64_t more = inNetns(ns(), [after] {
    EXPECT_EQ(sendFrames(kLanPeer, kFrames), kFrames);
    return waitForCounter(MF_E_PASS_OTHER, after + kFrames);
  });
  EXPECT_GE(more, after + kFrames);
}

TEST_F(LoaderTest, ForeignXdpProgramIsRefusedRollsBackAndIsReplacedWithForce) {
  // Someone else's XDP program on the LAN (the benchmark's empty one).
  uint32_t foreign = inNetns(ns(), [] {
    BpfObject bench = BpfObject::load(ObjectKind::Bench);
    EXPECT_TRUE(bench.ok()) << bench.error();
    int rc = installXdp(static_cast<int>(interfaceIndex(kLan)), bench.progFd("bench_empty_xdp"), XdpMode::Native, {});
    EXPECT_EQ(rc, 0);
    XdpHookState s;
    queryXdp(static_cast<int>(interfaceIndex(kLan)), s);
    return s.progId;
  });
  ASSERT_NE(foreign, 0u);
  ASSERT_FALSE(hasClsact(kTun));

  // The tunnel hook is attached first, then the LAN's XDP hook refuses:
  // the tunnel must be clean again.
  AttachOutcome refused = attachIn(edgeRequest());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error.find("'ld-lan0'"), std::string::npos) << refused.error;
  EXPECT_NE(refused.error.find("bench_empty_xdp"), std::string::npos) << refused.error;
  EXPECT_NE(refused.error.find("--force"), std::string::npos) << refused.error;
  EXPECT_EQ(xdpProgOn(kLan), foreign);
  EXPECT_EQ(tcFilters(kTun), "");
  EXPECT_FALSE(hasClsact(kTun)) << "the clsact qdisc this attach added was left behind";
  EXPECT_TRUE(statusIn().empty());

  AttachRequest forced = edgeRequest();
  forced.force = true;
  AttachOutcome out = attachIn(forced);
  ASSERT_TRUE(out.ok()) << out.error;
  EXPECT_NE(joined(out.warnings).find("bench_empty_xdp"), std::string::npos) << joined(out.warnings);
  const Attachment* xdp = findAttachment(statusIn(), kLan, "xdp");
  ASSERT_TRUE(xdp);
  EXPECT_NE(xdp->progId, foreign);
  EXPECT_EQ(xdp->program, "edge_lan_xdp");
}

TEST_F(LoaderTest, FailedReattachRestoresThePreviousPrograms) {
  AttachOutcome first = attachIn(edgeRequest());
  ASSERT_TRUE(first.ok()) << first.error;
  // A foreign filter takes meshfwd's TC slot on the LAN: the re-attach gets
  // past the tunnel and the LAN's XDP hook, then must refuse and undo both.
  uint32_t foreign = inNetns(ns(), [] {
    BpfObject bench = BpfObject::load(ObjectKind::Bench);
    EXPECT_EQ(installTc(static_cast<int>(interfaceIndex(kLan)), bench.progFd("bench_empty_tc")), 0);
    uint32_t id = 0;
    queryTc(static_cast<int>(interfaceIndex(kLan)), &id);
    return id;
  });
  AttachOutcome second = attachIn(edgeRequest());
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error.find("bench_empty_tc"), std::string::npos) << second.error;
  EXPECT_EQ(tcProgOn(kTun), findAttachment(first.attached, kTun, "tc-ingress")->progId);
  EXPECT_EQ(xdpProgOn(kLan), findAttachment(first.attached, kLan, "xdp")->progId);
  EXPECT_EQ(tcProgOn(kLan), foreign);
}

TEST_F(LoaderTest, MissingInterfaceIsNamedAndNothingIsLeftBehind) {
  AttachRequest r = edgeRequest();
  r.lan = "ld-nope";
  AttachOutcome out = attachIn(r);
  EXPECT_EQ(out.error, "interface 'ld-nope' does not exist");
  EXPECT_EQ(tcFilters(kTun), "");
  EXPECT_FALSE(hasClsact(kTun));
  EXPECT_FALSE(pinned("state"));
  EXPECT_TRUE(statusIn().empty());
}

TEST_F(LoaderTest, VerifierRejectionQuotesTheLogTail) {
  AttachRequest r = relayRequest();
  r.uplink.clear();
  r.programsFrom = ObjectKind::LoaderTestUnverifiable;
  AttachOutcome out = attachIn(r);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error.find("verifier"), std::string::npos) << out.error;
  EXPECT_NE(out.error.find("invalid access to packet"), std::string::npos) << out.error;
  EXPECT_EQ(tcFilters(kTun), "");
  EXPECT_FALSE(pinned("state"));
}

TEST_F(LoaderTest, DetachRemovesFiltersPinsAndOnlyTheQdiscItAdded) {
  // ld-lan0 had a clsact qdisc before meshfwd came; ld-tun0 did not.
  mustRun("tc -n " + ns() + " qdisc add dev " + kLan + " clsact");
  ASSERT_TRUE(attachIn(edgeRequest()).ok());
  ASSERT_TRUE(hasClsact(kTun));
  ASSERT_TRUE(pinned("progs/edge_tunnel_ingress"));

  EXPECT_EQ(inNetns(ns(), [] { return detach(); }), "");
  EXPECT_EQ(tcFilters(kTun), "");
  EXPECT_EQ(tcFilters(kLan), "");
  EXPECT_FALSE(hasClsact(kTun)) << "the qdisc meshfwd added stayed";
  EXPECT_TRUE(hasClsact(kLan)) << "the qdisc that was there before was removed";
  EXPECT_EQ(xdpProgOn(kLan), 0u);
  EXPECT_TRUE(statusIn().empty());
  EXPECT_FALSE(pinned(""));  // the whole instance directory is gone
  EXPECT_EQ(inNetns(ns(), [] { return detach(); }), "") << "detach twice";
}

TEST_F(LoaderTest, EveryNamespaceHasItsOwnInstance) {
  ScopedNetns other("ld-" + std::to_string(getpid()) + "-other");
  mustRun("ip -n " + other.name() + " tuntap add dev " + kTun + " mode tun");
  std::string mine = inNetns(ns(), [] { return pinRoot(); });
  std::string theirs = inNetns(other.name(), [] { return pinRoot(); });
  EXPECT_EQ(mine.rfind("/sys/fs/bpf/meshfwd/net", 0), 0u) << mine;
  EXPECT_NE(mine, theirs);

  ASSERT_TRUE(attachIn(edgeRequest()).ok());
  AttachRequest relay = relayRequest();
  relay.uplink.clear();
  AttachOutcome out = inNetns(other.name(), [&] { return attach(relay); });
  ASSERT_TRUE(out.ok()) << out.error;
  EXPECT_FALSE(out.adoptedMaps) << "the other namespace's maps were taken over";
  EXPECT_EQ(statusIn().size(), 3u);
  EXPECT_EQ(inNetns(other.name(), [] { return status().size(); }), 1u);
  EXPECT_EQ(inNetns(other.name(), [] { return detach(); }), "");
  EXPECT_EQ(statusIn().size(), 3u) << "detach in one namespace touched another";
}

TEST_F(LoaderTest, RecreatedTunnelIsReattachedWithThePinnedProgram) {
  AttachOutcome out = attachIn(relayRequest());
  ASSERT_TRUE(out.ok()) << out.error;
  uint32_t tunnelProg = findAttachment(out.attached, kTun, "tc-ingress")->progId;

  mustRun("ip -n " + ns() + " link del " + kTun);
  mustRun("ip -n " + ns() + " tuntap add dev " + kTun + " mode tun");
  EXPECT_EQ(findAttachment(statusIn(), kTun, "tc-ingress"), nullptr);

  EXPECT_EQ(inNetns(ns(), [] { return reattachTunnel(kTun); }), "");
  const Attachment* again = findAttachment(statusIn(), kTun, "tc-ingress");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->progId, tunnelProg);
  EXPECT_NE(findAttachment(statusIn(), kUplink, "xdp"), nullptr) << "the guard was disturbed";
  EXPECT_EQ(inNetns(ns(), [] { return reattachTunnel("ld-gone"); }), "interface 'ld-gone' does not exist");

  // The recreated tunnel's qdisc is recorded as meshfwd's: detach removes it.
  EXPECT_EQ(inNetns(ns(), [] { return detach(); }), "");
  EXPECT_FALSE(hasClsact(kTun));
}

TEST_F(LoaderTest, PinnedMapsOfAnotherLayoutVersionAreRecreatedNotMisread) {
  ASSERT_TRUE(attachIn(edgeRequest()).ok());
  ASSERT_GE(inNetns(ns(), [] {
              sendFrames(kLanPeer, 10);
              return waitForCounter(MF_E_PASS_OTHER, 10);
            }),
            10u);
  // Pretend an older meshfwd pinned these maps.
  ASSERT_EQ(inNetns(ns(), [] {
              InstanceState state;
              if (readState(pinRoot(), state, nullptr) != StateRead::Ok) return std::string("no state");
              state.abiVersion = MF_ABI_VERSION - 1;
              return writeState(pinRoot(), state);
            }),
            "");
  std::string openError = inNetns(ns(), [] {
    std::string e;
    PinnedMaps::open(&e);
    return e;
  });
  EXPECT_NE(openError.find("layout version " + std::to_string(MF_ABI_VERSION - 1)), std::string::npos) << openError;

  AttachOutcome out = attachIn(edgeRequest());
  ASSERT_TRUE(out.ok()) << out.error;
  EXPECT_FALSE(out.adoptedMaps);
  EXPECT_NE(joined(out.warnings).find("re-created"), std::string::npos) << joined(out.warnings);
  uint64_t counted = inNetns(ns(), [] { return waitForCounter(MF_E_PASS_OTHER, 0); });
  EXPECT_LT(counted, 10u) << "the old maps were taken over";
  EXPECT_TRUE(inNetns(ns(), [] {
    std::string e;
    return PinnedMaps::open(&e).ok();
  }));
}

TEST_F(LoaderTest, PinsOfADeletedNamespaceWithTheSameInodeAreNotAdopted) {
  ASSERT_TRUE(attachIn(edgeRequest()).ok());
  ASSERT_EQ(inNetns(ns(), [] {
              InstanceState state;
              readState(pinRoot(), state, nullptr);
              state.netnsCookie ^= 1;  // as if another namespace had written it
              return writeState(pinRoot(), state);
            }),
            "");
  EXPECT_FALSE(inNetns(ns(), [] {
    std::string e;
    return PinnedMaps::open(&e).ok();
  }));
  AttachOutcome out = attachIn(edgeRequest());
  ASSERT_TRUE(out.ok()) << out.error;
  EXPECT_FALSE(out.adoptedMaps);
  EXPECT_NE(joined(out.warnings).find("deleted network namespace"), std::string::npos) << joined(out.warnings);
  EXPECT_EQ(statusIn().size(), 3u);
}

TEST_F(LoaderTest, AnotherRoleNeedsADetachFirst) {
  ASSERT_TRUE(attachIn(edgeRequest()).ok());
  AttachOutcome out = attachIn(relayRequest());
  EXPECT_NE(out.error.find("attached in this namespace as edge"), std::string::npos) << out.error;
  EXPECT_EQ(statusIn().size(), 3u);
}

}  // namespace
}  // namespace meshfwd::loader
