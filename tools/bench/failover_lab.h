// The VRRP failover lab (issue 7, DESIGN.md §1 and §6), shared by the
// namespace tests and `meshfwd-bench failover`: one site with up to two
// edge routers that share the site's WireGuard key (wireguard-go routing
// tunnels with machine-unique names, the same tunnel address), a relay
// running `meshfwd attach --role relay`, a host on the site's LAN and a
// remote site whose address the host talks to:
//
//   [host] -- [sw: LAN bridge] -+- lan [e1] wan +- [inet bridge] -- [relay] -- [remote]
//                               +- lan [e2] wan +
//
// Each edge runs either `meshfwd run --role edge` ([vrrp] + [ra], the
// datapath) or keepalived 2.2.7 (vrrp_version 3, use_vmac, the same VRID
// and VIP) with notify scripts that do on a transition what meshfwd does:
// the routing tunnel up with an immediate keepalive as master, down
// otherwise. Both are measured on the same links and the same traffic.
//
// Everything throws std::runtime_error when the set-up fails. No GoogleTest
// here: the benchmark links it too.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/netns.h"
#include "tests/support/ns_command.h"
#include "tests/support/ns_topology.h"
#include "tests/support/ns_wireguard.h"

namespace meshfwd::lab {

using test::In6;
using test::NetNs;

class EchoServer;

enum class Router { Meshfwd, Keepalived };
const char* routerName(Router r);

struct LabOptions {
  std::string prefix;         // TestScope prefix, unique per user of the lab
  std::string meshfwdBinary;  // the `meshfwd` to run
  int edges = 2;              // 1 or 2
  uint16_t advertIntervalCs = 10;
  uint8_t vrid = 51;
};

inline constexpr const char* kLabVip = "fe80::51";
inline constexpr uint16_t kLabEchoPort = 58001;   // in the mesh port range
inline constexpr uint16_t kLabProbePort = 58002;

class FailoverLab {
 public:
  explicit FailoverLab(LabOptions options);
  ~FailoverLab();
  FailoverLab(const FailoverLab&) = delete;
  FailoverLab& operator=(const FailoverLab&) = delete;

  const test::TestScope& scope() const { return *scope_; }
  int edges() const { return static_cast<int>(edges_.size()); }
  const NetNs& edge(int i) const { return *edges_.at(i).ns; }
  const NetNs& host() const { return *host_; }
  const NetNs& relay() const { return *relay_; }
  const NetNs& remote() const { return *remote_; }
  const NetNs& lanSwitch() const { return *switch_; }
  const test::RelayTunnel& relayTunnel() const { return *relayTunnel_; }

  // The edge's routing tunnel (machine-unique name) and its config file.
  std::string tunnelName(int i) const;
  std::string configPath(int i) const;
  // The meshfwd daemons' $STATE_DIRECTORY (systemd's StateDirectory=): the
  // lab's own, emptied when the lab is built, never /var/lib/meshfwd.
  std::string stateDirectory() const;
  // Edge i's /run/meshfwd/net<inode>, which systemd removes on a full stop.
  std::string runtimeDirectory(int i) const;
  // The host's static address in the site /64 (the probe's source), the
  // remote site's address (the probe's target).
  In6 hostAddress() const;
  In6 remoteAddress() const;
  std::string sitePrefix() const;
  std::string vmac() const;
  std::string macvlanName() const;  // the meshfwd edge's macvlan

  // Starts the router in edge i. meshfwd: `meshfwd run --config`, waits for
  // "running" in its log; keepalived: waits for its first state line.
  void startRouter(int i, Router kind, uint8_t priority);
  // SIGTERM and wait for the process to end; its exit code.
  int stopRouter(int i);
  // SIGKILL: nothing of the router runs its stop path.
  void killRouter(int i);
  bool routerRunning(int i);
  pid_t routerPid(int i) const;
  // The router says it is backup (meshfwd's status, keepalived's log).
  bool routerIsBackup(int i) const;
  std::string routerLog(int i) const;
  // Stops whatever runs and removes what meshfwd left (`meshfwd cleanup`,
  // `meshfwd detach`), so the next run starts from the same state.
  void resetEdge(int i);

  // The edge's LAN port on the switch down (a cut cable) or up again.
  void cutLan(int i);
  void restoreLan(int i);

  // Facts read from the kernel, cheap enough to poll.
  bool holdsVip(int i) const;
  bool tunnelUp(int i) const;
  bool linkExists(int i, const std::string& ifname) const;
  // Which edge holds the VIP: -1 none, -2 more than one.
  int vipHolder() const;

  // The host's neighbour entry for the VIP ("" when none) and a ping to it
  // that makes the host resolve it.
  std::string hostVipLladdr() const;
  void hostResolveVip() const;
  // The host's mesh /48 route line ("" when none), e.g.
  // "fd42:4242:4242::/48 via fe80::51 dev lan proto ra metric 1024 ... pref high".
  std::string hostMeshRoute() const;
  // The host's SLAAC address in the site /64, "" until it has one.
  std::string hostSlaacAddress() const;

  // `meshfwd ARGS` inside edge i's namespace.
  test::CommandResult meshfwd(int i, const std::vector<std::string>& args) const;
  // GET /metrics of edge i's daemon ("" when it does not answer).
  std::string metrics(int i) const;

  // What a person would look at when traffic does not flow: the tunnels'
  // `wg show`, the routes and neighbours of the host and the edges, the
  // datapath counters. For failure messages.
  std::string diagnostics() const;

  // True once a UDP echo goes host -> remote -> host within `timeout`.
  bool waitForEcho(std::chrono::milliseconds timeout) const;

 private:
  struct Edge {
    std::unique_ptr<NetNs> ns;
    std::string switchPort;
    std::unique_ptr<test::WireguardInterface> tunnel;
    std::unique_ptr<test::BackgroundProcess> router;
    Router kind = Router::Meshfwd;
    std::string logPath;
  };

  void buildEdge(int i, const test::WgKeyPair& siteKeys);
  void writeMeshfwdConfig(int i, uint8_t priority) const;
  void writeKeepalivedConfig(int i, uint8_t priority) const;
  std::string pidFile(int i) const;
  void stopStaleRouters() const;

  LabOptions options_;
  std::unique_ptr<test::TestScope> scope_;
  std::unique_ptr<test::Internet> internet_;
  std::unique_ptr<NetNs> relay_, remote_, switch_, host_;
  std::unique_ptr<test::RelayTunnel> relayTunnel_;
  std::unique_ptr<test::WireguardInterface> remoteTunnel_;
  bool relayAttached_ = false;
  std::vector<Edge> edges_;
  std::unique_ptr<EchoServer> echo_;
};

// The remote site's UDP echo responder on [remoteAddress]:kLabEchoPort, on
// its own thread for the lab's lifetime.
class EchoServer {
 public:
  EchoServer(const std::string& netns, const In6& address, uint16_t port);
  ~EchoServer();
  EchoServer(const EchoServer&) = delete;
  EchoServer& operator=(const EchoServer&) = delete;

 private:
  int fd_ = -1;
  int stopFd_ = -1;
  std::unique_ptr<std::thread> thread_;
};

}  // namespace meshfwd::lab
