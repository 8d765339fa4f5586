#include "tools/bench/report.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace meshfwd::bench {

namespace {

std::string fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string withRange(const Spread& s) { return fixed(s.median) + " (" + fixed(s.min) + ".." + fixed(s.max) + ")"; }

std::string kernelRelease() {
  utsname u{};
  return uname(&u) == 0 ? u.release : "unknown";
}

const RowResult* targetRow(const std::vector<RowResult>& results) {
  for (const RowResult& r : results)
    if (r.row->allowedPath) return &r;
  return nullptr;
}

std::string pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string jsonSpread(const Spread& s) {
  return "{\"median\": " + fixed(s.median) + ", \"min\": " + fixed(s.min) + ", \"max\": " + fixed(s.max) + "}";
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
  out << pad("group", 12) << pad("path", 30) << pad("hook", 5) << pad("repeat", 7) << pad("ns/packet", 25)
      << pad("floor", 22) << "above floor\n";
  for (const RowResult& r : results) {
    out << pad(r.row->group, 12) << pad(r.row->path, 30) << pad(hookName(r.row->hook), 5)
        << pad(std::to_string(r.repeat), 7) << pad(withRange(r.nsPerPacket), 25) << pad(withRange(r.floor), 22)
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
        << "\", \"repeat\": " << r.repeat << ", \"ns_per_packet\": " << jsonSpread(r.nsPerPacket)
        << ", \"floor\": " << jsonSpread(r.floor) << ", \"above_floor\": " << jsonSpread(r.aboveFloor) << "}";
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
