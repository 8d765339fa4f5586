#include "tools/bench/scaling_report.h"

#include <unistd.h>

#include <cstdio>
#include <string>

#include "tools/bench/report_text.h"

namespace meshfwd::bench {

namespace {

std::string num(double v, const char* format = "%.1f") { return formatNumber(v, format); }
std::string range(const Spread& s, const char* format = "%.1f") { return formatSpread(s, format); }

}  // namespace

void printScalingTable(std::ostream& out, const ScalingResult& r) {
  out << "meshfwd-bench scaling: kernel " << kernelRelease() << ", " << sysconf(_SC_NPROCESSORS_ONLN)
      << " CPUs, load average " << r.loadBefore << " before, " << r.loadAfter << " after\n"
      << "  lookup: relay allowed mesh UDP, ns per program run above the empty TC program (BPF_PROG_TEST_RUN, "
      << r.packets << " random destinations, repeat " << r.repeat << ")\n"
      << "  sync: netlink snapshot and RouteSync::sync into fresh relay maps, as the daemon does; " << r.runs
      << " runs, median (min..max)\n"
      << "  site names, counters: a /metrics refresh's map reads with every site synced (mf_egress; "
         "mf_counters and mf_site_counters summed over CPUs)\n\n";
  out << padRight("sites", 7) << padRight("lookup exact+LPM ns", 24) << padRight("lookup LPM only ns", 24) << padRight("floor ns", 20)
      << padRight("snapshot ms", 25) << padRight("sync add ms", 25) << padRight("re-sync no-op ms", 25) << padRight("sync delete ms", 25)
      << padRight("site names ms", 25) << padRight("counters ms", 25) << "map memlock KiB\n";
  for (const ScalingPoint& p : r.points) {
    out << padRight(std::to_string(p.sites), 7) << padRight(range(p.lookupExactNs), 24) << padRight(range(p.lookupLpmNs), 24)
        << padRight(range(p.floorNs), 20) << padRight(range(p.snapshotMs), 25) << padRight(range(p.syncAddMs), 25)
        << padRight(range(p.syncNoopMs), 25) << padRight(range(p.syncDeleteMs), 25)
        << padRight(range(p.siteNamesMs), 25) << padRight(range(p.countersMs), 25) << num(p.memlockTotal / 1024.0, "%.0f")
        << "\n";
  }
  for (const ScalingPoint& p : r.points)
    if (p.synced != p.sites)
      out << "note: " << p.sites << " sites: route sync added " << p.synced << " (" << p.syncNote << ")\n";
  if (r.points.size() >= 2) {
    std::string a = std::to_string(r.points.back().sites), b = std::to_string(r.points.front().sites);
    out << "\nlookup " << a << " vs " << b << " sites, run by run: exact+LPM (product) "
        << range(r.lookupRatioExact, "%.2f") << "x, LPM trie alone " << range(r.lookupRatioLpm, "%.2f") << "x\n";
    out << "\nmap memlock by map (KiB):\n" << padRight("map", 20);
    for (const ScalingPoint& p : r.points) out << padRight(std::to_string(p.sites), 10);
    out << "\n";
    for (size_t m = 0; m < r.points.front().memlock.size(); ++m) {
      out << padRight(r.points.front().memlock[m].first, 20);
      for (const ScalingPoint& p : r.points)
        out << padRight(m < p.memlock.size() ? num(p.memlock[m].second / 1024.0, "%.0f") : "-", 10);
      out << "\n";
    }
  }
}

void printScalingJson(std::ostream& out, const ScalingResult& r) {
  out << "{\"tool\": \"meshfwd-bench scaling\", \"kernel\": \"" << kernelRelease() << "\", \"cpus\": "
      << sysconf(_SC_NPROCESSORS_ONLN) << ", \"loadavg_before\": \"" << r.loadBefore << "\", \"loadavg_after\": \""
      << r.loadAfter << "\", \"runs\": " << r.runs << ", \"packets\": " << r.packets << ", \"repeat\": " << r.repeat
      << ", \"points\": [";
  for (size_t i = 0; i < r.points.size(); ++i) {
    const ScalingPoint& p = r.points[i];
    out << (i ? ", " : "") << "{\"sites\": " << p.sites << ", \"lookup_exact_ns\": " << jsonSpread(p.lookupExactNs)
        << ", \"lookup_lpm_only_ns\": " << jsonSpread(p.lookupLpmNs) << ", \"floor_ns\": " << jsonSpread(p.floorNs)
        << ", \"snapshot_ms\": " << jsonSpread(p.snapshotMs) << ", \"sync_add_ms\": " << jsonSpread(p.syncAddMs)
        << ", \"sync_noop_ms\": " << jsonSpread(p.syncNoopMs) << ", \"sync_delete_ms\": "
        << jsonSpread(p.syncDeleteMs) << ", \"site_names_ms\": " << jsonSpread(p.siteNamesMs)
        << ", \"counters_ms\": " << jsonSpread(p.countersMs) << ", \"synced\": " << p.synced << ", \"memlock_bytes\": " << p.memlockTotal << ", \"memlock_by_map\": {";
    for (size_t m = 0; m < p.memlock.size(); ++m)
      out << (m ? ", " : "") << "\"" << p.memlock[m].first << "\": " << p.memlock[m].second;
    out << "}}";
  }
  out << "], \"lookup_ratio_largest_to_smallest\": {\"exact\": " << jsonSpread(r.lookupRatioExact)
      << ", \"lpm_only\": " << jsonSpread(r.lookupRatioLpm) << "}}\n";
}

}  // namespace meshfwd::bench
