// `meshfwd-bench scaling` (issues 9 and 5): what the site count costs.
// - Policy lookup: ns/packet of the relay's allowed path above the empty
//   program (BPF_PROG_TEST_RUN), random destinations over the whole table,
//   with the product's exact /64 table and with the LPM trie alone (to show
//   the trie's depth effect the exact table removes).
// - Map sync: the daemon's path, a netlink snapshot of the routing table
//   and RouteSync::sync into the relay's maps: the first sync (every entry
//   added), a no-op re-sync (what each netlink event costs when nothing
//   changed) and removing every site.
// - Metrics read: what a /metrics refresh reads with every site synced,
//   the site names (mf_egress) and the per-CPU counters of every reason
//   and site (collectStats).
// - Memory: the kernel's memlock figure (/proc/self/fdinfo) of each of the
//   relay's maps, the ones `meshfwd attach` pins, after the first sync.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tools/bench/measure.h"

namespace meshfwd::bench {

struct ScalingOptions {
  std::vector<uint32_t> sites{2, 256, 4096, 65536};
  uint32_t runs = 5;
  uint32_t packets = 1024;  // per count, random destinations
  uint32_t repeat = 64;
  uint64_t seed = 1;
};

struct ScalingPoint {
  uint32_t sites = 0;
  Spread lookupExactNs, lookupLpmNs;   // above the empty TC program
  Spread floorNs;
  Spread snapshotMs, syncAddMs, syncNoopMs, syncDeleteMs;
  Spread siteNamesMs, countersMs;      // a /metrics refresh's map reads
  std::vector<std::pair<std::string, uint64_t>> memlock;  // per map, bytes
  uint64_t memlockTotal = 0;
  size_t synced = 0;     // egress entries the first sync added
  std::string syncNote;  // its first warning, e.g. when site ids run out
};

struct ScalingResult {
  uint32_t runs = 0, packets = 0, repeat = 0;
  std::string loadBefore, loadAfter;
  std::vector<ScalingPoint> points;
  // Largest over smallest site count, run by run (issue 5: within 10 %).
  Spread lookupRatioExact, lookupRatioLpm;
};

std::string runScaling(const ScalingOptions& options, ScalingResult& out);

}  // namespace meshfwd::bench
