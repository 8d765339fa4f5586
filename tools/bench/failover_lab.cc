#include "tools/bench/failover_lab.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tests/support/poll_until.h"
#include "userspace/vrrp_names.h"

namespace meshfwd::lab {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::CommandResult;
using test::In6;
using test::SitePlan;

namespace {

const SitePlan kSite{'a'};
const SitePlan kRemoteSite{'b'};
constexpr const char* kLan = "lan";
constexpr const char* kUplink = "wan";  // not "up": `ip link add up` reads a keyword
constexpr const char* kRelayUnderlay = "2001:db8:ffff::1";
constexpr uint16_t kMetricsPort = 9469;
constexpr auto kRouterStart = 60s;  // attach loads BPF programs: slow on a loaded machine

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

sockaddr_in6 socketAddress(const In6& addr, uint16_t port) {
  sockaddr_in6 sa{};
  sa.sin6_family = AF_INET6;
  sa.sin6_port = htons(port);
  std::memcpy(&sa.sin6_addr, addr.b.data(), 16);
  return sa;
}

int udpSocketIn(const std::string& netns, const In6& addr, uint16_t port) {
  int fd = -1;
  test::runInNetns(netns, [&] {
    fd = ::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    sockaddr_in6 sa = socketAddress(addr, port);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
      int e = errno;
      ::close(fd);
      throw std::runtime_error("bind [" + addr.str() + "]:" + std::to_string(port) + " in " + netns + ": " +
                               std::strerror(e));
    }
  });
  return fd;
}

}  // namespace

const char* routerName(Router r) { return r == Router::Meshfwd ? "meshfwd" : "keepalived"; }

// ---------------------------------------------------------------- echo

EchoServer::EchoServer(const std::string& netns, const In6& address, uint16_t port) {
  fd_ = udpSocketIn(netns, address, port);
  stopFd_ = ::eventfd(0, EFD_CLOEXEC);
  thread_ = std::make_unique<std::thread>([this] {
    while (true) {
      pollfd p[2] = {{fd_, POLLIN, 0}, {stopFd_, POLLIN, 0}};
      if (::poll(p, 2, -1) < 0 && errno != EINTR) return;
      if (p[1].revents) return;
      if (!(p[0].revents & POLLIN)) continue;
      uint8_t buf[2048];
      sockaddr_in6 from{};
      socklen_t len = sizeof from;
      ssize_t n = ::recvfrom(fd_, buf, sizeof buf, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &len);
      if (n > 0) (void)::sendto(fd_, buf, static_cast<size_t>(n), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), len);
    }
  });
}

EchoServer::~EchoServer() {
  uint64_t one = 1;
  (void)::write(stopFd_, &one, sizeof one);
  if (thread_ && thread_->joinable()) thread_->join();
  ::close(fd_);
  ::close(stopFd_);
}

// ---------------------------------------------------------------- lab

FailoverLab::FailoverLab(LabOptions options) : options_(std::move(options)) {
  if (options_.edges < 1 || options_.edges > 2) throw std::invalid_argument("the lab has 1 or 2 edges");
  scope_ = std::make_unique<test::TestScope>(options_.prefix);
  std::filesystem::remove_all(stateDirectory());  // a previous run's, keyed by inodes the kernel reuses
  edges_.resize(static_cast<size_t>(options_.edges));
  stopStaleRouters();

  internet_ = std::make_unique<test::Internet>(*scope_);
  relay_ = std::make_unique<NetNs>(scope_->name("relay"));
  internet_->plug(*relay_, kUplink, {std::string(kRelayUnderlay) + "/64"});
  relayTunnel_ = std::make_unique<test::RelayTunnel>(*relay_, scope_->name("wr"), scope_->workDir());
  relay_->sysctl("net.ipv6.conf.all.forwarding", "1");
  test::dropKernelForwarding(*relay_);  // what crosses the relay, meshfwd forwarded

  std::string relayEndpoint = "[" + std::string(kRelayUnderlay) + "]:" + std::to_string(test::kPlanRelayWgPort);
  test::WgKeyPair remoteKeys = test::generateWgKeyPair();
  relayTunnel_->addSite(kRemoteSite, remoteKeys.publicKey);
  remote_ = std::make_unique<NetNs>(scope_->name("rem"));
  internet_->plug(*remote_, kUplink, {"2001:db8:ffff::b/64"});
  remoteTunnel_ = test::makeSiteTunnel(*remote_, scope_->name("wb"), kRemoteSite, remoteKeys, *relayTunnel_,
                                       relayEndpoint, scope_->workDir());
  remote_->ip("addr add " + remoteAddress().str() + "/128 dev " + remoteTunnel_->name() + " nodad");


  // The site: one key for every edge (DESIGN.md §1), one relay peer.
  test::WgKeyPair siteKeys = test::generateWgKeyPair();
  relayTunnel_->addSite(kSite, siteKeys.publicKey);
  // `meshfwd attach` syncs the relay's egress from the routes once: after
  // both sites' routes exist.
  auto attached = test::runCommand({options_.meshfwdBinary, "attach", "--role", "relay", "--tunnel",
                                    relayTunnel_->name(), "--mesh-prefix", test::kPlanMeshPrefix, "--ports",
                                    test::kPlanPorts, kUplink},
                                   {relay_->name(), 60s, ""});
  if (!attached.ok()) throw std::runtime_error("relay attach: " + attached.describe());
  relayAttached_ = true;

  switch_ = std::make_unique<NetNs>(scope_->name("sw"));
  switch_->ip("link add br0 type bridge mcast_snooping 0");
  switch_->ip("link set br0 up");
  host_ = std::make_unique<NetNs>(scope_->name("h"));
  test::addVethPair(*switch_, "ph", *host_, kLan);
  switch_->ip("link set ph master br0 up");
  // A server as the README asks: RAs accepted, the /48 RIO taken, a
  // stable EUI-64 SLAAC address; plus a static address for the probe.
  const std::string h = std::string("net.ipv6.conf.") + kLan + ".";
  host_->sysctl(h + "accept_ra", "2");
  host_->sysctl(h + "accept_ra_rt_info_max_plen", "64");
  host_->sysctl(h + "autoconf", "1");
  host_->sysctl(h + "use_tempaddr", "0");
  host_->sysctl(h + "addr_gen_mode", "0");
  host_->ip("addr add " + hostAddress().str() + "/64 dev " + kLan + " nodad");
  host_->ip(std::string("link set ") + kLan + " up");

  for (int i = 0; i < options_.edges; ++i) buildEdge(i, siteKeys);
  echo_ = std::make_unique<EchoServer>(remote_->name(), remoteAddress(), kLabEchoPort);
}

void FailoverLab::buildEdge(int i, const test::WgKeyPair& siteKeys) {
  Edge& e = edges_[static_cast<size_t>(i)];
  const std::string n = std::to_string(i + 1);
  e.ns = std::make_unique<NetNs>(scope_->name("e" + n));
  internet_->plug(*e.ns, kUplink, {"2001:db8:ffff::a" + n + "/64"});
  e.ns->sysctl("net.ipv6.conf.all.forwarding", "1");
  e.switchPort = "pe" + n;
  test::addVethPair(*switch_, e.switchPort, *e.ns, kLan);
  switch_->ip("link set " + e.switchPort + " master br0 up");
  e.ns->ip("addr add " + kSite.host(static_cast<int>(i + 1)).str() + "/64 dev " + kLan + " nodad");
  e.ns->ip(std::string("link set ") + kLan + " up");
  // Same key and tunnel address as the other edge, a machine-unique name.
  e.tunnel = test::makeSiteTunnel(*e.ns, tunnelName(i), kSite, siteKeys, *relayTunnel_,
                                  "[" + std::string(kRelayUnderlay) + "]:" + std::to_string(test::kPlanRelayWgPort),
                                  scope_->workDir());
  // Up with its routes, as wg-quick leaves it: the first router to start
  // takes it down until it wins (meshfwd saves the routes for later runs).
  e.ns->sysctl("net.ipv6.conf." + tunnelName(i) + ".keep_addr_on_down", "1");
  e.logPath = scope_->workDir() + "/router-e" + n + ".log";
}

FailoverLab::~FailoverLab() {
  echo_.reset();
  for (int i = 0; i < edges(); ++i) {
    try {
      resetEdge(i);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "failover lab: resetting edge %d: %s\n", i + 1, e.what());
    }
    edges_[static_cast<size_t>(i)].tunnel.reset();
  }
  if (relayAttached_) test::runCommand({options_.meshfwdBinary, "detach"}, {relay_->name(), 30s, ""});
  remoteTunnel_.reset();
  relayTunnel_.reset();
  edges_.clear();
  host_.reset();
  switch_.reset();
  remote_.reset();
  relay_.reset();
  internet_.reset();
  scope_.reset();
}

std::string FailoverLab::tunnelName(int i) const { return scope_->name("w" + std::to_string(i + 1)); }
std::string FailoverLab::stateDirectory() const { return scope_->workDir() + "/state"; }
std::string FailoverLab::runtimeDirectory(int i) const {
  struct stat st {};
  std::string ns = "/var/run/netns/" + edge(i).name();
  if (::stat(ns.c_str(), &st) != 0) throw std::runtime_error("no namespace " + ns);
  return "/run/meshfwd/net" + std::to_string(st.st_ino);
}
std::string FailoverLab::configPath(int i) const {
  return scope_->workDir() + "/e" + std::to_string(i + 1) + ".toml";
}
std::string FailoverLab::pidFile(int i) const { return scope_->workDir() + "/router-e" + std::to_string(i + 1) + ".pid"; }
In6 FailoverLab::hostAddress() const { return kSite.host(0x10); }
In6 FailoverLab::remoteAddress() const { return kRemoteSite.host(0x10); }
std::string FailoverLab::sitePrefix() const { return kSite.prefix(); }
std::string FailoverLab::vmac() const { return vrrp::formatMac(vrrp::virtualMac(options_.vrid)); }
std::string FailoverLab::macvlanName() const { return vrrp::vrrpMacvlanName(kLan, options_.vrid); }

// Routers of a crashed earlier run: their pid files name them; only a
// process whose command line still names our work directory is stopped.
void FailoverLab::stopStaleRouters() const {
  for (int i = 0; i < 2; ++i) {
    for (const std::string& file : {pidFile(i), scope_->workDir() + "/keepalived-e" + std::to_string(i + 1) + ".pid"}) {
      std::ifstream in(file);
      pid_t pid = 0;
      if (!(in >> pid) || pid <= 1) continue;
      std::ifstream cmd("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
      std::string cmdline((std::istreambuf_iterator<char>(cmd)), std::istreambuf_iterator<char>());
      if (cmdline.find(scope_->workDir()) != std::string::npos) ::kill(pid, SIGKILL);
      fs::remove(file);
    }
  }
}

void FailoverLab::writeMeshfwdConfig(int i, uint8_t priority) const {
  char interval[16];
  std::snprintf(interval, sizeof interval, "%.2f", options_.advertIntervalCs / 100.0);
  std::ofstream(configPath(i)) << "role = \"edge\"\n[interfaces]\nlan = \"" << kLan << "\"\nuplink = \"" << kUplink
                               << "\"\ntunnel = \"" << tunnelName(i) << "\"\n[mesh]\nprefix = \""
                               << test::kPlanMeshPrefix << "\"\nsite_prefix = \"" << kSite.prefix()
                               << "\"\nport_range = \"" << test::kPlanPorts << "\"\n[metrics]\nlisten = \"127.0.0.1:"
                               << kMetricsPort << "\"\n[ra]\nmin_rtr_adv_interval = 3\nmax_rtr_adv_interval = 10\n"
                               << "[vrrp]\nvirtual_router_id = " << int(options_.vrid) << "\npriority = "
                               << int(priority) << "\nadvert_int = " << interval << "\nvirtual_address = \""
                               << kLabVip << "\"\n";
}

void FailoverLab::writeKeepalivedConfig(int i, uint8_t priority) const {
  const std::string n = std::to_string(i + 1);
  const std::string script = scope_->workDir() + "/notify-e" + n + ".sh";
  const std::string w = tunnelName(i), key = relayTunnel_->publicKey();
  // What meshfwd's VRRP does on a transition (DESIGN.md §1), as an
  // operator would script it: tunnel up, routes back, and a fresh
  // handshake (the peer removed and re-added: a session left from an
  // earlier mastership would cut the site off for ~15 s).
  std::ofstream(script) << "#!/bin/sh\ncase \"$1\" in\nup)\n  ip link set dev " << w << " up\n"
                        << "  ip -6 route replace " << test::kPlanMeshPrefix << " dev " << w << "\n"
                        << "  ip -6 route replace " << test::kPlanRelayTunnelAddr.str() << "/128 dev " << w << "\n"
                        << "  wg set " << w << " peer " << key << " remove peer " << key << " endpoint ["
                        << kRelayUnderlay << "]:" << test::kPlanRelayWgPort << " allowed-ips "
                        << test::kPlanMeshPrefix << "," << test::kPlanRelayTunnelAddr.str()
                        << "/128 persistent-keepalive 25\n  ;;\n*)\n  ip link set dev " << w << " down\n  ;;\nesac\n";
  fs::permissions(script, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec);
  char interval[16];
  std::snprintf(interval, sizeof interval, "%.2f", options_.advertIntervalCs / 100.0);
  std::ofstream(scope_->workDir() + "/keepalived-e" + n + ".conf")
      << "global_defs {\n  router_id lab-e" << n << "\n  vrrp_version 3\n  script_user root\n}\n"
      << "vrrp_instance site {\n  state BACKUP\n  interface " << kLan << "\n  use_vmac\n  virtual_router_id "
      << int(options_.vrid) << "\n  priority " << int(priority) << "\n  advert_int " << interval
      << "\n  virtual_ipaddress {\n    " << kLabVip << "/128\n  }\n"
      << "  notify_master \"" << script << " up\"\n  notify_backup \"" << script << " down\"\n"
      << "  notify_fault \"" << script << " down\"\n  notify_stop \"" << script << " down\"\n}\n";
}

void FailoverLab::startRouter(int i, Router kind, uint8_t priority) {
  Edge& e = edges_.at(static_cast<size_t>(i));
  if (e.router && e.router->running()) throw std::runtime_error("edge " + std::to_string(i + 1) + " already runs a router");
  e.kind = kind;
  const std::string n = std::to_string(i + 1);
  if (kind == Router::Meshfwd) {
    writeMeshfwdConfig(i, priority);
    e.router = std::make_unique<test::BackgroundProcess>(
        std::vector<std::string>{options_.meshfwdBinary, "run", "--config", configPath(i)}, e.ns->name(), e.logPath,
        std::vector<std::string>{"STATE_DIRECTORY=" + stateDirectory()});
    std::ofstream(pidFile(i)) << e.router->pid() << "\n";
    bool up = test::pollUntil([&] {
      return readFile(e.logPath).find("<6>running: ") != std::string::npos || !e.router->running();
    }, kRouterStart, 20ms);
    if (!up || !e.router->running())
      throw std::runtime_error("meshfwd run in " + e.ns->name() + " did not start:\n" + readFile(e.logPath));
    return;
  }
  // keepalived forwards with the kernel: no meshfwd datapath on this edge.
  // The host has no RAs then: a static /48 via the VIP stands in for them.
  test::runCommand({options_.meshfwdBinary, "detach"}, {e.ns->name(), 30s, ""});
  host_->must({"ip", "-6", "route", "replace", test::kPlanMeshPrefix, "via", kLabVip, "dev", kLan, "metric", "2048"});
  writeKeepalivedConfig(i, priority);
  const std::string dir = scope_->workDir();
  e.router = std::make_unique<test::BackgroundProcess>(
      std::vector<std::string>{"ip", "netns", "exec", e.ns->name(), "keepalived", "-n", "-l", "-D", "-P", "-f",
                               dir + "/keepalived-e" + n + ".conf", "-p", dir + "/keepalived-e" + n + ".pid", "-r",
                               dir + "/keepalived-e" + n + "-vrrp.pid", "-c", dir + "/keepalived-e" + n + "-chk.pid"},
      "", e.logPath);
  bool up = test::pollUntil([&] {
    std::string log = readFile(e.logPath);
    return log.find("Entering BACKUP STATE") != std::string::npos ||
           log.find("Entering MASTER STATE") != std::string::npos || !e.router->running();
  }, kRouterStart, 20ms);
  if (!up || !e.router->running())
    throw std::runtime_error("keepalived in " + e.ns->name() + " did not start:\n" + readFile(e.logPath));
}

int FailoverLab::stopRouter(int i) {
  Edge& e = edges_.at(static_cast<size_t>(i));
  if (!e.router) return -1;
  e.router->stop();
  return e.router->exitCode();
}

void FailoverLab::killRouter(int i) {
  Edge& e = edges_.at(static_cast<size_t>(i));
  if (!e.router || !e.router->running()) return;
  ::kill(e.router->pid(), SIGKILL);
  test::pollUntil([&] { return !e.router->running(); }, 10s);
}

bool FailoverLab::routerRunning(int i) {
  Edge& e = edges_.at(static_cast<size_t>(i));
  return e.router && e.router->running();
}

bool FailoverLab::routerIsBackup(int i) const {
  const Edge& e = edges_.at(static_cast<size_t>(i));
  if (!e.router) return false;
  if (e.kind == Router::Keepalived) return routerLog(i).find("Entering BACKUP STATE") != std::string::npos;
  return meshfwd(i, {"status"}).out.find("vrrp: backup,") != std::string::npos;
}

pid_t FailoverLab::routerPid(int i) const {
  const Edge& e = edges_.at(static_cast<size_t>(i));
  return e.router ? e.router->pid() : -1;
}

std::string FailoverLab::routerLog(int i) const { return readFile(edges_.at(static_cast<size_t>(i)).logPath); }

void FailoverLab::resetEdge(int i) {
  Edge& e = edges_.at(static_cast<size_t>(i));
  if (e.router) e.router->stop();
  e.router.reset();
  switch_->ip("link set " + e.switchPort + " up");
  if (fs::exists(configPath(i)))
    test::runCommand({options_.meshfwdBinary, "cleanup", "--role", "edge", "--config", configPath(i)},
                     {e.ns->name(), 30s, ""});
  test::runCommand({options_.meshfwdBinary, "detach"}, {e.ns->name(), 30s, ""});
  e.ns->run({"ip", "link", "set", tunnelName(i), "down"});
}

void FailoverLab::cutLan(int i) { switch_->ip("link set " + edges_.at(static_cast<size_t>(i)).switchPort + " down"); }
void FailoverLab::restoreLan(int i) { switch_->ip("link set " + edges_.at(static_cast<size_t>(i)).switchPort + " up"); }

bool FailoverLab::holdsVip(int i) const {
  return edge(i).run({"ip", "-6", "-o", "addr", "show"}).out.find(std::string(" ") + kLabVip + "/") !=
         std::string::npos;
}

bool FailoverLab::tunnelUp(int i) const {
  std::string out = edge(i).run({"ip", "-o", "link", "show", "dev", tunnelName(i)}).out;
  auto open = out.find('<'), close = out.find('>');
  if (open == std::string::npos || close == std::string::npos) return false;
  std::string flags = "," + out.substr(open + 1, close - open - 1) + ",";
  return flags.find(",UP,") != std::string::npos;
}

bool FailoverLab::linkExists(int i, const std::string& ifname) const {
  return edge(i).run({"ip", "link", "show", "dev", ifname}).exitCode == 0;
}

int FailoverLab::vipHolder() const {
  int holder = -1;
  for (int i = 0; i < edges(); ++i) {
    if (!holdsVip(i)) continue;
    if (holder != -1) return -2;
    holder = i;
  }
  return holder;
}

std::string FailoverLab::hostVipLladdr() const {
  auto out = host_->run({"ip", "-6", "neigh", "show", kLabVip, "dev", kLan}).out;
  auto pos = out.find("lladdr ");
  return pos == std::string::npos ? "" : out.substr(pos + 7, 17);
}

void FailoverLab::hostResolveVip() const {
  host_->run({"ping", "-6", "-c", "1", "-W", "1", std::string(kLabVip) + "%" + kLan});
}

std::string FailoverLab::hostMeshRoute() const {
  auto out = host_->run({"ip", "-6", "route", "show", test::kPlanMeshPrefix}).out;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line))
    if (line.find("proto ra") != std::string::npos) return line;
  return out.substr(0, out.find('\n'));
}

std::string FailoverLab::hostSlaacAddress() const {
  auto out = host_->run({"ip", "-6", "-o", "addr", "show", "dev", kLan, "scope", "global"}).out;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.find("dynamic") == std::string::npos) continue;
    auto at = line.find("inet6 ");
    if (at == std::string::npos) continue;
    std::string addr = line.substr(at + 6);
    return addr.substr(0, addr.find('/'));
  }
  return "";
}

CommandResult FailoverLab::meshfwd(int i, const std::vector<std::string>& args) const {
  std::vector<std::string> argv{options_.meshfwdBinary};
  argv.insert(argv.end(), args.begin(), args.end());
  return test::runCommand(argv, {edge(i).name(), 30s, ""});
}

std::string FailoverLab::metrics(int i) const {
  std::string body;
  test::runInNetns(edge(i).name(), [&] {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return;
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(kMetricsPort);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) {
      const char request[] = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
      if (::send(fd, request, sizeof request - 1, MSG_NOSIGNAL) == static_cast<ssize_t>(sizeof request - 1)) {
        char buf[4096];
        for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) body.append(buf, static_cast<size_t>(n));
      }
    }
    ::close(fd);
  });
  auto headerEnd = body.find("\r\n\r\n");
  return headerEnd == std::string::npos ? "" : body.substr(headerEnd + 4);
}

std::string FailoverLab::diagnostics() const {
  std::string out;
  auto add = [&](const NetNs& ns, const std::vector<std::string>& argv) {
    auto r = ns.run(argv);
    out += "[" + ns.name() + "] $";
    for (const auto& a : argv) out += " " + a;
    out += "\n" + r.out + r.err;
  };
  add(*relay_, {"wg", "show", relayTunnel_->name()});
  add(*relay_, {options_.meshfwdBinary, "stats"});
  add(*remote_, {"wg", "show", remoteTunnel_->name()});
  add(*host_, {"ip", "-6", "route"});
  add(*host_, {"ip", "-6", "neigh"});
  for (int i = 0; i < edges(); ++i) {
    add(edge(i), {"wg", "show", tunnelName(i)});
    add(edge(i), {"ip", "-6", "-br", "addr"});
    add(edge(i), {"ip", "-6", "route"});
    add(edge(i), {options_.meshfwdBinary, "stats"});
  }
  return out;
}

bool FailoverLab::waitForEcho(std::chrono::milliseconds timeout) const {
  int fd = udpSocketIn(host_->name(), hostAddress(), kLabProbePort + 1);
  sockaddr_in6 to = socketAddress(remoteAddress(), kLabEchoPort);
  bool ok = test::pollUntil([&] {
    const char ping[] = "echo?";
    (void)::sendto(fd, ping, sizeof ping, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&to), sizeof to);
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 300) <= 0) return false;
    char buf[64];
    return ::recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0;
  }, timeout, 0ms);
  ::close(fd);
  return ok;
}

}  // namespace meshfwd::lab
