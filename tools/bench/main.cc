// meshfwd-bench: ns per packet of every datapath verdict path, next to the
// empty-program floor measured in the same run (issues 3 and 4).
// Needs root: it loads programs and runs in a network namespace of its own.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "loader/bpf_object.h"
#include "tools/bench/bench_commands.h"
#include "tools/bench/bench_netns.h"
#include "tools/bench/control_cmd.h"
#include "tools/bench/edge_rows.h"
#include "tools/bench/failover_cmd.h"
#include "tools/bench/measure.h"
#include "tools/bench/relay_rows.h"
#include "tools/bench/report.h"
#include "tools/bench/site_plan.h"

using namespace meshfwd::bench;

namespace {

int fail(const std::string& message) {
  std::cerr << "meshfwd-bench: " << message << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"meshfwd-bench: ns/packet of each datapath verdict path over the empty-program floor"};
  RunInfo info{65536, 4096, 5, 64, 1};
  bool quick = false, json = false;
  app.add_option("--sites", info.sites, "sites (/64s) in the egress map and routing table")
      ->check(CLI::Range(2u, static_cast<unsigned>(MF_MAX_SITES)));
  app.add_option("--packets", info.packetsPerRow, "packets per row, each to a random destination")
      ->check(CLI::Range(1u, 16384u));
  app.add_option("--runs", info.runs, "timed runs; figures are the median with min and max")
      ->check(CLI::Range(1u, 1000u));
  app.add_option("--repeat", info.repeat, "program runs per test-run call (rows that build an error: 1)")
      ->check(CLI::Range(1u, 200u));
  app.add_option("--seed", info.seed, "random seed for the destinations");
  app.add_flag("--quick", quick, "a smoke run: 256 sites, 16 packets per row, 1 run, repeat 2; not for figures");
  app.add_flag("--json", json, "print JSON instead of the table");
  bool lpmOnly = false;
  app.add_flag("--lpm-only", lpmOnly,
               "leave the exact /64 egress table empty: every relay lookup walks the LPM trie");
  std::string only;
  app.add_option("--only", only, "time only the rows whose group/path contains this text");
  auto forward = addForwardCommand(app);  // issue 9: forward, scaling
  auto scaling = addScalingCommand(app);
  auto failover = addFailoverCommand(app);  // issue 7: VRRP failover loss windows
  auto control = addControlCommand(app);  // issue 5: reload to datapath
  CLI11_PARSE(app, argc, argv);
  for (const auto& cmd : {forward, scaling, control, failover})
    if (cmd->selected()) return cmd->run();
  if (quick) info = {256, 16, 1, 2, info.seed};

  SitePlan plan(info.sites, info.seed);
  BenchNetns netns;
  if (std::string err = enterBenchNetns(plan.sitePrefixTexts(), kTunnelMtu, netns); !err.empty()) return fail(err);

  auto bench = meshfwd::loader::BpfObject::load(meshfwd::loader::ObjectKind::Bench);
  if (!bench.ok()) return fail("bench programs: " + bench.error());
  auto relay = std::make_unique<RelayBench>(plan, netns, info.packetsPerRow, lpmOnly);
  if (!relay->ok()) return fail("relay: " + relay->error());
  auto edge = std::make_unique<EdgeBench>(plan, netns, info.packetsPerRow);
  if (!edge->ok()) return fail("edge: " + edge->error());

  std::vector<BenchRow> rows = relay->rows(bench);
  for (BenchRow& row : edge->rows()) rows.push_back(std::move(row));
  if (!only.empty())
    std::erase_if(rows, [&](const BenchRow& r) { return (r.group + "/" + r.path).find(only) == std::string::npos; });

  // A row that does not take its path would time the wrong thing.
  for (const BenchRow& row : rows) {
    if (std::string err = verifyRow(row); !err.empty()) return fail(err);
  }

  std::string error;
  MeasureOptions options{info.runs, info.repeat};
  std::vector<RowResult> results = measureRows(rows, bench, relay->meshUdpPackets(), options, error);
  if (!error.empty()) return fail(error);

  if (json)
    printJson(std::cout, info, results);
  else
    printTable(std::cout, info, results);
  return 0;
}
