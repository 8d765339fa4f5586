#include "tools/bench/control_report.h"

#include <unistd.h>

#include <cstdio>
#include <string>

#include "tools/bench/report_text.h"

namespace meshfwd::bench {

namespace {

std::string fixed(double v, const char* format = "%.2f") { return formatNumber(v, format); }
std::string withRange(const Spread& s) { return formatSpread(s, "%.2f"); }

bool goalMet(const ReloadResult& result) {
  for (const ReloadRow& row : result.rows)
    if (row.sighupToMapMs.median > kReloadGoalMs) return false;
  return !result.rows.empty();
}

}  // namespace

void printReloadTable(std::ostream& out, const ReloadResult& result) {
  out << "meshfwd-bench control: reload to datapath, `meshfwd run` as a relay, kernel " << kernelRelease() << ", " << sysconf(_SC_NPROCESSORS_ONLN) << " CPUs\n"
      << "  each reload changes the port range in the config file and sends SIGHUP;\n"
      << "  sighup_to_map: until the pinned maps hold the new generation (mf_active flipped), read as the programs do\n"
      << "  daemon_reported: the daemon's own figure (status last_reload_ms), request handled to every component applied\n"
      << "  ms: median (min..max)\n\n";
  out << padRight("sites", 8) << padRight("reloads", 9) << padRight("sighup_to_map_ms", 26) << "daemon_reported_ms\n";
  for (const ReloadRow& row : result.rows)
    out << padRight(std::to_string(row.sites), 8) << padRight(std::to_string(row.reloads), 9)
        << padRight(withRange(row.sighupToMapMs), 26) << withRange(row.daemonReportedMs) << "\n";
  out << "\ntarget: sighup_to_map median <= " << fixed(kReloadGoalMs, "%.0f") << " ms at every row: "
      << (goalMet(result) ? "met" : "NOT met") << "\n";
}

void printReloadJson(std::ostream& out, const ReloadResult& result) {
  out << "{\"mode\": \"control\", \"rows\": [";
  for (size_t i = 0; i < result.rows.size(); ++i) {
    const ReloadRow& row = result.rows[i];
    out << (i ? ", " : "") << "{\"row\": \"reload_to_datapath\", \"sites\": " << row.sites
        << ", \"reloads\": " << row.reloads << ", \"sighup_to_map_ms\": " << jsonSpread(row.sighupToMapMs)
        << ", \"daemon_reported_ms\": " << jsonSpread(row.daemonReportedMs) << "}";
  }
  out << "], \"target\": {\"goal_ms\": " << fixed(kReloadGoalMs, "%.0f")
      << ", \"met\": " << (goalMet(result) ? "true" : "false") << "}}\n";
}

}  // namespace meshfwd::bench
