// meshfwd-bench scaling: options, the run, the table or JSON, the plot.
#include <iostream>

#include "tools/bench/bench_commands.h"
#include "tools/bench/plot.h"
#include "tools/bench/scaling_bench.h"
#include "tools/bench/scaling_report.h"

namespace meshfwd::bench {

std::shared_ptr<BenchCommand> addScalingCommand(CLI::App& app) {
  auto cmd = std::make_shared<BenchCommand>();
  auto options = std::make_shared<ScalingOptions>();
  auto flags = std::make_shared<std::tuple<bool, bool, std::string>>();
  auto& [quick, json, plotFile] = *flags;
  CLI::App* sub = app.add_subcommand("scaling", "policy lookup ns/packet, map sync time and map memory by site count");
  sub->add_option("--sites", options->sites, "site counts (default 2 256 4096 65536)")
      ->check(CLI::Range(2u, 65536u));
  sub->add_option("--runs", options->runs, "runs; figures are the median with min and max")
      ->check(CLI::Range(1u, 100u));
  sub->add_option("--packets", options->packets, "random destinations per count")->check(CLI::Range(1u, 16384u));
  sub->add_option("--repeat", options->repeat, "program runs per test-run call")->check(CLI::Range(1u, 200u));
  sub->add_option("--seed", options->seed, "random seed for the destinations");
  sub->add_option("--plot", plotFile, "write a gnuplot PNG (or .svg) of lookup and sync by site count");
  sub->add_flag("--quick", quick, "a smoke run: 2 and 256 sites, 1 run, 16 packets; not for figures");
  sub->add_flag("--json", json, "print JSON instead of the table");
  cmd->sub = sub;
  cmd->run = [options, flags]() -> int {
    auto& [quick, json, plotFile] = *flags;
    ScalingOptions o = *options;
    if (quick) {
      o.sites = {2, 256};
      o.runs = 1;
      o.packets = 16;
      o.repeat = 2;
    }
    ScalingResult result;
    if (std::string err = runScaling(o, result); !err.empty()) {
      std::cerr << "meshfwd-bench scaling: " << err << "\n";
      return 1;
    }
    if (json)
      printScalingJson(std::cout, result);
    else
      printScalingTable(std::cout, result);
    if (!plotFile.empty()) {
      if (std::string err = plotScaling(result, plotFile); !err.empty()) {
        std::cerr << "meshfwd-bench scaling: plot: " << err << "\n";
        return 1;
      }
    }
    return 0;
  };
  return cmd;
}

}  // namespace meshfwd::bench
