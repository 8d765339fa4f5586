// Differential against Debian's radvd 2.19 (issue 6): the seed's radvd.conf
// and the same settings as [ra], one RA from each on the same link,
// compared field by field. The differences allowed are the documented ones.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include "tests/netns/ra_test_fixture.h"

namespace meshfwd::test {
namespace {

// The seed's radvd.conf, on the test's interface and prefixes.
std::string seedRadvdConf(const std::string& ifname) {
  return "interface " + ifname + " {\n"
         "    AdvSendAdvert on;\n"
         "    MinRtrAdvInterval 10;\n"
         "    MaxRtrAdvInterval 30;\n"
         "    AdvDefaultLifetime 0;\n"
         "    AdvReachableTime 600000;\n"
         "    AdvRASrcAddress {\n        " + kRaSource + ";\n    };\n"
         "    prefix " + kRaSite + " {\n"
         "        AdvOnLink on;\n        AdvAutonomous on;\n        AdvRouterAddr on;\n    };\n"
         "    route " + kRaMesh + " {\n        AdvRoutePreference high;\n    };\n"
         "};\n";
}

// radvd under its own pid file; the destructor stops it by that pid and
// waits for it, so no radvd outlives the test (RaLink sweeps crashed runs).
class Radvd {
 public:
  Radvd(const RaLink& link) : dir_(link.scope.workDir()) {
    conf_ = dir_ + "/radvd.conf";
    pidFile_ = dir_ + "/radvd.pid";
    std::ofstream(conf_) << seedRadvdConf(link.edgeIf);
    ::chmod(conf_.c_str(), 0644);  // radvd refuses a config others may write
    std::filesystem::remove(pidFile_);
    process_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{"radvd", "-n", "-d", "1", "-m", "stderr", "-C", conf_, "-p", pidFile_, "-u", "root"},
        link.edge.name(), dir_ + "/radvd.log");
  }
  ~Radvd() { stop(); }

  pid_t pidFromFile() const {
    std::ifstream in(pidFile_);
    pid_t pid = 0;
    in >> pid;
    return pid;
  }
  void stop() {
    if (!process_) return;
    pid_t pid = pidFromFile();
    if (pid > 0) ::kill(pid, SIGTERM);
    pollUntil([&] { return !process_->running(); }, 10s);
    process_.reset();  // SIGKILL if it is somehow still there
  }
  std::string log() const {
    std::ifstream in(dir_ + "/radvd.log");
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  bool running() { return process_ && process_->running(); }

 private:
  std::string dir_, conf_, pidFile_;
  std::unique_ptr<BackgroundProcess> process_;
};

bool fromSource(const Bytes& p) { return isRouterAdvert(p) && parseCapturedRa(p).src.str() == kRaSource; }

TEST(RaRadvdDiff, SeedRadvdConfAndRaSectionSendTheSameAdvert) {
  RaLink link;
  link.addSource();
  PacketCapture capture(link.host.name(), link.hostIf);

  Radvd radvd(link);
  auto fromRadvd = capture.next(fromSource, 20s);
  ASSERT_TRUE(fromRadvd) << "no RA from radvd; its log:\n" << radvd.log();
  ASSERT_TRUE(radvd.running()) << radvd.log();
  ASSERT_GT(radvd.pidFromFile(), 0) << "radvd wrote no pid file";
  radvd.stop();
  // radvd's exit RA (RemoveAdvOnExit: lifetime 0) and anything else it sent
  // before stopping are not ours to compare.
  while (capture.next(isRouterAdvert, 300ms)) {
  }

  RaSenderThread sender(link.edge.name(), parseOrThrow(seedEdgeConfig(link.edgeIf)));
  auto fromUs = capture.next(fromSource, 10s);
  ASSERT_TRUE(fromUs) << sender.metrics();
  sender.stop();

  CapturedRa theirs = parseCapturedRa(*fromRadvd), ours = parseCapturedRa(*fromUs);
  // IPv6 and RA header: identical.
  EXPECT_EQ(ours.src, theirs.src);
  EXPECT_EQ(ours.dst, theirs.dst);
  EXPECT_EQ(ours.ipHopLimit, theirs.ipHopLimit);
  EXPECT_EQ(ours.code, theirs.code);
  EXPECT_EQ(ours.curHopLimit, theirs.curHopLimit);
  EXPECT_EQ(ours.flags, theirs.flags);
  EXPECT_EQ(ours.routerLifetime, theirs.routerLifetime);
  EXPECT_EQ(ours.reachableMs, theirs.reachableMs);
  EXPECT_EQ(ours.retransMs, theirs.retransMs);

  // The same set of options.
  auto types = [](const CapturedRa& ra) {
    std::multiset<uint8_t> t;
    for (const auto& o : ra.options) t.insert(o[0]);
    return t;
  };
  EXPECT_EQ(types(ours), types(theirs));
  auto order = [](const CapturedRa& ra) {
    std::vector<uint8_t> t;
    for (const auto& o : ra.options) t.push_back(o[0]);
    return t;
  };
  EXPECT_EQ(order(ours), order(theirs)) << "in radvd's order, too";

  // Prefix Information and source link-layer address: byte for byte (no
  // VRRP here, so both carry the interface's MAC).
  EXPECT_EQ(ours.optionsOfType(3), theirs.optionsOfType(3));
  EXPECT_EQ(ours.optionsOfType(1), theirs.optionsOfType(1));

  // Route Information: the one deliberate difference. radvd 2.19 sends
  // length 3 (24 bytes); we send the shortest that holds a /48, length 2
  // (16 bytes), as radvd >= 2.20 does. Everything else is the same.
  ASSERT_EQ(ours.optionsOfType(24).size(), 1u);
  ASSERT_EQ(theirs.optionsOfType(24).size(), 1u);
  Bytes rioOurs = ours.optionsOfType(24)[0], rioTheirs = theirs.optionsOfType(24)[0];
  EXPECT_EQ(rioTheirs[1], 3) << "Debian's radvd 2.19";
  EXPECT_EQ(rioOurs[1], 2);
  EXPECT_EQ(Bytes(rioOurs.begin() + 2, rioOurs.begin() + 8), Bytes(rioTheirs.begin() + 2, rioTheirs.begin() + 8))
      << "prefix length, preference and lifetime";
  EXPECT_EQ(Bytes(rioOurs.begin() + 8, rioOurs.end()), Bytes(rioTheirs.begin() + 8, rioTheirs.begin() + 16))
      << "the first 64 prefix bits";
  EXPECT_EQ(Bytes(rioTheirs.begin() + 16, rioTheirs.end()), Bytes(8, 0)) << "radvd's extra 8 bytes are zero";
}

}  // namespace
}  // namespace meshfwd::test
