// `meshfwd run` on a relay with real wireguard-go routing tunnels: two site
// namespaces and a relay namespace on a bridged "internet" (the plan of
// relay_wireguard_test), the daemon started from a config file inside the
// relay namespace (setns of the network only, so it sees the bpffs pins).
// The relay's netfilter forward chain drops everything, so what crosses the
// relay was forwarded by meshfwd.
//
// Issue 5's daemon cases: a reload with another port range (traffic
// follows), an invalid reload (the old policy stays, status says why), a
// wireguard-go restart (re-attached and the maps' ifindexes refreshed
// within the 1 s goal, traffic again), SIGKILL (the pinned datapath keeps
// forwarding; a restart adopts it: same programs, counters go on), and
// /metrics over HTTP checked by promtool.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include "loader/datapath.h"
#include "loader/libbpf_log.h"
#include "maps/meshfwd_abi.h"
#include "tests/support/netns.h"
#include "tests/support/ns_http.h"
#include "tests/support/ns_json.h"
#include "tests/support/ns_meshfwd.h"
#include "tests/support/ns_poll.h"
#include "tests/support/ns_socket.h"
#include "tests/support/ns_topology.h"
#include "userspace/daemon_status.h"
#include "userspace/map_view.h"
#include "userspace/route_sync.h"

namespace meshfwd::test {
namespace {

namespace fs = std::filesystem;

const SitePlan kSiteA{'a'};
const SitePlan kSiteB{'b'};
constexpr const char* kWideRange = "58000-60000";    // the start-up config
constexpr const char* kNarrowRange = "59000-60000";  // what a reload changes it to
constexpr uint16_t kDroppedPort = 58000;             // in the wide range only
constexpr uint16_t kKeptPort = 59500;                // in both
constexpr uint16_t kMetricsPort = 9469;              // in the relay namespace only
constexpr auto kArrives = 3s;                        // traffic that must arrive
constexpr auto kHandshake = 15s;                     // first ping, WireGuard handshake included
constexpr auto kDaemonReady = 20s;                   // attach on a loaded 2-core machine
constexpr auto kReloaded = 10s;
// Issue 5: re-attached and ifindexes refreshed within 1 s. The deadline
// adds 2 s for this shared, loaded machine; the measured time is printed.
constexpr auto kReattachGoal = 1000ms;
constexpr auto kReattachDeadline = kReattachGoal + 2s;

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A daemon left by an earlier, crashed run of this test: argv is
// "meshfwd run --config <this test's work dir>/...". Found and killed by pid.
void killStaleDaemons(const std::string& workDir) {
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::string pid = entry.path().filename();
    if (pid.empty() || !std::isdigit(static_cast<unsigned char>(pid[0]))) continue;
    std::ifstream in("/proc/" + pid + "/cmdline", std::ios::binary);
    std::vector<std::string> argv;
    for (std::string arg; std::getline(in, arg, '\0');) argv.push_back(arg);
    if (argv.size() < 4 || argv[1] != "run" || argv[2] != "--config" || argv[3].rfind(workDir + "/", 0) != 0) continue;
    ::kill(static_cast<pid_t>(std::stol(pid)), SIGKILL);
  }
}

std::string relayConfig(const std::string& tunnel, const std::string& uplink, const std::string& portRange,
                        const std::string& extraMeshLine = "") {
  return "role = \"relay\"\n"
         "[interfaces]\n"
         "uplink = \"" + uplink + "\"\n"
         "tunnel = \"" + tunnel + "\"\n"
         "[mesh]\n"
         "prefix = \"" + std::string(kPlanMeshPrefix) + "\"\n"
         "port_range = \"" + portRange + "\"\n" + extraMeshLine +
         "[metrics]\n"
         "listen = \"127.0.0.1:" + std::to_string(kMetricsPort) + "\"\n";
}

// The value of the first sample line starting with `series` (name and
// labels, e.g. `meshfwd_attached{iface="x",hook="xdp",mode="native"}`).
std::optional<double> sampleValue(const std::string& exposition, const std::string& series) {
  std::istringstream lines(exposition);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return std::nullopt;
}

// Where the relay's pinned datapath points, read from the pins and the
// hooks as the programs see them.
struct RelayDatapathView {
  uint32_t tcIfindex = 0;              // where the tunnel's TC program is attached
  std::set<uint32_t> egressIfindexes;  // of every mf_egress and mf_egress64 entry
  std::set<std::string> egressKeys;    // those entries' keys, as "map/hex bytes"
  std::set<uint32_t> tunnels;          // the tunnels mf_tunnels holds

  // Everything names `ifindex`, and the egress maps hold exactly `routes`
  // (the entries of the tunnel's routes).
  bool pointsAt(uint32_t ifindex, const std::set<std::string>& routes) const {
    return tcIfindex == ifindex && !routes.empty() && egressKeys == routes &&
           egressIfindexes == std::set<uint32_t>{ifindex} && tunnels.count(ifindex) == 1;
  }
  std::string describe() const {
    std::string out = "tc on " + std::to_string(tcIfindex) + ", " + std::to_string(egressKeys.size()) +
                      " egress entries via {";
    for (uint32_t i : egressIfindexes) out += std::to_string(i) + " ";
    out += "}, mf_tunnels {";
    for (uint32_t i : tunnels) out += std::to_string(i) + " ";
    return out + "}";
  }
};

template <typename T>
std::string hexOf(const T& key) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(&key);
  std::string out;
  char two[3];
  for (size_t i = 0; i < sizeof key; ++i) {
    std::snprintf(two, sizeof two, "%02x", bytes[i]);
    out += two;
  }
  return out;
}

RelayDatapathView readRelayDatapath(const std::string& netns, const std::string& tunnel) {
  RelayDatapathView view;
  runInNetns(netns, [&] {
    loader::LibbpfLogCapture quiet;
    for (const auto& a : loader::status())
      if (a.iface == tunnel && a.hook == "tc-ingress") view.tcIfindex = a.ifindex;
    std::string error;
    loader::PinnedMaps maps = loader::PinnedMaps::open(&error);
    if (!maps.ok()) return;
    for (const auto& [key, egress] : BpfMapView<mf_egress_key, mf_egress>(maps.fd("mf_egress")).entries()) {
      view.egressIfindexes.insert(egress.ifindex);
      view.egressKeys.insert("mf_egress/" + hexOf(key));
    }
    for (const auto& [key, egress] : BpfMapView<mf_egress64_key, mf_egress>(maps.fd("mf_egress64")).entries()) {
      view.egressIfindexes.insert(egress.ifindex);
      view.egressKeys.insert("mf_egress64/" + hexOf(key));
    }
    for (const auto& [ifindex, t] : tunnelsInSlots(BpfMapView<uint32_t, mf_tunnel>(maps.fd("mf_tunnels")).entries()))
      view.tunnels.insert(ifindex);
  });
  return view;
}

class DaemonRelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scope_ = std::make_unique<TestScope>("dmr");
    killStaleDaemons(scope_->workDir());
    internet_ = std::make_unique<Internet>(*scope_);
    relay_ = std::make_unique<NetNs>(scope_->name("relay"));
    siteA_ = std::make_unique<NetNs>(scope_->name("a"));
    siteB_ = std::make_unique<NetNs>(scope_->name("b"));

    uplink_ = scope_->name("up");
    internet_->plug(*relay_, uplink_, {"2001:db8:ffff::1/64"});
    internet_->plug(*siteA_, uplink_, {"2001:db8:ffff::a/64"});
    internet_->plug(*siteB_, uplink_, {"2001:db8:ffff::b/64"});

    relayTunnelName_ = scope_->name("wr");
    relayKeys_ = generateWgKeyPair();
    keysA_ = generateWgKeyPair();
    keysB_ = generateWgKeyPair();
    startRelayTunnel();
    relay_->sysctl("net.ipv6.conf.all.forwarding", "1");
    dropKernelForwarding(*relay_);

    tunnelA_ = startSiteTunnel(*siteA_, scope_->name("wa"), kSiteA, keysA_);
    tunnelB_ = startSiteTunnel(*siteB_, scope_->name("wb"), kSiteB, keysB_);
    siteA_->ip("addr add " + kSiteA.host().str() + "/128 dev " + tunnelA_->name() + " nodad");
    siteB_->ip("addr add " + kSiteB.host().str() + "/128 dev " + tunnelB_->name() + " nodad");

    configPath_ = scope_->workDir() + "/relay.toml";
    writeConfig(relayConfig(relayTunnelName_, uplink_, kWideRange));
    statusPath_ = "/run/meshfwd/net" + std::to_string(relayNetnsInode()) + "/daemon.json";
    startDaemon();
    handshakeBothSites();
  }

  void TearDown() override {
    if (HasFailure() && daemon_) std::fprintf(stderr, "daemon log:\n%s\n", daemonLog().c_str());
    daemon_.reset();  // SIGTERM: an orderly stop, the datapath stays pinned
    if (relay_) cli_.run(*relay_, {"detach"});
    if (!statusPath_.empty()) {
      std::error_code ec;
      fs::remove_all(fs::path(statusPath_).parent_path(), ec);
    }
    tunnelA_.reset();
    tunnelB_.reset();
    relayTunnel_.reset();
    siteA_.reset();
    siteB_.reset();
    relay_.reset();
    internet_.reset();
    scope_.reset();
  }

  // The relay's routing tunnel as RelayTunnel builds it, with the keys kept
  // here so a restarted wireguard-go has the same identity and peers, and
  // the routes wg-quick would add.
  void startRelayTunnel() {
    relayTunnel_ = std::make_unique<WireguardInterface>(*relay_, relayTunnelName_, relayKeys_, kPlanRelayWgPort,
                                                        scope_->workDir());
    relayTunnel_->up({kPlanRelayTunnelAddr.str() + "/128"}, kPlanRoutingTunnelMtu);
    for (const auto& [site, keys] : {std::pair{kSiteA, keysA_}, std::pair{kSiteB, keysB_}}) {
      relayTunnel_->addPeer({keys.publicKey, "", {site.tunnelAddr().str() + "/128", site.prefix()}, 0});
      relay_->ip("route add " + site.tunnelAddr().str() + "/128 dev " + relayTunnelName_);
      relay_->ip("route add " + site.prefix() + " dev " + relayTunnelName_);
    }
  }

  WgPeer relayPeer() const {
    return {relayKeys_.publicKey, "[2001:db8:ffff::1]:" + std::to_string(kPlanRelayWgPort),
            {kPlanMeshPrefix, kPlanRelayTunnelAddr.str() + "/128"}, 25};
  }

  std::unique_ptr<WireguardInterface> startSiteTunnel(const NetNs& box, const std::string& ifname,
                                                      const SitePlan& site, const WgKeyPair& keys) {
    auto wg = std::make_unique<WireguardInterface>(box, ifname, keys, 0, scope_->workDir());
    wg->addPeer(relayPeer());
    wg->up({site.tunnelAddr().str() + "/128"}, kPlanRoutingTunnelMtu);
    box.ip(std::string("route add ") + kPlanMeshPrefix + " dev " + ifname);
    box.ip("route add " + kPlanRelayTunnelAddr.str() + "/128 dev " + ifname);
    return wg;
  }

  void handshakeBothSites() {
    ASSERT_TRUE(waitForPing(*siteA_, kSiteA.tunnelAddr(), kPlanRelayTunnelAddr, kHandshake))
        << "site A never reached the relay\n" << relayTunnel_->show();
    ASSERT_TRUE(waitForPing(*siteB_, kSiteB.tunnelAddr(), kPlanRelayTunnelAddr, kHandshake))
        << "site B never reached the relay\n" << relayTunnel_->show();
  }

  ino_t relayNetnsInode() const {
    struct stat st {};
    if (::stat(("/var/run/netns/" + relay_->name()).c_str(), &st) != 0) throw std::runtime_error("no relay netns");
    return st.st_ino;
  }

  void writeConfig(const std::string& text) {
    // Through a rename, as an editor or config management would.
    ASSERT_EQ(writeFileAtomically(configPath_, text), "");
  }

  std::string daemonLog() const { return daemon_ ? readFile(daemon_->logPath()) : ""; }
  std::string status() const { return readFile(statusPath_); }
  std::optional<std::string> statusField(const std::string& key) const { return daemonStatusField(status(), key); }
  uint64_t statusGeneration() const { return std::stoull(statusField("generation").value_or("0")); }

  void startDaemon() {
    daemon_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{MESHFWD_BINARY, "run", "--config", configPath_}, relay_->name(),
        scope_->workDir() + "/daemon-" + std::to_string(++daemonStarts_) + ".log");
    std::string pid = std::to_string(daemon_->pid());
    ASSERT_TRUE(eventually("the daemon (pid " + pid + ") writes state running to " + statusPath_, kDaemonReady, [&] {
      if (!daemon_->running()) return true;  // reported below
      return statusField("pid") == pid && statusField("state") == "running";
    }));
    ASSERT_TRUE(daemon_->running()) << "the daemon exited during start-up:\n" << daemonLog();
  }

  // SIGHUP, then wait until the status file records this reload.
  void reloadAndWait() {
    std::string before = statusField("last_reload_unix").value_or("") + "/" + statusField("last_reload").value_or("");
    // The status has second resolution: make this reload's time differ.
    ASSERT_TRUE(eventually("a new second starts", 1100ms, [&] {
      return std::to_string(std::time(nullptr)) != statusField("last_reload_unix").value_or("");
    }));
    ASSERT_EQ(::kill(daemon_->pid(), SIGHUP), 0);
    ASSERT_TRUE(eventually("the daemon records the reload in its status file", kReloaded, [&] {
      std::string now = status();
      return daemonStatusField(now, "state") == "running" && daemonStatusField(now, "last_reload") != "none" &&
             daemonStatusField(now, "last_reload_unix").value_or("") + "/" +
                     daemonStatusField(now, "last_reload").value_or("") != before;
    })) << daemonLog();
  }

  // UDP from site A to B's `port`: arrives (true), or is refused with the
  // relay's ICMPv6 1/3 to the sender (false). Neither fails the test.
  bool udpCrossesRelay(uint16_t port) {
    UdpSocket atB(siteB_->name(), kSiteB.host(), port);
    UdpSocket atA(siteA_->name(), kSiteA.host());
    atA.sendTo(kSiteB.host(), port, payloadBytes(64));
    if (atB.receive(kArrives)) return true;
    auto report = atA.receiveError(0ms);
    EXPECT_TRUE(report) << "UDP to port " << port << " neither arrived nor was refused";
    if (report) {
      EXPECT_EQ(report->type, 1);
      EXPECT_EQ(report->code, 3);
      EXPECT_EQ(report->offender, kPlanRelayTunnelAddr);
    }
    return false;
  }

  std::optional<HttpReply> scrapeMetrics(std::string* error) const {
    return httpGet(relay_->name(), "127.0.0.1", kMetricsPort, "/metrics", 5s, error);
  }

  // prog id of each hook `meshfwd status --json` lists, keyed "iface/hook".
  std::map<std::string, uint64_t> attachedProgramIds() const {
    auto r = cli_.run(*relay_, {"status", "--json"});
    if (!r.ok()) throw std::runtime_error(r.describe());
    std::map<std::string, uint64_t> ids;
    JsonValue doc = JsonValue::parse(r.out);
    for (const auto& h : doc.at("hooks").array())
      ids[h.at("iface").string() + "/" + h.at("hook").string()] = h.at("prog_id").u64();
    return ids;
  }

  MeshfwdCli cli_{MESHFWD_BINARY};
  std::unique_ptr<TestScope> scope_;
  std::unique_ptr<Internet> internet_;
  std::unique_ptr<NetNs> relay_, siteA_, siteB_;
  std::string uplink_, relayTunnelName_, configPath_, statusPath_;
  WgKeyPair relayKeys_, keysA_, keysB_;
  std::unique_ptr<WireguardInterface> relayTunnel_, tunnelA_, tunnelB_;
  std::unique_ptr<BackgroundProcess> daemon_;
  int daemonStarts_ = 0;
};

TEST_F(DaemonRelayTest, ReloadWithANarrowerPortRangeRejectsTheDroppedPortAndKeepsTheOther) {
  EXPECT_TRUE(udpCrossesRelay(kDroppedPort)) << "port " << kDroppedPort << " is in " << kWideRange;
  EXPECT_TRUE(udpCrossesRelay(kKeptPort)) << "port " << kKeptPort << " is in " << kWideRange;
  uint64_t generationBefore = statusGeneration();
  ASSERT_GT(generationBefore, 0u) << status();

  writeConfig(relayConfig(relayTunnelName_, uplink_, kNarrowRange));
  reloadAndWait();
  EXPECT_EQ(statusField("last_reload"), "ok") << status();
  EXPECT_EQ(statusGeneration(), generationBefore + 1) << status();
  EXPECT_NE(daemonLog().find("<6>reloaded " + configPath_ + ": policy generation"), std::string::npos)
      << daemonLog();
  std::printf("reload %s -> %s: policy generation %lu live %s ms after SIGHUP (the daemon's own measure)\n",
              kWideRange, kNarrowRange, static_cast<unsigned long>(generationBefore + 1),
              statusField("last_reload_ms").value_or("?").c_str());

  MeshfwdStats before = cli_.stats(*relay_);
  EXPECT_EQ(before.generation, generationBefore + 1);
  EXPECT_FALSE(udpCrossesRelay(kDroppedPort)) << "port " << kDroppedPort << " is outside " << kNarrowRange;
  EXPECT_TRUE(udpCrossesRelay(kKeptPort)) << "port " << kKeptPort << " is in " << kNarrowRange;
  MeshfwdStats delta = before.deltaTo(cli_.stats(*relay_));
  SCOPED_TRACE("counters that moved:\n" + delta.nonZero());
  EXPECT_EQ(delta.packets("relay_tc/reject_policy"), 1u);
  EXPECT_EQ(delta.packets("relay_tc/fwd_mesh_udp"), 1u);
}

TEST_F(DaemonRelayTest, AnInvalidReloadKeepsTheOldPolicyAndStatusSaysWhy) {
  uint64_t generationBefore = statusGeneration();
  // The narrower range and a misspelt key (the seed's `nopreemt` kind of
  // mistake): nothing of this file may reach the maps.
  writeConfig(relayConfig(relayTunnelName_, uplink_, kNarrowRange, "port_rnage = \"1-2\"\n"));
  reloadAndWait();
  EXPECT_EQ(statusField("last_reload"), "failed") << status();
  EXPECT_EQ(statusGeneration(), generationBefore) << status();
  auto errors = daemonStatusErrors(status());
  ASSERT_EQ(errors.size(), 1u) << status();
  EXPECT_EQ(errors.front().rfind(configPath_ + ":8:1: ", 0), 0u) << errors.front();
  EXPECT_NE(errors.front().find("port_rnage"), std::string::npos) << errors.front();
  EXPECT_NE(errors.front().find("port_range"), std::string::npos) << "no hint: " << errors.front();
  EXPECT_NE(daemonLog().find("<3>" + configPath_ + ":8:1: "), std::string::npos) << daemonLog();

  // The old, wide range still rules.
  EXPECT_TRUE(udpCrossesRelay(kDroppedPort)) << "the refused config's range reached the datapath";
  EXPECT_TRUE(udpCrossesRelay(kKeptPort));
  EXPECT_EQ(cli_.stats(*relay_).generation, generationBefore);

  auto shown = cli_.run(*relay_, {"status"});
  EXPECT_TRUE(shown.ok()) << shown.describe();
  EXPECT_NE(shown.out.find("last reload failed, still running generation " + std::to_string(generationBefore)),
            std::string::npos)
      << shown.out;
  EXPECT_NE(shown.out.find("  " + errors.front()), std::string::npos) << shown.out;

  std::string error;
  auto metrics = scrapeMetrics(&error);
  ASSERT_TRUE(metrics) << error;
  EXPECT_EQ(sampleValue(metrics->body, "meshfwd_config_reload_success"), 0.0) << metrics->body;

  // A good file afterwards is taken, and the failure is cleared.
  writeConfig(relayConfig(relayTunnelName_, uplink_, kNarrowRange));
  reloadAndWait();
  EXPECT_EQ(statusField("last_reload"), "ok") << status();
  EXPECT_TRUE(daemonStatusErrors(status()).empty()) << status();
  EXPECT_FALSE(udpCrossesRelay(kDroppedPort));
  EXPECT_TRUE(udpCrossesRelay(kKeptPort));
}

TEST_F(DaemonRelayTest, ARestartedWireguardGoIsReattachedWithinTheGoalAndTrafficFlowsAgain) {
  ASSERT_TRUE(udpCrossesRelay(kKeptPort));
  uint32_t oldIfindex = static_cast<uint32_t>(relay_->ifindex(relayTunnelName_));
  RelayDatapathView before = readRelayDatapath(relay_->name(), relayTunnelName_);
  ASSERT_TRUE(before.pointsAt(oldIfindex, before.egressKeys)) << before.describe();
  ASSERT_EQ(before.egressKeys.size(), 4u) << "each site's /64 and tunnel /128\n" << before.describe();

  // wireguard-go stopped and started again under the same name, as a
  // `wg-quick down/up` would: a new TUN (new ifindex, no clsact, no filter),
  // then its address, link, peers and routes.
  relayTunnel_.reset();
  auto begin = std::chrono::steady_clock::now();
  startRelayTunnel();
  auto configured = std::chrono::steady_clock::now();
  uint32_t newIfindex = static_cast<uint32_t>(relay_->ifindex(relayTunnelName_));
  ASSERT_NE(newIfindex, oldIfindex);

  RelayDatapathView now;
  bool refreshed = pollUntil(
      [&] {
        now = readRelayDatapath(relay_->name(), relayTunnelName_);
        return now.pointsAt(newIfindex, before.egressKeys);
      },
      std::chrono::duration_cast<std::chrono::milliseconds>(kReattachDeadline), 2ms);
  auto done = std::chrono::steady_clock::now();
  auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
  std::printf("tunnel recreated: re-attached and ifindexes %u -> %u refreshed %.0f ms after its routes were back "
              "(%.0f ms after wireguard-go started; goal %lld ms)\n",
              oldIfindex, newIfindex, ms(done - configured), ms(done - begin),
              static_cast<long long>(kReattachGoal.count()));
  ASSERT_TRUE(refreshed) << "after " << kReattachDeadline.count() << " ms: " << now.describe() << "\n"
                         << daemonLog();
  EXPECT_NE(daemonLog().find("<6>re-attached the tunnel program to " + relayTunnelName_), std::string::npos)
      << daemonLog();
  EXPECT_TRUE(eventually("the status file shows the new ifindex", 3s, [&] {
    return status().find("\"tunnel_ifindex\":" + std::to_string(newIfindex)) != std::string::npos;
  })) << status();

  // The sites' sessions died with the old wireguard-go; removing and adding
  // the peer makes them handshake at once instead of after WireGuard's 15 s.
  for (auto [box, tunnel] : {std::pair{siteA_.get(), tunnelA_.get()}, std::pair{siteB_.get(), tunnelB_.get()}}) {
    box->must({"wg", "set", tunnel->name(), "peer", relayKeys_.publicKey, "remove"});
    tunnel->addPeer(relayPeer());
  }
  handshakeBothSites();
  EXPECT_TRUE(udpCrossesRelay(kKeptPort)) << "no forwarding through the recreated tunnel\n" << daemonLog();
  EXPECT_TRUE(udpCrossesRelay(kDroppedPort));
}

TEST_F(DaemonRelayTest, SigkilledDaemonLeavesForwardingRunningAndARestartAdoptsProgramsAndCounters) {
  ASSERT_TRUE(udpCrossesRelay(kKeptPort));
  auto programs = attachedProgramIds();
  ASSERT_EQ(programs.count(relayTunnelName_ + "/tc-ingress"), 1u);
  ASSERT_EQ(programs.count(uplink_ + "/xdp"), 1u);

  ASSERT_EQ(::kill(daemon_->pid(), SIGKILL), 0);
  ASSERT_TRUE(eventually("the killed daemon is gone", 5s, [&] { return !daemon_->running(); }));

  // Nobody is home, yet the pinned programs keep forwarding and refusing.
  constexpr int kWhileDown = 5;
  MeshfwdStats before = cli_.stats(*relay_);
  for (int i = 0; i < kWhileDown; ++i) ASSERT_TRUE(udpCrossesRelay(kKeptPort)) << "datagram " << i << " while down";
  writeConfig(relayConfig(relayTunnelName_, uplink_, kNarrowRange));  // read by the restart only
  EXPECT_TRUE(udpCrossesRelay(kDroppedPort));
  MeshfwdStats down = cli_.stats(*relay_);
  EXPECT_EQ(before.deltaTo(down).packets("relay_tc/fwd_mesh_udp"), uint64_t(kWhileDown + 1));

  // A new daemon adopts the pinned state: the same programs stay on the
  // hooks (never detached, never replaced), the counters go on.
  startDaemon();
  EXPECT_NE(daemonLog().find("(pinned maps adopted, counters kept; 2 running program(s) kept on their hooks)"),
            std::string::npos)
      << daemonLog();
  EXPECT_EQ(attachedProgramIds(), programs) << "the restart replaced a program instead of adopting it";
  MeshfwdStats adopted = cli_.stats(*relay_);
  for (const auto& [reason, counter] : down.reasons)
    EXPECT_GE(adopted.reasons[reason].packets, counter.packets) << reason << " went backwards";
  // ... and the policy is the config read at the restart.
  EXPECT_FALSE(udpCrossesRelay(kDroppedPort));
  ASSERT_TRUE(udpCrossesRelay(kKeptPort));
  MeshfwdStats delta = down.deltaTo(cli_.stats(*relay_));
  EXPECT_EQ(delta.packets("relay_tc/fwd_mesh_udp"), 1u) << delta.nonZero();
  EXPECT_EQ(delta.packets("relay_tc/reject_policy"), 1u) << delta.nonZero();
}

TEST_F(DaemonRelayTest, MetricsOverHttpPassPromtoolAndCountTheTraffic) {
  constexpr int kSent = 3;
  for (int i = 0; i < kSent; ++i) ASSERT_TRUE(udpCrossesRelay(kKeptPort));
  EXPECT_FALSE(udpCrossesRelay(60001));
  const std::string forwarded = "meshfwd_packets_total{hook=\"relay_tc\",reason=\"fwd_mesh_udp\"}";
  const std::string rejected = "meshfwd_packets_total{hook=\"relay_tc\",reason=\"reject_policy\"}";

  // The daemon publishes a fresh exposition every second.
  std::optional<HttpReply> metrics;
  std::string error;
  ASSERT_TRUE(eventually("/metrics counts the datagrams just sent", 5s, [&] {
    metrics = scrapeMetrics(&error);
    return metrics && sampleValue(metrics->body, forwarded).value_or(0) >= kSent &&
           sampleValue(metrics->body, rejected).value_or(0) >= 1;
  }, 100ms)) << error << (metrics ? metrics->body : "");
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(metrics->contentType.rfind("text/plain", 0), 0u) << metrics->contentType;
  const std::string& body = metrics->body;

  // What the counters say over HTTP is what the pinned maps say (the
  // exposition is at most a second old and nothing else crossed since).
  MeshfwdStats stats = cli_.stats(*relay_);
  EXPECT_EQ(sampleValue(body, forwarded), double(stats.packets("relay_tc/fwd_mesh_udp"))) << body;
  EXPECT_EQ(sampleValue(body, rejected), double(stats.packets("relay_tc/reject_policy"))) << body;
  EXPECT_GE(sampleValue(body, "meshfwd_site_packets_total{site=\"" + kSiteB.prefix() + "\",direction=\"to_site\"}")
                .value_or(0),
            double(kSent))
      << body;
  EXPECT_EQ(sampleValue(body, "meshfwd_config_reload_success"), 1.0) << body;
  EXPECT_EQ(sampleValue(body, "meshfwd_config_generation"), double(statusGeneration())) << body;
  EXPECT_EQ(sampleValue(body, "meshfwd_attached{iface=\"" + relayTunnelName_ + "\",hook=\"tc-ingress\",mode=\"tc\"}"),
            1.0)
      << body;
  EXPECT_TRUE(sampleValue(body, "meshfwd_attached{iface=\"" + uplink_ + "\",hook=\"xdp\",mode=\"native\"}") ||
              sampleValue(body, "meshfwd_attached{iface=\"" + uplink_ + "\",hook=\"xdp\",mode=\"generic\"}"))
      << body;
  EXPECT_EQ(sampleValue(body, "meshfwd_datapath_tunnel_reattaches_total"), 0.0) << body;
  double loaded = sampleValue(body, "meshfwd_config_reload_timestamp_seconds").value_or(0);
  EXPECT_LE(std::abs(loaded - double(std::time(nullptr))), 600.0) << "not a recent Unix time: " << loaded;
  EXPECT_NE(body.find("# TYPE meshfwd_bytes_total counter\n"), std::string::npos) << body;

  CommandOptions lintInput;
  lintInput.input = body;
  auto lint = runCommand({"promtool", "check", "metrics"}, lintInput);
  EXPECT_TRUE(lint.ok()) << lint.describe() << lint.out;
  EXPECT_EQ(lint.out + lint.err, "") << "promtool has remarks";

  // Only /metrics is served.
  auto other = httpGet(relay_->name(), "127.0.0.1", kMetricsPort, "/", 5s, &error);
  ASSERT_TRUE(other) << error;
  EXPECT_EQ(other->status, 404);
}

}  // namespace
}  // namespace meshfwd::test
