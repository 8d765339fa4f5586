#include "tools/bench/control_cmd.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "maps/meshfwd_abi.h"
#include "tools/bench/control_report.h"
#include "tools/bench/reload_latency.h"

namespace meshfwd::bench {

namespace {

// The `meshfwd` next to this binary (installed: both in sbin), else the one
// of this build tree, else whatever PATH finds.
std::string defaultMeshfwd() {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto sibling = self.parent_path() / "meshfwd";
    if (::access(sibling.c_str(), X_OK) == 0) return sibling;
  }
#ifdef MESHFWD_BUILD_BINARY
  if (::access(MESHFWD_BUILD_BINARY, X_OK) == 0) return MESHFWD_BUILD_BINARY;
#endif
  return "meshfwd";
}

}  // namespace

std::shared_ptr<BenchCommand> addControlCommand(CLI::App& app) {
  auto cmd = std::make_shared<BenchCommand>();
  auto options = std::make_shared<ReloadOptions>();
  options->meshfwdBinary = defaultMeshfwd();
  options->workDir = "/tmp/meshfwd-bench-control-" + std::to_string(::getpid());
  auto flags = std::make_shared<std::pair<bool, bool>>();
  CLI::App* sub = app.add_subcommand(
      "control", "reload-to-datapath latency of `meshfwd run` (SIGHUP -> new policy generation in the pinned maps)");
  sub->add_option("--sites", options->sites, "site route counts, ascending (default 2 4096 65536)")
      ->check(CLI::Range(2u, static_cast<unsigned>(MF_MAX_SITES)));
  sub->add_option("--reloads", options->reloads, "reloads per site count; figures are the median with min and max")
      ->check(CLI::Range(1u, 1000u));
  sub->add_option("--meshfwd", options->meshfwdBinary, "the meshfwd binary to run")->capture_default_str();
  sub->add_flag("--quick", flags->first, "a smoke run: 2 and 256 sites, 3 reloads each; not for figures");
  sub->add_flag("--json", flags->second, "print JSON instead of the table");
  cmd->sub = sub;
  cmd->run = [options, flags]() -> int {
    ReloadOptions o = *options;
    if (flags->first) {
      o.sites = {2, 256};
      o.reloads = 3;
    }
    if (!std::is_sorted(o.sites.begin(), o.sites.end())) {
      std::cerr << "meshfwd-bench control: --sites must be ascending (routes are added between rows)\n";
      return 2;
    }
    ReloadResult result;
    std::string error = measureReloadLatency(o, result);
    std::error_code ec;
    if (!error.empty()) {
      std::cerr << "meshfwd-bench control: " << error << "\n";
      return 1;
    }
    std::filesystem::remove_all(o.workDir, ec);
    if (flags->second)
      printReloadJson(std::cout, result);
    else
      printReloadTable(std::cout, result);
    return 0;
  };
  return cmd;
}

}  // namespace meshfwd::bench
