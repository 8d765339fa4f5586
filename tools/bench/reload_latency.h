// Issue 5's reload-to-datapath latency: the real `meshfwd run` daemon as a
// relay in a network namespace of the benchmark's own, SIGHUP after each
// config change, and the time until the new policy generation is live in
// the pinned maps (mf_active flipped to a slot with the new port range), as
// the programs would see it. Rows by the number of site routes in the
// kernel's table, because a reload re-syncs the routes before it flips the
// policy. (Lookup cost and map sync time by site count are the `scaling`
// rows, issue 9.)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tools/bench/measure.h"

namespace meshfwd::bench {

// Issue 5's goal for SIGHUP to the new policy in the datapath.
inline constexpr double kReloadGoalMs = 50.0;

struct ReloadOptions {
  std::string meshfwdBinary;                   // the `meshfwd` to run
  // Ascending; routes are added between rows. 65,536 is MF_MAX_SITES.
  std::vector<uint32_t> sites{2, 4096, 65536};
  uint32_t reloads = 9;                        // per row; each flips the port range
  std::string workDir;                         // config and daemon log
};

struct ReloadRow {
  uint32_t sites = 0;
  uint32_t reloads = 0;
  // SIGHUP sent -> the new generation read back from the pinned maps.
  Spread sighupToMapMs;
  // What the daemon itself logs and reports (`last_reload_ms`): the reload
  // request handled -> every component applied, a subset of the above.
  Spread daemonReportedMs;
};

struct ReloadResult {
  std::vector<ReloadRow> rows;
  std::string daemonLog;  // where the daemon's stderr went
};

// Moves this process into a new network namespace (unshare), runs the
// daemon there and measures; the daemon is stopped and the datapath
// detached before returning. "" or what failed.
std::string measureReloadLatency(const ReloadOptions& options, ReloadResult& result);

}  // namespace meshfwd::bench
