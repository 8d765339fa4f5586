#include "tools/bench/report.h"

#include <unistd.h>

#include <cstdio>
#include <string>

#include "tools/bench/report_text.h"

namespace meshfwd::bench {

namespace {

std::string fixed(double v) { return formatNumber(v, "%.1f"); }
std::string withRange(const Spread& s) { return formatSpread(s, "%.1f"); }

const RowResult* targetRow(const std::vector<RowResult>& results) {
  for (const RowResult& r : results)
    if (r.row->allowedPath) return &r;
  return nullptr;
}

}  // namespace

void printTable(std::ostream& out, const RunInfo& info, const std::vector<RowResult>& results) {
  out << "meshfwd-bench: BPF_PROG_TEST_RUN, kernel " << kernelRelease() << ", " << sysconf(_SC_NPROCESSORS_ONLN)
      << " CPUs\n"
      << "  " << info.sites << " sites in the egress map and routing table, " << info.packetsPerRow
      << " packets per row (random destinations, seed " << info.seed << "), " << info.runs
      << " runs; ns per program run: median (min..max)\n"
      << "  floor = empty program of the same hook and repeat, timed in the same run; rows that build an\n"
      << "  ICMPv6 error run once per call (a repeat would run on the error), the others " << info.repeat
      << " times\n\n";
  out << padRight("group", 12) << padRight("path", 30) << padRight("hook", 5) << padRight("repeat", 7) << padRight("ns/packet", 25)
      << padRight("floor", 22) << "above floor\n";
  for (const RowResult& r : results) {
    out << padRight(r.row->group, 12) << padRight(r.row->path, 30) << padRight(hookName(r.row->hook), 5)
        << padRight(std::to_string(r.repeat), 7) << padRight(withRange(r.nsPerPacket), 25) << padRight(withRange(r.floor), 22)
        << withRange(r.aboveFloor) << "\n";
  }
  if (const RowResult* t = targetRow(results)) {
    bool pass = t->aboveFloor.median <= kTargetAboveFloorNs;
    out << "\ntarget: " << t->row->group << "/" << t->row->path << " costs " << fixed(t->aboveFloor.median)
        << " ns above the floor (limit " << fixed(kTargetAboveFloorNs) << "): " << (pass ? "PASS" : "FAIL") << "\n";
  }
}

void printJson(std::ostream& out, const RunInfo& info, const std::vector<RowResult>& results) {
  out << "{\"tool\": \"meshfwd-bench\", \"kernel\": \"" << kernelRelease() << "\", \"cpus\": "
      << sysconf(_SC_NPROCESSORS_ONLN) << ", \"sites\": " << info.sites << ", \"packets_per_row\": "
      << info.packetsPerRow << ", \"runs\": " << info.runs << ", \"repeat\": " << info.repeat
      << ", \"seed\": " << info.seed << ", \"rows\": [";
  for (size_t i = 0; i < results.size(); ++i) {
    const RowResult& r = results[i];
    out << (i ? ", " : "") << "{\"group\": \"" << r.row->group << "\", \"path\": \"" << r.row->path
        << "\", \"program\": \"" << r.row->program << "\", \"hook\": \"" << hookName(r.row->hook)
        << "\", \"repeat\": " << r.repeat << ", \"ns_per_packet\": " << jsonSpread(r.nsPerPacket, "%.1f")
        << ", \"floor\": " << jsonSpread(r.floor, "%.1f") << ", \"above_floor\": " << jsonSpread(r.aboveFloor, "%.1f") << "}";
  }
  out << "]";
  if (const RowResult* t = targetRow(results)) {
    out << ", \"target\": {\"row\": \"" << t->row->group << "/" << t->row->path
        << "\", \"limit_above_floor_ns\": " << fixed(kTargetAboveFloorNs)
        << ", \"above_floor_ns\": " << fixed(t->aboveFloor.median)
        << ", \"pass\": " << (t->aboveFloor.median <= kTargetAboveFloorNs ? "true" : "false") << "}";
  }
  out << "}\n";
}

}  // namespace meshfwd::bench
