#include "tools/bench/reload_latency.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include "loader/datapath.h"
#include "loader/libbpf_log.h"
#include "tools/bench/bench_netns.h"
#include "tools/bench/site_plan.h"
#include "userspace/daemon_status.h"
#include "userspace/live_state.h"
#include "userspace/map_view.h"

namespace meshfwd::bench {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr const char* kTunnel = "mfbench0";  // enterBenchNetns's veth, standing in for the routing tunnel
constexpr const char* kUplink = "mfbench1";
constexpr const char* kTunnelAddress = "fd99::1/128";  // the ICMPv6 error source, as on a real relay
// Each reload flips between these: the policy changes every time, so every
// reload writes and flips to a new generation.
constexpr uint16_t kWideLo = 58000, kNarrowLo = 59000, kPortHi = 60000;
// How often the pinned maps are read while waiting for a flip: fine enough
// for millisecond figures, coarse enough to leave the daemon a CPU.
constexpr auto kFlipPoll = 100us;

std::string relayConfig(uint16_t portLo) {
  return "role = \"relay\"\n"
         "[interfaces]\n"
         "uplink = \"" + std::string(kUplink) + "\"\n"
         "tunnel = \"" + std::string(kTunnel) + "\"\n"
         "[mesh]\n"
         "prefix = \"" + std::string(kMeshPrefix) + "\"\n"
         "port_range = \"" + std::to_string(portLo) + "-" + std::to_string(kPortHi) + "\"\n"
         "[guard]\n"
         "enabled = false\n"  // no WireGuard on the stand-in tunnel to take a listen port from
         "[metrics]\n"
         "listen = \"127.0.0.1:9469\"\n";  // in the benchmark's namespace only
}

std::string tail(const std::string& path, size_t bytes = 2000) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  return s.size() > bytes ? "..." + s.substr(s.size() - bytes) : s;
}

// Runs argv to completion in this namespace; its exit status (-1: no exec).
int runQuiet(const std::vector<std::string>& argv) {
  pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    ::dup2(null, 1);
    ::dup2(null, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string addRoutes(const SitePlan& plan, uint32_t from, uint32_t to) {
  FILE* ip = ::popen("ip -batch - 2>&1", "w");
  if (!ip) return std::string("cannot run ip: ") + std::strerror(errno);
  for (uint32_t i = from; i < to; ++i)
    std::fprintf(ip, "route add %s/64 dev %s\n", plan.sitePrefix(i).str().c_str(), kTunnel);
  int status = ::pclose(ip);
  return status == 0 ? "" : "ip -batch (routes) failed with status " + std::to_string(status);
}

// The daemon as a child process in this namespace; stopped (SIGTERM, as
// systemd would) and the datapath detached on destruction.
class DaemonChild {
 public:
  DaemonChild(const std::string& binary, const std::string& config, const std::string& logPath)
      : binary_(binary), logPath_(logPath) {
    int log = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // a killed benchmark does not leave its daemon behind
      ::dup2(log, 1);
      ::dup2(log, 2);
      ::execl(binary.c_str(), binary.c_str(), "run", "--config", config.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    if (log >= 0) ::close(log);
  }
  ~DaemonChild() {
    if (running()) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    runQuiet({binary_, "detach"});
  }
  DaemonChild(const DaemonChild&) = delete;
  DaemonChild& operator=(const DaemonChild&) = delete;

  pid_t pid() const { return pid_; }
  bool running() {
    if (pid_ <= 0 || exited_) return false;
    int status = 0;
    exited_ = ::waitpid(pid_, &status, WNOHANG) == pid_;
    return !exited_;
  }
  std::string failure(const std::string& what) { return what + "; the daemon's log:\n" + tail(logPath_); }

 private:
  std::string binary_;
  std::string logPath_;
  pid_t pid_ = -1;
  bool exited_ = false;
};

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

template <typename Condition>
bool waitUntil(Condition condition, std::chrono::milliseconds timeout, std::chrono::microseconds interval) {
  auto deadline = Clock::now() + timeout;
  while (!condition()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(interval);
  }
  return true;
}

size_t exactSiteEntries(const loader::PinnedMaps& maps) {
  return BpfMapView<mf_egress64_key, mf_egress>(maps.fd("mf_egress64")).entries().size();
}

class Measurement {
 public:
  Measurement(const ReloadOptions& options, ReloadResult& result) : options_(options), result_(result) {}

  std::string run() {
    uint32_t maxSites = 0;
    for (uint32_t s : options_.sites) maxSites = std::max(maxSites, s);
    SitePlan plan(maxSites, 1);
    std::vector<std::string> first;
    for (uint32_t i = 0; i < options_.sites.front(); ++i) first.push_back(plan.sitePrefix(i).str() + "/64");
    BenchNetns netns;
    if (std::string e = enterBenchNetns(first, kTunnelMtu, netns); !e.empty()) return e;
    if (runQuiet({"ip", "addr", "add", kTunnelAddress, "dev", kTunnel, "nodad"}) != 0)
      return std::string("cannot add ") + kTunnelAddress + " to " + kTunnel;

    std::error_code ec;
    std::filesystem::create_directories(options_.workDir, ec);
    configPath_ = options_.workDir + "/relay.toml";
    if (std::string e = writeFileAtomically(configPath_, relayConfig(kWideLo)); !e.empty()) return e;
    portLo_ = kWideLo;
    std::string why;
    statusPath_ = daemonStatusPath(&why);
    if (statusPath_.empty()) return why;

    result_.daemonLog = options_.workDir + "/daemon.log";
    std::string error;
    {
      DaemonChild daemon(options_.meshfwdBinary, configPath_, result_.daemonLog);
      error = measureWith(daemon, plan);
    }  // stopped and detached here, so the status directory stays removed
    std::filesystem::remove_all(std::filesystem::path(statusPath_).parent_path(), ec);
    return error;
  }

 private:
  std::optional<std::string> statusField(const char* key) const {
    return daemonStatusField(readFile(statusPath_), key);
  }

  std::string measureWith(DaemonChild& daemon, const SitePlan& plan) {
    std::string pid = std::to_string(daemon.pid());
    bool ready = waitUntil(
        [&] { return !daemon.running() || (statusField("pid") == pid && statusField("state") == "running"); }, 60s,
        1ms);
    if (!ready || !daemon.running()) return daemon.failure("`meshfwd run` did not start");

    std::string error;
    std::optional<loader::PinnedMaps> maps;
    {
      loader::LibbpfLogCapture quiet;
      maps.emplace(loader::PinnedMaps::open(&error));
    }
    if (!maps->ok()) return daemon.failure("the daemon's pinned maps: " + error);

    uint32_t routed = options_.sites.front();
    for (uint32_t sites : options_.sites) {
      if (sites > routed) {
        if (std::string e = addRoutes(plan, routed, sites); !e.empty()) return e;
        routed = sites;
        // The daemon follows the routing table on its own (netlink, debounced).
        if (!waitUntil([&] { return !daemon.running() || exactSiteEntries(*maps) == sites; }, 300s, 200ms) ||
            !daemon.running())
          return daemon.failure("the daemon never synced " + std::to_string(sites) + " site routes");
        // Events that came in during a long re-sync start another one: the
        // rows measure a daemon at rest, as a reload normally finds it.
        if (!waitForQuietResyncs(daemon)) return daemon.failure("the daemon kept re-syncing");
      }
      ReloadRow row;
      row.sites = sites;
      std::vector<double> toMap, reported;
      for (uint32_t r = 0; r < options_.reloads; ++r) {
        double ms = 0, daemonMs = 0;
        if (std::string e = reloadOnce(daemon, *maps, ms, daemonMs); !e.empty()) return e;
        toMap.push_back(ms);
        reported.push_back(daemonMs);
      }
      row.reloads = options_.reloads;
      row.sighupToMapMs = spreadOf(toMap);
      row.daemonReportedMs = spreadOf(reported);
      result_.rows.push_back(row);
    }
    return "";
  }

  // The daemon used (almost) no CPU for 2 s: the re-syncs that the added
  // routes started are over. (The status file cannot tell: on a large
  // table it is refreshed less often than every second.)
  bool waitForQuietResyncs(DaemonChild& daemon) {
    auto cpuTicks = [&] {
      std::string stat = readFile("/proc/" + std::to_string(daemon.pid()) + "/stat");
      std::istringstream fields(stat.substr(stat.rfind(')') + 2));
      std::string field;
      unsigned long long utime = 0, stime = 0;
      for (int i = 3; i <= 15 && fields >> field; ++i) {
        if (i == 14) utime = std::stoull(field);
        if (i == 15) stime = std::stoull(field);
      }
      return utime + stime;
    };
    unsigned long long last = cpuTicks();
    auto since = Clock::now();
    return waitUntil(
        [&] {
          if (Clock::now() - since < 2s) return !daemon.running();
          unsigned long long now = cpuTicks();
          bool quiet = now - last <= 2;  // clock ticks, 10 ms each
          last = now;
          since = Clock::now();
          return !daemon.running() || quiet;
        },
        300s, 100ms) && daemon.running();
  }

  // One config change and SIGHUP; `ms` until the maps say so.
  std::string reloadOnce(DaemonChild& daemon, const loader::PinnedMaps& maps, double& ms, double& daemonMs) {
    auto live = liveConfig(maps);
    if (!live) return daemon.failure("no live policy in the pinned maps");
    uint32_t next = live->generation + 1;
    portLo_ = portLo_ == kWideLo ? kNarrowLo : kWideLo;
    if (std::string e = writeFileAtomically(configPath_, relayConfig(portLo_)); !e.empty()) return e;

    auto begin = Clock::now();
    if (::kill(daemon.pid(), SIGHUP) != 0) return std::string("SIGHUP: ") + std::strerror(errno);
    bool flipped = waitUntil(
        [&] {
          auto now = liveConfig(maps);
          return now && now->generation == next && now->port_lo == portLo_;
        },
        60s, kFlipPoll);
    auto end = Clock::now();
    if (!flipped) return daemon.failure("generation " + std::to_string(next) + " never went live after SIGHUP");
    ms = std::chrono::duration<double, std::milli>(end - begin).count();

    // The daemon finishes the reload (status file, metrics) before the next
    // SIGHUP, so reloads never overlap.
    std::string gen = std::to_string(next);
    bool recorded = waitUntil(
        [&] { return statusField("generation") == gen && statusField("state") == "running"; }, 60s, 1ms);
    if (!recorded || statusField("last_reload") != "ok")
      return daemon.failure("the daemon did not record reload " + gen + " as ok");
    daemonMs = std::stod(statusField("last_reload_ms").value_or("0"));
    // Operators reload at any moment, not right after the daemon's previous
    // reload: the next SIGHUP comes 0-1 s later, spread over the daemon's
    // 1 s metrics and status tick, which the reload may have to wait for.
    std::this_thread::sleep_for(std::chrono::milliseconds(spacing_(rng_)));
    return "";
  }

  const ReloadOptions& options_;
  ReloadResult& result_;
  std::string configPath_;
  std::string statusPath_;
  uint16_t portLo_ = kWideLo;
  std::mt19937 rng_{5};  // fixed: the same spacing in every run
  std::uniform_int_distribution<int> spacing_{0, 1000};
};

}  // namespace

std::string measureReloadLatency(const ReloadOptions& options, ReloadResult& result) {
  if (options.sites.empty() || options.reloads == 0) return "nothing to measure";
  return Measurement(options, result).run();
}

}  // namespace meshfwd::bench
