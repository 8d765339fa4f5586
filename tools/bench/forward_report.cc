#include "tools/bench/forward_report.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace meshfwd::bench {

namespace {

std::string num(double v, const char* format = "%.0f") {
  char buf[32];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string range(const Spread& s, const char* format = "%.0f") {
  return num(s.median, format) + " (" + num(s.min, format) + ".." + num(s.max, format) + ")";
}

std::string pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string kernelRelease() {
  utsname u{};
  return uname(&u) == 0 ? u.release : "unknown";
}

std::string jsonSpread(const Spread& s) {
  return "{\"median\": " + num(s.median, "%.3f") + ", \"min\": " + num(s.min, "%.3f") + ", \"max\": " +
         num(s.max, "%.3f") + "}";
}

}  // namespace

void printForwardTable(std::ostream& out, const ForwardResult& r) {
  const ForwardOptions& o = r.options;
  out << "meshfwd-bench forward: kernel " << kernelRelease() << ", " << sysconf(_SC_NPROCESSORS_ONLN)
      << " CPUs, load average " << r.loadBefore << " before, " << r.loadAfter << " after\n"
      << "  generator -> router -> sink namespaces over veth (" << o.vethPps << " packets/s offered), and the relay's\n"
      << "  shape, in and out of one TUN (" << o.tunPps << " packets/s written); " << o.sites << " sites, "
      << o.packetsPerLoad << " packets per load (random destinations), " << o.seconds << " s per mode and load, "
      << o.runs << " runs\n"
      << "  cpu = sender thread + ksoftirqd CPU time per offered packet; router = cpu - baseline of the same run\n"
      << "  and load; vs (b) = router / router of (b), run by run. median (min..max)\n";
  for (RouterMode m : kRouterModes) out << "    " << pad(modeName(m), 14) << modeTitle(m) << "\n";
  out << "\n"
      << pad("shape", 6) << pad("mode", 14) << pad("load", 18) << pad("cpu ns/pkt", 22) << pad("router ns/pkt", 22)
      << pad("vs (b)", 20) << pad("delivered %", 22) << (r.options.profile ? "bpf ns/pkt" : "") << "\n";
  for (const ForwardCell& c : r.cells) {
    Spread delivered = spreadOfSamples(c.delivered);
    delivered.median *= 100;
    delivered.min *= 100;
    delivered.max *= 100;
    bool base = c.mode == RouterMode::Baseline;
    out << pad(c.shape, 6) << pad(modeName(c.mode), 14) << pad(loadName(c.load), 18)
        << pad(range(spreadOfSamples(c.cpuNs)), 22) << pad(base ? "-" : range(spreadOfSamples(c.routerNs)), 22)
        << pad(base ? "-" : range(spreadOfSamples(c.ratioToB), "%.2f"), 20) << pad(range(delivered, "%.1f"), 22)
        << (r.options.profile ? range(spreadOfSamples(c.bpfNs)) : "") << "\n";
  }
  out << "\ngoals (router shares, ratio taken run by run):\n";
  for (const ForwardGoal& g : r.goals) {
    out << "  " << pad(g.shape, 5) << pad(g.what, 62) << modeName(g.mode) << "/" << modeName(g.against) << " = "
        << range(g.ratio, "%.2f") << " (limit " << num(g.limit, "%.2f") << "): " << (g.met() ? "MET" : "NOT MET")
        << "\n";
  }
}

void printForwardJson(std::ostream& out, const ForwardResult& r) {
  const ForwardOptions& o = r.options;
  out << "{\"tool\": \"meshfwd-bench forward\", \"kernel\": \"" << kernelRelease() << "\", \"cpus\": "
      << sysconf(_SC_NPROCESSORS_ONLN) << ", \"loadavg_before\": \"" << r.loadBefore << "\", \"loadavg_after\": \""
      << r.loadAfter << "\", \"sites\": " << o.sites << ", \"packets_per_load\": " << o.packetsPerLoad
      << ", \"runs\": " << o.runs << ", \"seconds\": " << o.seconds << ", \"veth_pps\": " << o.vethPps
      << ", \"tun_pps\": " << o.tunPps << ", \"cells\": [";
  for (size_t i = 0; i < r.cells.size(); ++i) {
    const ForwardCell& c = r.cells[i];
    out << (i ? ", " : "") << "{\"shape\": \"" << c.shape << "\", \"mode\": \"" << modeName(c.mode)
        << "\", \"load\": \"" << loadName(c.load) << "\", \"cpu_ns_per_packet\": " << jsonSpread(spreadOfSamples(c.cpuNs))
        << ", \"router_ns_per_packet\": " << jsonSpread(spreadOfSamples(c.routerNs))
        << ", \"ratio_to_b\": " << jsonSpread(spreadOfSamples(c.ratioToB))
        << ", \"delivered_fraction\": " << jsonSpread(spreadOfSamples(c.delivered))
        << ", \"offered_pps\": " << jsonSpread(spreadOfSamples(c.offeredPps));
    if (r.options.profile) out << ", \"bpf_ns_per_packet\": " << jsonSpread(spreadOfSamples(c.bpfNs));
    out << "}";
  }
  out << "], \"goals\": [";
  for (size_t i = 0; i < r.goals.size(); ++i) {
    const ForwardGoal& g = r.goals[i];
    out << (i ? ", " : "") << "{\"goal\": \"" << g.what << "\", \"shape\": \"" << g.shape << "\", \"load\": \""
        << loadName(g.load) << "\", \"mode\": \"" << modeName(g.mode) << "\", \"against\": \"" << modeName(g.against)
        << "\", \"limit\": " << num(g.limit, "%.2f") << ", \"ratio\": " << jsonSpread(g.ratio)
        << ", \"met\": " << (g.met() ? "true" : "false") << "}";
  }
  out << "]}\n";
}

}  // namespace meshfwd::bench
