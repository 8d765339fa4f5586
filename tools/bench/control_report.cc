#include "tools/bench/control_report.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace meshfwd::bench {

namespace {

std::string fixed(double v, const char* format = "%.2f") {
  char buf[32];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string withRange(const Spread& s) { return fixed(s.median) + " (" + fixed(s.min) + ".." + fixed(s.max) + ")"; }

std::string pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string jsonSpread(const Spread& s) {
  return "{\"median\": " + fixed(s.median, "%.3f") + ", \"min\": " + fixed(s.min, "%.3f") +
         ", \"max\": " + fixed(s.max, "%.3f") + "}";
}

bool goalMet(const ReloadResult& result) {
  for (const ReloadRow& row : result.rows)
    if (row.sighupToMapMs.median > kReloadGoalMs) return false;
  return !result.rows.empty();
}

}  // namespace

void printReloadTable(std::ostream& out, const ReloadResult& result) {
  utsname u{};
  out << "meshfwd-bench control: reload to datapath, `meshfwd run` as a relay, kernel "
      << (uname(&u) == 0 ? u.release : "unknown") << ", " << sysconf(_SC_NPROCESSORS_ONLN) << " CPUs\n"
      << "  each reload changes the port range in the config file and sends SIGHUP;\n"
      << "  sighup_to_map: until the pinned maps hold the new generation (mf_active flipped), read as the programs do\n"
      << "  daemon_reported: the daemon's own figure (status last_reload_ms), request handled to every component applied\n"
      << "  ms: median (min..max)\n\n";
  out << pad("sites", 8) << pad("reloads", 9) << pad("sighup_to_map_ms", 26) << "daemon_reported_ms\n";
  for (const ReloadRow& row : result.rows)
    out << pad(std::to_string(row.sites), 8) << pad(std::to_string(row.reloads), 9)
        << pad(withRange(row.sighupToMapMs), 26) << withRange(row.daemonReportedMs) << "\n";
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
