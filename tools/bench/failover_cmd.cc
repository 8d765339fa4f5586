// meshfwd-bench failover: options, the run, the table or JSON.
#include "tools/bench/failover_cmd.h"

#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "tools/bench/failover_bench.h"
#include "tools/bench/failover_report.h"

namespace meshfwd::bench {

namespace {

// The meshfwd next to this binary (installed side by side in sbin, or the
// build tree's tools/ above tools/bench/), else the one on PATH.
std::string defaultMeshfwd() {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (const fs::path& candidate : {self.parent_path() / "meshfwd", self.parent_path().parent_path() / "meshfwd"})
      if (::access(candidate.c_str(), X_OK) == 0 && !fs::is_directory(candidate)) return candidate;
  }
  return "meshfwd";
}

}  // namespace

std::shared_ptr<BenchCommand> addFailoverCommand(CLI::App& app) {
  auto cmd = std::make_shared<BenchCommand>();
  auto options = std::make_shared<FailoverOptions>();
  auto flags = std::make_shared<std::tuple<bool, bool, unsigned, bool>>(false, false, 5000, false);
  auto& [quick, json, intervalUs, meshfwdOnly] = *flags;
  CLI::App* sub = app.add_subcommand(
      "failover", "VRRP failover loss windows (graceful stop, link cut): meshfwd vs keepalived pairs (namespaces)");
  sub->add_option("--runs", options->runs, "rounds; figures are the median with min and max")
      ->check(CLI::Range(1u, 100u));
  sub->add_option("--probe-interval-us", intervalUs, "one UDP packet every this many microseconds")
      ->check(CLI::Range(1000u, 100000u));
  sub->add_option("--meshfwd", options->meshfwdBinary, "the meshfwd binary (default: next to this one, else PATH)");
  sub->add_flag("--meshfwd-only", meshfwdOnly, "skip the keepalived pair");
  sub->add_flag("--quick", quick, "a smoke run: 1 round; not for figures");
  sub->add_flag("--json", json, "print JSON instead of the table");
  sub->footer("Needs root, wireguard-go, wg and keepalived. Builds its namespaces (prefix bfo) and removes them.\n");
  cmd->sub = sub;
  cmd->run = [options, flags]() -> int {
    auto& [quick, json, intervalUs, meshfwdOnly] = *flags;
    FailoverOptions o = *options;
    if (quick) o.runs = 1;
    if (o.meshfwdBinary.empty()) o.meshfwdBinary = defaultMeshfwd();
    o.probeInterval = std::chrono::microseconds(intervalUs);
    if (meshfwdOnly) o.routers = {lab::Router::Meshfwd};
    o.progress = [](const std::string& line) { std::cerr << "meshfwd-bench failover: " << line << "\n"; };
    try {
      auto samples = runFailoverBench(o);
      if (json)
        printFailoverJson(std::cout, o, samples);
      else
        printFailoverTable(std::cout, o, samples);
      for (const auto& s : samples)
        if (!s.windowMs) return 1;  // a failover that never recovered is a finding, not a figure
      return 0;
    } catch (const std::exception& e) {
      std::cerr << "meshfwd-bench failover: " << e.what() << "\n";
      return 1;
    }
  };
  return cmd;
}

}  // namespace meshfwd::bench
