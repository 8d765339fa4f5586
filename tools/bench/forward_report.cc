#include "tools/bench/forward_report.h"

#include <unistd.h>

#include <cstdio>
#include <string>

#include "tools/bench/report_text.h"

namespace meshfwd::bench {

namespace {

std::string num(double v, const char* format = "%.0f") { return formatNumber(v, format); }
std::string range(const Spread& s, const char* format = "%.0f") { return formatSpread(s, format); }

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
  for (RouterMode m : kRouterModes) out << "    " << padRight(modeName(m), 14) << modeTitle(m) << "\n";
  out << "\n"
      << padRight("shape", 6) << padRight("mode", 14) << padRight("load", 18) << padRight("cpu ns/pkt", 22) << padRight("router ns/pkt", 22)
      << padRight("vs (b)", 20) << padRight("delivered %", 22) << (r.options.profile ? "bpf ns/pkt" : "") << "\n";
  for (const ForwardCell& c : r.cells) {
    Spread delivered = spreadOf(c.delivered);
    delivered.median *= 100;
    delivered.min *= 100;
    delivered.max *= 100;
    bool base = c.mode == RouterMode::Baseline;
    out << padRight(c.shape, 6) << padRight(modeName(c.mode), 14) << padRight(loadName(c.load), 18)
        << padRight(range(spreadOf(c.cpuNs)), 22) << padRight(base ? "-" : range(spreadOf(c.routerNs)), 22)
        << padRight(base ? "-" : range(spreadOf(c.ratioToB), "%.2f"), 20) << padRight(range(delivered, "%.1f"), 22)
        << (r.options.profile ? range(spreadOf(c.bpfNs)) : "") << "\n";
  }
  out << "\ngoals (router shares, ratio taken run by run):\n";
  for (const ForwardGoal& g : r.goals) {
    out << "  " << padRight(g.shape, 5) << padRight(g.what, 62) << modeName(g.mode) << "/" << modeName(g.against) << " = "
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
        << "\", \"load\": \"" << loadName(c.load) << "\", \"cpu_ns_per_packet\": " << jsonSpread(spreadOf(c.cpuNs))
        << ", \"router_ns_per_packet\": " << jsonSpread(spreadOf(c.routerNs))
        << ", \"ratio_to_b\": " << jsonSpread(spreadOf(c.ratioToB))
        << ", \"delivered_fraction\": " << jsonSpread(spreadOf(c.delivered))
        << ", \"offered_pps\": " << jsonSpread(spreadOf(c.offeredPps));
    if (r.options.profile) out << ", \"bpf_ns_per_packet\": " << jsonSpread(spreadOf(c.bpfNs));
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
