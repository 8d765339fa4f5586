// Shared by the RA namespace tests: an edge and a host on one veth link,
// the RA sender running on its own thread inside the edge namespace (as
// `meshfwd run` will run it), RAs parsed from a capture on the host, and
// the sweep of radvd processes a crashed run left behind.
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "tests/support/netns.h"
#include "tests/support/ns_poll.h"
#include "tests/support/ns_socket.h"
#include "tests/support/packet.h"
#include "userspace/config_file.h"
#include "userspace/event_loop.h"
#include "userspace/netlink_watch.h"
#include "userspace/ra_sender.h"

namespace meshfwd::test {

inline const std::string kRaMesh = "fd00:6:6::/48";
inline const std::string kRaSite = "fd00:6:6:a::/64";
inline const std::string kRaSource = "fe80::1";

// The seed's radvd.conf as [ra]: 10/30 s, lifetime 0, reachable 600000 ms,
// AdvRouterAddr on, route preference high.
inline std::string seedEdgeConfig(const std::string& lan, const std::string& extraRa = "") {
  return "role = \"edge\"\n[interfaces]\nlan = \"" + lan + "\"\ntunnel = \"wg0\"\n[mesh]\nprefix = \"" + kRaMesh +
         "\"\nsite_prefix = \"" + kRaSite + "\"\n[ra]\nsource = \"" + kRaSource +
         "\"\nmin_rtr_adv_interval = 10\nmax_rtr_adv_interval = 30\nadv_default_lifetime = 0\n"
         "adv_reachable_time = 600000\nadv_router_addr = true\nadv_route_preference = \"high\"\n" +
         extraRa;
}

inline Config parseOrThrow(const std::string& text) {
  ConfigLoad l = parseConfig(text, "ra-test.toml");
  if (!l.ok()) throw std::runtime_error("test config: " + l.errors.at(0).str());
  return *l.config;
}

// The RA sender with its own EventLoop and NetlinkWatch on a thread that
// joined the edge namespace. The test thread reads a snapshot of its
// counters, taken between loop iterations, so nothing is shared unlocked.
class RaSenderThread {
 public:
  RaSenderThread(const std::string& netns, const Config& config) {
    thread_ = std::thread([this, netns, config] { run(netns, config); });
    std::unique_lock lock(mutex_);
    startedCv_.wait(lock, [&] { return started_; });
    if (!startError_.empty()) {
      lock.unlock();
      thread_.join();
      throw std::runtime_error("RA sender did not start: " + startError_);
    }
  }
  ~RaSenderThread() { stop(); }

  // SIGTERM's path: RaSender::stop(), then the loop ends.
  void stop() {
    quit_ = true;
    if (thread_.joinable()) thread_.join();
  }
  ra::SenderCounters counters() const {
    std::lock_guard lock(mutex_);
    return counters_;
  }
  uint64_t totalSent() const {
    uint64_t n = 0;
    for (const auto& [kind, count] : counters().sent) n += count;
    return n;
  }
  std::string metrics() const {
    std::lock_guard lock(mutex_);
    return metrics_;
  }

 private:
  void run(const std::string& netns, const Config& config) {
    std::string error;
    int fd = ::open(("/var/run/netns/" + netns).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0) error = "setns " + netns + ": " + std::strerror(errno);
    if (fd >= 0) ::close(fd);
    EventLoop loop;
    ra::RaSender sender;
    NetlinkWatch watch([&](const NetlinkEvent& e) { sender.onNetlink(e); });
    if (error.empty()) error = watch.open();
    if (error.empty() && loop.addReadable(watch.fd(), [&] { watch.drain(); }) < 0) error = "epoll add netlink";
    if (error.empty()) error = sender.start(loop, config);
    {
      std::lock_guard lock(mutex_);
      startError_ = error;
      started_ = true;
      snapshot(sender);
    }
    startedCv_.notify_all();
    if (!error.empty()) return;
    while (!quit_) {
      loop.runOnce(std::chrono::milliseconds(20));
      std::lock_guard lock(mutex_);
      snapshot(sender);
    }
    sender.stop();
    loop.remove(watch.fd());
    std::lock_guard lock(mutex_);
    snapshot(sender);
  }
  void snapshot(const ra::RaSender& sender) {
    counters_ = sender.counters();
    metrics_.clear();
    sender.renderMetrics(metrics_);
  }

  std::thread thread_;
  std::atomic<bool> quit_{false};
  mutable std::mutex mutex_;
  std::condition_variable startedCv_;
  bool started_ = false;
  std::string startError_;
  ra::SenderCounters counters_;
  std::string metrics_;
};

// radvd processes started from this test's work directory (their command
// line names its config there): a crashed run must not leave one behind.
inline void stopStaleRadvd(const std::string& workDir) {
  namespace fs = std::filesystem;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::string pid = entry.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline.rfind("radvd", 0) != 0 && cmdline.find("/radvd") == std::string::npos) continue;
    if (cmdline.find(workDir + "/") == std::string::npos) continue;
    pid_t p = std::stoi(pid);
    ::kill(p, SIGTERM);
    pollUntil([&] { return ::kill(p, 0) != 0; }, std::chrono::seconds(5));
    ::kill(p, SIGKILL);
  }
}

// The edge (router) and a host on one veth link. The host forwards and so
// needs accept_ra = 2, takes route information up to /64 and makes its
// SLAAC address from the MAC (eui64), so its address is predictable.
struct RaLink {
  TestScope scope{"ra6"};
  struct RadvdSweep {
    std::string dir;
    explicit RadvdSweep(std::string d) : dir(std::move(d)) { stopStaleRadvd(dir); }
    ~RadvdSweep() { stopStaleRadvd(dir); }
  } radvdSweep{scope.workDir()};
  NetNs edge{scope.name("edge")};
  NetNs host{scope.name("host")};
  std::string edgeIf = scope.name("e0");
  std::string hostIf = scope.name("h0");

  RaLink() {
    addVethPair(edge, edgeIf, host, hostIf);
    edge.sysctl("net.ipv6.conf.all.forwarding", "1");  // a router, as radvd expects
    const std::string h = "net.ipv6.conf." + hostIf + ".";
    host.sysctl(h + "forwarding", "1");
    host.sysctl(h + "accept_ra", "2");
    host.sysctl(h + "accept_ra_rt_info_max_plen", "64");
    host.sysctl(h + "addr_gen_mode", "0");
    host.sysctl(h + "use_tempaddr", "0");
    edge.ip("link set " + edgeIf + " up");
    host.ip("link set " + hostIf + " up");
  }

  void addSource() const { edge.ip("addr add " + kRaSource + "/64 dev " + edgeIf + " nodad"); }
  void removeSource() const { edge.ip("addr del " + kRaSource + "/64 dev " + edgeIf); }

  // The host's link-local address (eui64) once the kernel has one.
  std::string hostLinkLocal() const {
    auto r = host.must({"ip", "-6", "-o", "addr", "show", "dev", hostIf, "scope", "link"});
    std::istringstream in(r.out);
    std::string w;
    while (in >> w)
      if (w == "inet6" && in >> w) return w.substr(0, w.find('/'));
    return "";
  }
};

// EUI-64 interface identifier of a MAC (RFC 4291 appendix A), in the site /64.
inline std::string slaacAddress(const std::string& mac) {
  unsigned m[6];
  std::sscanf(mac.c_str(), "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]);
  char text[64];
  std::snprintf(text, sizeof text, "fd00:6:6:a:%x:%x:%x:%x", ((m[0] ^ 0x02) << 8) | m[1], (m[2] << 8) | 0xff,
                (0xfe << 8) | m[3], (m[4] << 8) | m[5]);
  return text;
}

// An RA as captured (IPv6 header on, link header off).
struct CapturedRa {
  In6 src, dst;
  uint8_t ipHopLimit = 0;
  uint8_t code = 0, curHopLimit = 0, flags = 0;
  uint16_t routerLifetime = 0;
  uint32_t reachableMs = 0, retransMs = 0;
  std::vector<Bytes> options;  // each whole, type and length included

  std::vector<Bytes> optionsOfType(uint8_t type) const {
    std::vector<Bytes> out;
    for (const auto& o : options)
      if (o[0] == type) out.push_back(o);
    return out;
  }
};

inline bool isRouterAdvert(const Bytes& p) { return p.size() >= 56 && p[6] == 58 && p[40] == 134; }

inline uint32_t be32(const Bytes& b, size_t at) {
  return (uint32_t{b[at]} << 24) | (uint32_t{b[at + 1]} << 16) | (uint32_t{b[at + 2]} << 8) | b[at + 3];
}

inline CapturedRa parseCapturedRa(const Bytes& p) {
  CapturedRa ra;
  std::copy_n(p.begin() + 8, 16, ra.src.b.begin());
  std::copy_n(p.begin() + 24, 16, ra.dst.b.begin());
  ra.ipHopLimit = p[7];
  ra.code = p[41];
  ra.curHopLimit = p[44];
  ra.flags = p[45];
  ra.routerLifetime = static_cast<uint16_t>((p[46] << 8) | p[47]);
  ra.reachableMs = be32(p, 48);
  ra.retransMs = be32(p, 52);
  size_t at = 56;
  while (at + 2 <= p.size()) {
    size_t len = p[at + 1] * 8u;
    if (len == 0 || at + len > p.size()) throw std::runtime_error("malformed RA option at " + std::to_string(at));
    ra.options.emplace_back(p.begin() + static_cast<long>(at), p.begin() + static_cast<long>(at + len));
    at += len;
  }
  return ra;
}

}  // namespace meshfwd::test
