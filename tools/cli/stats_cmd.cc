// meshfwd stats: per-reason and per-site counters, as a table, JSON or
// Prometheus text, once or every N seconds.
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <memory>

#include "loader/datapath.h"
#include "loader/libbpf_log.h"
#include "tools/cli/commands.h"
#include "userspace/live_state.h"
#include "userspace/metrics_render.h"
#include "userspace/stats.h"

namespace meshfwd::cli {

namespace {

struct StatsArgs {
  bool json = false;
  bool prometheus = false;
  double watch = 0;  // seconds between refreshes; 0: print once
};

int runStats(const StatsArgs& args) {
  if (args.json && args.prometheus) {
    printErrors({"--json and --prometheus exclude each other"});
    return kExitUsage;
  }
  std::string error;
  loader::PinnedMaps maps = loader::PinnedMaps::open(&error);
  if (!maps.ok()) {
    printErrors({error.empty() ? "nothing attached in this network namespace" : error});
    return kExitNotAttached;
  }
  for (;;) {
    StatsSnapshot s = liveStats(maps);
    std::string text = args.prometheus ? renderPrometheus(s) : args.json ? renderStatsJson(s) : renderStatsTable(s);
    // A table refresh redraws the screen; JSON and Prometheus stream one
    // document per interval so a pipe sees each complete.
    if (args.watch > 0 && !args.json && !args.prometheus && isatty(STDOUT_FILENO)) std::fputs("\033[H\033[2J", stdout);
    std::fputs(text.c_str(), stdout);
    std::fflush(stdout);
    if (args.watch <= 0) return kExitOk;
    usleep(static_cast<useconds_t>(args.watch * 1e6));
  }
}

}  // namespace

void registerStatsCommand(CLI::App& app) {
  auto args = std::make_shared<StatsArgs>();
  CLI::App* cmd = app.add_subcommand("stats", "Packets and bytes per verdict reason and per site");
  cmd->add_flag("--json", args->json, "one JSON object: generation, reasons[], sites[]");
  cmd->add_flag("--prometheus", args->prometheus, "Prometheus text exposition format");
  cmd->add_option("--watch", args->watch, "repeat every SECONDS (default 2)")
      ->expected(0, 1)
      ->default_str("2")
      ->check(positiveNumber());
  cmd->footer(
      "Counters are summed over CPUs. The table lists every reason of the role's hooks, then per site:\n"
      "to_site is traffic towards the site, from_site traffic leaving it.\n"
      "Exit status: 0 printed; 3 nothing attached here; 2 bad options.\n");
  cmd->callback([args, cmd] {
    StatsArgs effective = *args;
    // `--watch` without a value means every 2 seconds.
    if (cmd->count("--watch") && effective.watch <= 0) effective.watch = 2;
    if (int status = runStats(effective); status != kExitOk) throw CLI::RuntimeError(status);
  });
}

}  // namespace meshfwd::cli
