// meshfwd's VRRP router against the real keepalived 2.2.7 (vrrp_version 3,
// use_vmac, the same VRID and link-local VIP) on a bridge between
// namespaces, with a host behind it (DESIGN.md §6, issue 7):
//
//   [vrk-e1] lan --- p1 [vrk-sw: br0] p3 --- lan [vrk-h]
//   [vrk-e2] lan --- p2 /
//
// meshfwd's router runs in vrk-e1 on a test thread (VrrpRouterThread),
// keepalived in vrk-e2 under `ip netns exec`. Failover times are measured
// and printed; only generous deadlines are asserted. meshfwd's RA sender
// runs beside its router (keepalived sends no RAs): the host's /48 via the
// VIP, learnt from meshfwd while master, is never deleted by any failover.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "tests/netns/route_monitor.h"
#include "tests/netns/vrrp_router_thread.h"
#include "tests/support/netns.h"
#include "tests/support/ns_poll.h"
#include "userspace/vrrp_names.h"
#include "userspace/vrrp_state.h"

namespace meshfwd::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Ms = std::chrono::milliseconds;

constexpr uint8_t kVrid = 51;
constexpr const char* kVip = "fe80::51";
constexpr const char* kMesh = "fd00:7:7::/48";
constexpr uint16_t kIntervalCs = 10;  // 100 ms adverts
constexpr auto kMargin = 2000ms;      // generous: two shared cores, fork-per-poll

Ms skewTime(uint8_t priority) { return Ms(vrrp::Machine::skewTimeCs(priority, kIntervalCs) * 10); }
Ms masterDown(uint8_t priority) { return Ms(vrrp::Machine::masterDownIntervalCs(priority, kIntervalCs) * 10); }

// keepalived in a namespace, with its own pid files and config in the
// test's work directory so a stale one from a crashed run can be found.
class Keepalived {
 public:
  Keepalived(const NetNs& ns, const std::string& workDir, uint8_t priority, bool preempt)
      : workDir_(workDir) {
    sweepStale(workDir);
    std::string conf = workDir + "/keepalived.conf";
    std::ofstream(conf) << "global_defs {\n  router_id vrk\n  vrrp_version 3\n}\n"
                        << "vrrp_instance vrk {\n  state BACKUP\n  interface lan\n  use_vmac\n"
                        << "  virtual_router_id " << int(kVrid) << "\n  priority " << int(priority) << "\n"
                        << "  advert_int 0.1\n" << (preempt ? "" : "  nopreempt\n")
                        << "  virtual_ipaddress {\n    " << kVip << "/128\n  }\n}\n";
    process_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{"ip", "netns", "exec", ns.name(), "keepalived", "-n", "-l", "-D", "-P", "-f", conf,
                                 "-p", workDir + "/keepalived.pid", "-r", workDir + "/keepalived-vrrp.pid", "-c",
                                 workDir + "/keepalived-checkers.pid"},
        "", workDir + "/keepalived.log");
  }
  ~Keepalived() { stop(); }

  // SIGTERM: keepalived sends priority 0 as master and removes its VIP.
  void stop() {
    if (process_) process_->stop();
    process_.reset();
  }
  std::string log() const {
    std::ifstream in(workDir_ + "/keepalived.log");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  static void sweepStale(const std::string& workDir) {
    for (const char* name : {"keepalived.pid", "keepalived-vrrp.pid", "keepalived-checkers.pid"}) {
      std::ifstream in(workDir + "/" + name);
      pid_t pid = 0;
      if (!(in >> pid) || pid <= 1) continue;
      std::ifstream cmd("/proc/" + std::to_string(pid) + "/comm");
      std::string comm;
      if (cmd >> comm && comm == "keepalived") ::kill(pid, SIGKILL);
      fs::remove(workDir + "/" + name);
    }
  }

 private:
  std::string workDir_;
  std::unique_ptr<BackgroundProcess> process_;
};

class VrrpKeepalivedTest : public ::testing::Test {
 protected:
  VrrpKeepalivedTest()
      : scope_("vrk"),
        sw_(scope_.name("sw")),
        e1_(scope_.name("e1")),
        e2_(scope_.name("e2")),
        host_(scope_.name("h")) {
    Keepalived::sweepStale(scope_.workDir());
    sw_.ip("link add br0 type bridge mcast_snooping 0");
    sw_.ip("link set br0 up");
    int i = 1;
    for (const NetNs* ns : {&e1_, &e2_, &host_}) {
      std::string port = "p" + std::to_string(i++);
      addVethPair(sw_, port, *ns, "lan");
      sw_.ip("link set " + port + " master br0");
      sw_.ip("link set " + port + " up");
      ns->ip("link set lan up");
    }
    // A server as the README asks: meshfwd's RAs give it the /48 via the VIP.
    host_.sysctl("net.ipv6.conf.lan.accept_ra", "2");
    host_.sysctl("net.ipv6.conf.lan.accept_ra_rt_info_max_plen", "64");
    for (const NetNs* ns : {&e1_, &e2_, &host_})
      EXPECT_TRUE(eventually("link-local address on lan in " + ns->name(), 10s, [ns] {
        return ns->run({"ip", "-6", "-o", "addr", "show", "dev", "lan", "scope", "link"}).out.find("tentative") ==
                   std::string::npos &&
               ns->run({"ip", "-6", "-o", "addr", "show", "dev", "lan", "scope", "link"}).out.find("fe80") !=
                   std::string::npos;
      }));
  }
  ~VrrpKeepalivedTest() override {
    routeMonitor_.reset();
    router_.reset();
    keepalived_.reset();
  }

  Config routerConfig(uint8_t priority, bool preempt) {
    Config c;
    c.role = Role::Edge;
    c.lan = "lan";
    VrrpConfig v;
    v.vrid = kVrid;
    v.priority = priority;
    v.advertIntervalCs = kIntervalCs;
    v.preempt = preempt;
    v.virtualAddress = *Ipv6Addr::parse(kVip);
    v.naBurst = 3;
    c.vrrp = v;
    // RAs from the VIP while meshfwd is master (keepalived sends none):
    // the host's /48 must survive every failover.
    c.meshPrefix = *Ipv6Prefix::parse(kMesh);
    c.sitePrefix = *Ipv6Prefix::parse("fd00:7:7:a::/64");
    RaConfig ra;
    ra.maxRtrAdvIntervalMs = 30000;  // route lifetime 90 s: longer than the test
    c.ra = ra;
    return c;
  }

  std::string hostMeshRoute() const {
    auto out = host_.run({"ip", "-6", "route", "show", kMesh}).out;
    return out.find("proto ra") == std::string::npos ? "" : out;
  }
  // Every change to the host's routes from now on.
  void monitorHostRoutes() {
    routeMonitor_ = std::make_unique<RouteMonitor>(host_, "lan", scope_.workDir() + "/host-routes.log");
  }
  // The /48 was never deleted since monitorHostRoutes(), and is there now.
  ::testing::AssertionResult meshRouteNeverDeleted() {
    if (routeMonitor_->sawDeleted(kMesh))
      return ::testing::AssertionFailure() << "the host's /48 was deleted during failover:\n" << routeMonitor_->log();
    if (hostMeshRoute().empty()) return ::testing::AssertionFailure() << "the host has no /48 from the RAs";
    return ::testing::AssertionSuccess();
  }

  static bool holdsVip(const NetNs& ns) {
    return ns.run({"ip", "-6", "-o", "addr", "show"}).out.find(std::string(" ") + kVip + "/") != std::string::npos;
  }
  bool meshfwdMaster() const { return holdsVip(e1_); }
  bool keepalivedMaster() const { return holdsVip(e2_); }

  // The host's neighbour entry for the VIP, "" when none.
  std::string hostVipLladdr() const {
    auto out = host_.run({"ip", "-6", "neigh", "show", kVip, "dev", "lan"}).out;
    auto pos = out.find("lladdr ");
    return pos == std::string::npos ? "" : out.substr(pos + 7, 17);
  }
  void hostResolvesVip() const {
    host_.run({"ping", "-6", "-c", "1", "-W", "1", std::string(kVip) + "%lan"});
  }

  // Polls `becomes` and returns how long it took; fails the test past `deadline`.
  Ms timeUntil(const std::string& what, Ms deadline, const std::function<bool()>& becomes) {
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_TRUE(eventually(what, deadline, becomes, 2ms));
    return std::chrono::duration_cast<Ms>(std::chrono::steady_clock::now() - t0);
  }

  // True if `condition` stays false for the whole `window`.
  static bool staysFalse(Ms window, const std::function<bool()>& condition) {
    return !pollUntil(condition, window, 20ms);
  }

  TestScope scope_;
  NetNs sw_, e1_, e2_, host_;
  std::unique_ptr<VrrpRouterThread> router_;
  std::unique_ptr<Keepalived> keepalived_;
  std::unique_ptr<RouteMonitor> routeMonitor_;
};

const std::string kVmac = vrrp::formatMac(vrrp::virtualMac(kVrid));

TEST_F(VrrpKeepalivedTest, MeshfwdMasterKeepalivedBackup) {
  router_ = std::make_unique<VrrpRouterThread>(e1_.name(), routerConfig(200, true));
  ASSERT_TRUE(eventually("meshfwd becomes master alone", masterDown(200) + kMargin, [&] { return meshfwdMaster(); }));
  // A macvlan with the virtual MAC and no address of its own from that MAC.
  auto link = e1_.must({"ip", "-d", "link", "show", "dev", vrrp::vrrpMacvlanName("lan", kVrid)}).out;
  EXPECT_NE(link.find("link/ether " + kVmac), std::string::npos) << link;
  EXPECT_NE(link.find("macvlan mode private"), std::string::npos) << link;
  EXPECT_NE(link.find("addrgenmode none"), std::string::npos) << link;

  // Capture our adverts on the host while keepalived joins as backup.
  std::string pcap = scope_.workDir() + "/adverts.pcap";
  auto capture = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{"tcpdump", "-i", "lan", "-U", "-w", pcap, "ip6 proto 112"}, host_.name(),
      scope_.workDir() + "/tcpdump.log");
  ASSERT_TRUE(eventually("tcpdump is listening", 10s, [&] {
    std::ifstream in(scope_.workDir() + "/tcpdump.log");
    std::stringstream s;
    s << in.rdbuf();
    return s.str().find("listening on") != std::string::npos;
  }));
  keepalived_ = std::make_unique<Keepalived>(e2_, scope_.workDir(), 100, true);
  ASSERT_TRUE(eventually("keepalived enters BACKUP", 15s, [&] {
    return keepalived_->log().find("Entering BACKUP STATE") != std::string::npos;
  })) << keepalived_->log();
  // Exactly one master: keepalived stays backup over many Master_Down intervals.
  EXPECT_TRUE(staysFalse(5 * masterDown(100), [&] { return keepalivedMaster(); })) << keepalived_->log();
  EXPECT_TRUE(meshfwdMaster());
  ASSERT_TRUE(eventually("adverts captured", 10s, [&] { return fs::exists(pcap) && fs::file_size(pcap) > 400; }));
  capture.reset();
  auto decoded = runCommand({"tcpdump", "-vv", "-n", "-r", pcap});
  ASSERT_TRUE(decoded.ok()) << decoded.describe();
  EXPECT_NE(decoded.out.find("hlim 255"), std::string::npos) << decoded.out;
  EXPECT_NE(decoded.out.find("VRRPv3, Advertisement, vrid 51, prio 200, intvl 10cs, length 24, addrs: fe80::51"),
            std::string::npos)
      << decoded.out;
  EXPECT_EQ(decoded.out.find("bad"), std::string::npos) << decoded.out;  // tcpdump flags bad checksums
  EXPECT_EQ(decoded.out.find("prio 100"), std::string::npos) << "keepalived sent adverts as backup:\n" << decoded.out;

  // The host resolves the VIP to the virtual MAC: the kernel answers the
  // NS for an address on the macvlan with the macvlan's MAC.
  hostResolvesVip();
  EXPECT_EQ(hostVipLladdr(), kVmac);
  ASSERT_TRUE(eventually("the host has the /48 from meshfwd's RAs", 10s, [&] { return !hostMeshRoute().empty(); }));
  monitorHostRoutes();

  // SIGTERM path: priority 0, keepalived takes over after its Skew_Time.
  auto t0 = std::chrono::steady_clock::now();
  router_->stop();
  EXPECT_FALSE(meshfwdMaster()) << "VIP left behind after stop";
  EXPECT_NE(e1_.run({"ip", "link", "show", "dev", vrrp::vrrpMacvlanName("lan", kVrid)}).exitCode, 0)
      << "macvlan left behind after stop";
  ASSERT_TRUE(eventually("keepalived takes over after priority 0", skewTime(100) + kMargin,
                         [&] { return keepalivedMaster(); }, 2ms));
  auto took = std::chrono::duration_cast<Ms>(std::chrono::steady_clock::now() - t0);
  std::printf("meshfwd stop -> keepalived master: %lld ms (Skew_Time %lld ms, Master_Down %lld ms)\n",
              static_cast<long long>(took.count()), static_cast<long long>(skewTime(100).count()),
              static_cast<long long>(masterDown(100).count()));
  hostResolvesVip();
  EXPECT_EQ(hostVipLladdr(), kVmac);

  // Preemption on: meshfwd (200) comes back and takes the group back.
  router_ = std::make_unique<VrrpRouterThread>(e1_.name(), routerConfig(200, true));
  ASSERT_TRUE(eventually("meshfwd preempts keepalived", masterDown(200) + kMargin, [&] {
    return meshfwdMaster() && !keepalivedMaster();
  })) << keepalived_->log();

  // Link cut: no priority 0 can leave; keepalived waits Master_Down.
  t0 = std::chrono::steady_clock::now();
  sw_.ip("link set p1 down");
  ASSERT_TRUE(eventually("keepalived takes over after the link cut", masterDown(100) + kMargin,
                         [&] { return keepalivedMaster(); }, 2ms));
  took = std::chrono::duration_cast<Ms>(std::chrono::steady_clock::now() - t0);
  std::printf("meshfwd link cut -> keepalived master: %lld ms (Master_Down %lld ms)\n",
              static_cast<long long>(took.count()), static_cast<long long>(masterDown(100).count()));
  // The cut router gives up the VIP itself (fault), so nothing of it stays.
  EXPECT_TRUE(eventually("meshfwd drops its VIP on the cut link", 5s, [&] { return !meshfwdMaster(); }));
  EXPECT_NE(router_->statusJson().find("\"state\":\"fault\""), std::string::npos) << router_->statusJson();
  hostResolvesVip();
  EXPECT_EQ(hostVipLladdr(), kVmac);

  // Link back: meshfwd rejoins and, preempting, is master again; one master.
  sw_.ip("link set p1 up");
  ASSERT_TRUE(eventually("meshfwd master again after the link returns", 10s, [&] {
    return meshfwdMaster() && !keepalivedMaster();
  }));
  router_->stop();
  EXPECT_TRUE(meshRouteNeverDeleted());
}

TEST_F(VrrpKeepalivedTest, KeepalivedMasterMeshfwdBackup) {
  keepalived_ = std::make_unique<Keepalived>(e2_, scope_.workDir(), 200, true);
  ASSERT_TRUE(eventually("keepalived becomes master", 15s, [&] { return keepalivedMaster(); })) << keepalived_->log();
  router_ = std::make_unique<VrrpRouterThread>(e1_.name(), routerConfig(100, true));
  ASSERT_TRUE(eventually("meshfwd is backup", 5s, [&] { return router_->isBackup(); })) << router_->statusJson();
  EXPECT_TRUE(staysFalse(5 * masterDown(100), [&] { return meshfwdMaster(); })) << router_->statusJson();
  EXPECT_TRUE(keepalivedMaster());
  EXPECT_NE(router_->statusJson().find("\"master_address\":\"fe80::"), std::string::npos) << router_->statusJson();
  EXPECT_NE(router_->metrics().find("meshfwd_vrrp_state{vrid=\"51\"} 1"), std::string::npos) << router_->metrics();
  hostResolvesVip();
  EXPECT_EQ(hostVipLladdr(), kVmac);

  // keepalived SIGTERM: its priority 0 hands over after our Skew_Time.
  auto t0 = std::chrono::steady_clock::now();
  keepalived_->stop();
  // keepalived takes about a second from SIGTERM to its priority-0 advert
  // (measured here), hence the wider deadline.
  ASSERT_TRUE(eventually("meshfwd takes over after keepalived's priority 0", skewTime(100) + 2 * kMargin,
                         [&] { return meshfwdMaster(); }, 2ms));
  auto took = std::chrono::duration_cast<Ms>(std::chrono::steady_clock::now() - t0);
  std::printf("keepalived stop -> meshfwd master: %lld ms (Skew_Time %lld ms)\n", static_cast<long long>(took.count()),
              static_cast<long long>(skewTime(100).count()));
  EXPECT_FALSE(keepalivedMaster());
  hostResolvesVip();
  EXPECT_EQ(hostVipLladdr(), kVmac);
  EXPECT_NE(router_->metrics().find("meshfwd_vrrp_state{vrid=\"51\"} 2"), std::string::npos) << router_->metrics();
  // Master now: its fast RAs give the host the /48, which must outlive
  // meshfwd stepping down and taking over again below.
  ASSERT_TRUE(eventually("the host has the /48 from meshfwd's RAs", 10s, [&] { return !hostMeshRoute().empty(); }));
  monitorHostRoutes();

  // keepalived (200, preempting) returns and takes over; we step down and
  // remove the VIP.
  keepalived_ = std::make_unique<Keepalived>(e2_, scope_.workDir(), 200, true);
  ASSERT_TRUE(eventually("keepalived preempts meshfwd", 15s, [&] {
    return keepalivedMaster() && !meshfwdMaster();
  })) << keepalived_->log();

  // keepalived's link cut: we wait Master_Down.
  t0 = std::chrono::steady_clock::now();
  sw_.ip("link set p2 down");
  ASSERT_TRUE(eventually("meshfwd takes over after keepalived's link cut", masterDown(100) + kMargin,
                         [&] { return meshfwdMaster(); }, 2ms));
  took = std::chrono::duration_cast<Ms>(std::chrono::steady_clock::now() - t0);
  std::printf("keepalived link cut -> meshfwd master: %lld ms (Master_Down %lld ms)\n",
              static_cast<long long>(took.count()), static_cast<long long>(masterDown(100).count()));
  hostResolvesVip();
  EXPECT_EQ(hostVipLladdr(), kVmac);
  sw_.ip("link set p2 up");
  keepalived_->stop();
  router_->stop();
  EXPECT_TRUE(meshRouteNeverDeleted());
}

class VrrpPreemptTest : public VrrpKeepalivedTest, public ::testing::WithParamInterface<bool> {};

// keepalived is master at 100; meshfwd joins at 200. Preempting, it takes
// over within Master_Down; not preempting, it stays backup (the seed's
// intent, which its `nopreemt` typo lost).
TEST_P(VrrpPreemptTest, HigherPriorityBackupPreemptsOnlyWhenConfigured) {
  bool preempt = GetParam();
  keepalived_ = std::make_unique<Keepalived>(e2_, scope_.workDir(), 100, true);
  ASSERT_TRUE(eventually("keepalived becomes master", 15s, [&] { return keepalivedMaster(); })) << keepalived_->log();
  router_ = std::make_unique<VrrpRouterThread>(e1_.name(), routerConfig(200, preempt));
  if (preempt) {
    ASSERT_TRUE(eventually("meshfwd preempts", masterDown(200) + kMargin, [&] {
      return meshfwdMaster() && !keepalivedMaster();
    })) << keepalived_->log();
  } else {
    EXPECT_TRUE(staysFalse(10 * masterDown(200), [&] { return meshfwdMaster(); })) << router_->statusJson();
    EXPECT_TRUE(keepalivedMaster());
    EXPECT_TRUE(router_->isBackup()) << router_->statusJson();
  }
  router_->stop();
}

INSTANTIATE_TEST_SUITE_P(Preempt, VrrpPreemptTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "On" : "Off"; });

}  // namespace
}  // namespace meshfwd::test
