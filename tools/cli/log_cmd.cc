// meshfwd log: one line per sampled reject, as they arrive.
#include <net/if.h>

#include <csignal>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>

#include "loader/datapath.h"
#include "tools/cli/commands.h"
#include "userspace/event_log.h"

namespace meshfwd::cli {

namespace {

struct LogArgs {
  double rate = 10;   // lines per second
  double burst = 20;
  uint64_t count = 0;  // stop after this many printed lines; 0: run until interrupted
};

volatile std::sig_atomic_t gInterrupted = 0;
void onSignal(int) { gInterrupted = 1; }

uint64_t monotonicNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

int runLog(const LogArgs& args) {
  std::string error;
  loader::PinnedMaps maps = loader::PinnedMaps::open(&error);
  if (!maps.ok()) {
    printErrors({error.empty() ? "nothing attached in this network namespace" : error});
    return kExitNotAttached;
  }
  std::signal(SIGINT, onSignal);
  std::signal(SIGTERM, onSignal);
  const int64_t clockOffset = realtimeMinusMonotonicNs();
  LineRateLimiter limiter(args.rate, args.burst);
  std::map<uint32_t, std::string> names;  // ifindex -> name, looked up once
  uint64_t printed = 0;

  auto onEvent = [&](const mf_event& e) {
    if (!limiter.allow(monotonicNs())) return true;
    if (uint64_t n = limiter.takeSuppressed()) std::printf("... %llu events suppressed\n", static_cast<unsigned long long>(n));
    auto it = names.find(e.ifindex);
    if (it == names.end()) {
      char buf[IF_NAMESIZE] = {};
      it = names.emplace(e.ifindex, if_indextoname(e.ifindex, buf) ? buf : "").first;
    }
    std::printf("%s\n", formatEvent(e, clockOffset, it->second).c_str());
    std::fflush(stdout);
    return args.count == 0 || ++printed < args.count;
  };
  error = readEvents(maps.fd("mf_events"), onEvent, [] { return !gInterrupted; });
  if (!error.empty()) {
    printErrors({error});
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace

void registerLogCommand(CLI::App& app) {
  auto args = std::make_shared<LogArgs>();
  CLI::App* cmd = app.add_subcommand("log", "Follow sampled reject events (time, reason, interface, src -> dst, proto)");
  cmd->add_option("--rate", args->rate, "at most this many lines per second (default 10)")->check(positiveNumber());
  cmd->add_option("--burst", args->burst, "lines allowed at once before --rate applies (default 20)")
      ->check(positiveNumber());
  cmd->add_option("--count", args->count, "exit after printing N events");
  cmd->footer(
      "Line: TIME REASON IFACE SRC -> DST (udp|tcp SPORT -> DPORT | icmpv6 type T code C | proto N) len BYTES\n"
      "Lines over the rate are counted and reported as '... N events suppressed'.\n"
      "Exit status: 0 on SIGINT/SIGTERM or after --count; 3 nothing attached here; 1 read error.\n");
  cmd->callback([args] {
    if (int status = runLog(*args); status != kExitOk) throw CLI::RuntimeError(status);
  });
}

}  // namespace meshfwd::cli
