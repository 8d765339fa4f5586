#include "tools/bench/failover_bench.h"

#include <cstdio>

#include "tests/support/poll_until.h"
#include "tools/bench/loss_probe.h"

namespace meshfwd::bench {

namespace {

using namespace std::chrono_literals;
using lab::FailoverLab;
using lab::Router;

constexpr uint8_t kMasterPriority = 200;
constexpr uint8_t kBackupPriority = 100;
constexpr auto kElection = 15s;      // generous: routers start on a loaded machine
constexpr auto kFirstEcho = 20s;     // the first packet waits for a handshake
constexpr auto kTakeover = 10s;
constexpr auto kRecovery = 20s;      // beyond WireGuard's 15 s re-key: a run that needs it failed
constexpr uint64_t kFlowing = 40;    // echoes before the event: the stream is steady
constexpr uint64_t kRecovered = 100; // echoes after the takeover: it is steady again

// One failover, from both routers started to both stopped again.
FailoverSample measureOnce(FailoverLab& lab, const FailoverOptions& options, Router router, FailoverEvent event,
                           unsigned run) {
  FailoverSample s{router, event, run, std::nullopt, 0, ""};
  auto fail = [&](const std::string& why) {
    s.note = why;
    return s;
  };
  lab.resetEdge(0);
  lab.resetEdge(1);
  lab.startRouter(0, router, kMasterPriority);
  if (!test::pollUntil([&] { return lab.vipHolder() == 0; }, kElection, 20ms)) return fail("e1 never became master");
  lab.startRouter(1, router, kBackupPriority);
  if (!test::pollUntil([&] { return lab.routerIsBackup(1); }, kElection, 20ms)) return fail("e2 never became backup");
  if (lab.vipHolder() != 0) return fail("not exactly one master before the event");
  if (!lab.waitForEcho(kFirstEcho)) return fail("no traffic through e1");

  lab::LossProbe probe(lab.host().name(), lab.hostAddress(), lab::kLabProbePort, lab.remoteAddress(),
                       lab::kLabEchoPort, options.probeInterval);
  if (!test::pollUntil([&] { return probe.received() >= kFlowing; }, 10s)) return fail("the stream never flowed");
  if (event == FailoverEvent::GracefulStop)
    lab.stopRouter(0);
  else
    lab.cutLan(0);
  if (!test::pollUntil([&] { return lab.vipHolder() == 1; }, kTakeover, 5ms)) return fail("e2 never took over");
  uint64_t atTakeover = probe.received();
  bool recovered = test::pollUntil([&] { return probe.received() >= atTakeover + kRecovered; }, kRecovery, 10ms);
  lab::LossReport report = probe.stop();
  lab.stopRouter(1);
  lab.stopRouter(0);
  lab.restoreLan(0);
  if (!recovered || !report.closed) return fail("traffic never came back: " + report.describe());
  s.windowMs = report.window.count() / 1000.0;
  s.lost = report.lostInWindow;
  return s;
}

}  // namespace

std::vector<FailoverSample> runFailoverBench(const FailoverOptions& options) {
  lab::LabOptions labOptions;
  labOptions.prefix = options.prefix;
  labOptions.meshfwdBinary = options.meshfwdBinary;
  labOptions.edges = 2;
  labOptions.advertIntervalCs = options.advertIntervalCs;
  FailoverLab lab(labOptions);
  std::vector<FailoverSample> samples;
  for (unsigned run = 1; run <= options.runs; ++run) {
    for (FailoverEvent event : {FailoverEvent::GracefulStop, FailoverEvent::LinkCut}) {
      for (Router router : options.routers) {
        FailoverSample s = measureOnce(lab, options, router, event, run);
        if (options.progress) {
          char line[256];
          if (s.windowMs)
            std::snprintf(line, sizeof line, "run %u %-13s %-10s %8.1f ms (%llu packets)", run,
                          failoverEventName(event), lab::routerName(router), *s.windowMs,
                          static_cast<unsigned long long>(s.lost));
          else
            std::snprintf(line, sizeof line, "run %u %-13s %-10s failed: %s", run, failoverEventName(event),
                          lab::routerName(router), s.note.c_str());
          options.progress(line);
        }
        samples.push_back(std::move(s));
      }
    }
  }
  lab.resetEdge(0);
  lab.resetEdge(1);
  return samples;
}

}  // namespace meshfwd::bench
