// `meshfwd-bench forward` (issue 9): the router's CPU per packet in each
// mode at a fixed offered load below saturation, all modes in the same run,
// interleaved, every figure over several runs, every ratio taken pair by
// pair within one run (DESIGN.md 7).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tools/bench/forward_modes.h"
#include "tools/bench/forward_traffic.h"
#include "tools/bench/measure.h"

namespace meshfwd::bench {

struct ForwardOptions {
  uint32_t sites = 256;
  uint32_t packetsPerLoad = 1024;  // distinct packets, cycled
  uint32_t runs = 5;
  uint32_t vethPps = 100000;
  uint32_t tunPps = 50000;
  double seconds = 1.0;  // per mode and load
  uint64_t seed = 1;
  bool veth = true;
  bool tun = true;
  int cpu = -1;  // the sender's CPU; -1: the last one
  std::string nftRuleset;
  // Modes to run besides the baseline (modeName()s); empty: all of them.
  std::vector<std::string> modes;
  // Loads to offer (loadName()s); empty: all of them.
  std::vector<std::string> loads;
  // Also read the BPF programs' own run time on the router's ingress.
  bool profile = false;
  bool runsMode(RouterMode mode) const;
};

// One shape, mode and load, over the runs.
struct ForwardCell {
  std::string shape;  // "veth" | "tun"
  RouterMode mode = RouterMode::Baseline;
  Load load = Load::Allowed;
  std::vector<double> cpuNs;       // per offered packet, sender + ksoftirqd
  std::vector<double> routerNs;    // cpuNs - the baseline's, same run and load
  std::vector<double> ratioToB;    // routerNs / routerNs of (b), same run and load
  std::vector<double> delivered;   // delivered / offered
  std::vector<double> offeredPps;
  std::vector<double> bpfNs;       // --profile: BPF program run time per offered packet
};

// A goal of the issue, as a ratio of router shares taken run by run.
struct ForwardGoal {
  std::string what;
  std::string shape;
  Load load = Load::Allowed;
  RouterMode mode = RouterMode::Meshfwd, against = RouterMode::KernelNft;
  double limit = 0;
  Spread ratio;
  bool met() const { return ratio.median <= limit; }
};

struct ForwardResult {
  ForwardOptions options;
  std::string loadBefore, loadAfter;  // /proc/loadavg
  std::vector<ForwardCell> cells;
  std::vector<ForwardGoal> goals;
};

// Builds the namespaces, runs every shape/mode/load `runs` times and
// removes everything again. "" or the error (then `out` is incomplete).
std::string runForward(const ForwardOptions& options, ForwardResult& out, std::ostream* progress);

}  // namespace meshfwd::bench
