#include "tools/bench/scaling_report.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace meshfwd::bench {

namespace {

std::string num(double v, const char* format = "%.1f") {
  char buf[32];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string range(const Spread& s, const char* format = "%.1f") {
  return num(s.median, format) + " (" + num(s.min, format) + ".." + num(s.max, format) + ")";
}

std::string pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string jsonSpread(const Spread& s) {
  return "{\"median\": " + num(s.median, "%.3f") + ", \"min\": " + num(s.min, "%.3f") + ", \"max\": " +
         num(s.max, "%.3f") + "}";
}

std::string kernelRelease() {
  utsname u{};
  return uname(&u) == 0 ? u.release : "unknown";
}

}  // namespace

void printScalingTable(std::ostream& out, const ScalingResult& r) {
  out << "meshfwd-bench scaling: kernel " << kernelRelease() << ", " << sysconf(_SC_NPROCESSORS_ONLN)
      << " CPUs, load average " << r.loadBefore << " before, " << r.loadAfter << " after\n"
      << "  lookup: relay allowed mesh UDP, ns per program run above the empty TC program (BPF_PROG_TEST_RUN, "
      << r.packets << " random destinations, repeat " << r.repeat << ")\n"
      << "  sync: netlink snapshot and RouteSync::sync into fresh relay maps, as the daemon does; " << r.runs
      << " runs, median (min..max)\n\n";
  out << pad("sites", 7) << pad("lookup exact+LPM ns", 24) << pad("lookup LPM only ns", 24) << pad("floor ns", 20)
      << pad("snapshot ms", 25) << pad("sync add ms", 25) << pad("re-sync no-op ms", 25) << pad("sync delete ms", 25)
      << "map memlock KiB\n";
  for (const ScalingPoint& p : r.points) {
    out << pad(std::to_string(p.sites), 7) << pad(range(p.lookupExactNs), 24) << pad(range(p.lookupLpmNs), 24)
        << pad(range(p.floorNs), 20) << pad(range(p.snapshotMs), 25) << pad(range(p.syncAddMs), 25)
        << pad(range(p.syncNoopMs), 25) << pad(range(p.syncDeleteMs), 25) << num(p.memlockTotal / 1024.0, "%.0f")
        << "\n";
  }
  for (const ScalingPoint& p : r.points)
    if (p.synced != p.sites)
      out << "note: " << p.sites << " sites: route sync added " << p.synced << " (" << p.syncNote << ")\n";
  if (r.points.size() >= 2) {
    std::string a = std::to_string(r.points.back().sites), b = std::to_string(r.points.front().sites);
    out << "\nlookup " << a << " vs " << b << " sites, run by run: exact+LPM (product) "
        << range(r.lookupRatioExact, "%.2f") << "x, LPM trie alone " << range(r.lookupRatioLpm, "%.2f") << "x\n";
    out << "\nmap memlock by map (KiB):\n" << pad("map", 20);
    for (const ScalingPoint& p : r.points) out << pad(std::to_string(p.sites), 10);
    out << "\n";
    for (size_t m = 0; m < r.points.front().memlock.size(); ++m) {
      out << pad(r.points.front().memlock[m].first, 20);
      for (const ScalingPoint& p : r.points)
        out << pad(m < p.memlock.size() ? num(p.memlock[m].second / 1024.0, "%.0f") : "-", 10);
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
        << jsonSpread(p.syncDeleteMs) << ", \"synced\": " << p.synced << ", \"memlock_bytes\": " << p.memlockTotal << ", \"memlock_by_map\": {";
    for (size_t m = 0; m < p.memlock.size(); ++m)
      out << (m ? ", " : "") << "\"" << p.memlock[m].first << "\": " << p.memlock[m].second;
    out << "}}";
  }
  out << "], \"lookup_ratio_largest_to_smallest\": {\"exact\": " << jsonSpread(r.lookupRatioExact)
      << ", \"lpm_only\": " << jsonSpread(r.lookupRatioLpm) << "}}\n";
}

}  // namespace meshfwd::bench
