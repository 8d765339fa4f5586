// meshfwd-bench forward: options, the run, the table or JSON, the plot.
#include <fstream>
#include <iostream>
#include <sstream>

#include "tools/bench/bench_commands.h"
#include "tools/bench/forward_bench.h"
#include "tools/bench/forward_report.h"
#include "tools/bench/plot.h"
#include "tools/bench/seed_forward_nft.h"

namespace meshfwd::bench {

std::shared_ptr<BenchCommand> addForwardCommand(CLI::App& app) {
  auto cmd = std::make_shared<BenchCommand>();
  auto options = std::make_shared<ForwardOptions>();
  auto flags = std::make_shared<std::tuple<bool, bool, bool, bool, std::string, std::string>>();
  auto& [quick, json, vethOnly, tunOnly, nftFile, plotFile] = *flags;
  CLI::App* sub = app.add_subcommand(
      "forward", "router CPU ns/packet: kernel, kernel + the seed's nft, meshfwd, bare XDP forwarder (namespaces)");
  sub->add_option("--sites", options->sites, "sites (/64 routes) in the router")->check(CLI::Range(2u, 65536u));
  sub->add_option("--runs", options->runs, "runs; figures are the median with min and max")
      ->check(CLI::Range(1u, 100u));
  sub->add_option("--seconds", options->seconds, "seconds per mode and load")->check(CLI::Range(0.05, 60.0));
  sub->add_option("--pps", options->vethPps, "packets/s offered on veth (below saturation)")
      ->check(CLI::Range(1000u, 1000000u));
  sub->add_option("--tun-pps", options->tunPps, "packets/s written into the TUN")->check(CLI::Range(1000u, 1000000u));
  sub->add_option("--packets", options->packetsPerLoad, "distinct packets per load")->check(CLI::Range(4u, 65536u));
  sub->add_option("--seed", options->seed, "random seed for the destinations");
  sub->add_option("--cpu", options->cpu, "CPU the sender is pinned to (default: the last)");
  sub->add_option("--nft", nftFile, "mode (b)'s ruleset (default: tools/bench/seed-forward.nft, built in)");
  sub->add_option("--plot", plotFile, "write a gnuplot PNG (or .svg) of router ns/packet by mode to this file");
  sub->add_option("--modes", options->modes, "only these modes besides the baseline (e.g. b_kernel_nft,c_meshfwd)")
      ->delimiter(',');
  sub->add_option("--loads", options->loads, "only these loads (e.g. allowed,flood_wrong_port)")->delimiter(',');
  sub->add_flag("--profile", options->profile,
                "also report the BPF programs' own run time per packet (kernel BPF stats; adds a little to it)");
  sub->add_flag("--veth-only", vethOnly, "only the veth topology");
  sub->add_flag("--tun-only", tunOnly, "only the TUN (relay) shape");
  sub->add_flag("--quick", quick, "a smoke run: 1 run, 0.2 s windows, 20 kpps, 16 sites; not for figures");
  sub->add_flag("--json", json, "print JSON instead of the table");
  cmd->sub = sub;
  cmd->run = [options, flags]() -> int {
    auto& [quick, json, vethOnly, tunOnly, nftFile, plotFile] = *flags;
    ForwardOptions o = *options;
    if (quick) {
      o.runs = 1;
      o.seconds = 0.2;
      o.vethPps = 20000;
      o.tunPps = 10000;
      o.sites = 16;
      o.packetsPerLoad = 64;
    }
    o.veth = !tunOnly;
    o.tun = !vethOnly;
    o.nftRuleset = kSeedForwardNft;
    if (!nftFile.empty()) {
      std::ifstream f(nftFile);
      std::stringstream text;
      if (!(text << f.rdbuf())) {
        std::cerr << "meshfwd-bench forward: cannot read " << nftFile << "\n";
        return 2;
      }
      o.nftRuleset = text.str();
    }
    ForwardResult result;
    if (std::string err = runForward(o, result, json ? nullptr : &std::cerr); !err.empty()) {
      std::cerr << "meshfwd-bench forward: " << err << "\n";
      return 1;
    }
    if (json)
      printForwardJson(std::cout, result);
    else
      printForwardTable(std::cout, result);
    if (!plotFile.empty()) {
      if (std::string err = plotForward(result, plotFile); !err.empty()) {
        std::cerr << "meshfwd-bench forward: plot: " << err << "\n";
        return 1;
      }
    }
    return 0;
  };
  return cmd;
}

}  // namespace meshfwd::bench
