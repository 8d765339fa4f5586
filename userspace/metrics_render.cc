#include "userspace/metrics_render.h"

#include <cstdio>
#include <sstream>

namespace meshfwd {

std::string jsonString(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

namespace {

// Prometheus label values escape backslash, double quote and newline only.
std::string labelValue(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string counterJson(const mf_counter& c) {
  return "{\"packets\":" + std::to_string(c.packets) + ",\"bytes\":" + std::to_string(c.bytes) + "}";
}

void header(std::ostringstream& out, const char* name, const char* type, const char* help) {
  out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
}

}  // namespace

std::string renderStatsTable(const StatsSnapshot& stats) {
  std::ostringstream out;
  char line[256];
  std::snprintf(line, sizeof line, "%-12s %-28s %14s %16s\n", "HOOK", "REASON", "PACKETS", "BYTES");
  out << line;
  for (const auto& r : stats.reasons) {
    std::snprintf(line, sizeof line, "%-12s %-28s %14llu %16llu\n", r.hook.c_str(), r.name.c_str(),
                  static_cast<unsigned long long>(r.packets), static_cast<unsigned long long>(r.bytes));
    out << line;
  }
  out << '\n';
  if (stats.sites.empty()) {
    out << "no sites\n";
    return out.str();
  }
  std::snprintf(line, sizeof line, "%-42s %6s %14s %16s %14s %16s\n", "SITE", "ID", "TO_PACKETS", "TO_BYTES",
                "FROM_PACKETS", "FROM_BYTES");
  out << line;
  for (const auto& s : stats.sites) {
    std::snprintf(line, sizeof line, "%-42s %6u %14llu %16llu %14llu %16llu\n", s.site.c_str(), s.siteId,
                  static_cast<unsigned long long>(s.toSite.packets), static_cast<unsigned long long>(s.toSite.bytes),
                  static_cast<unsigned long long>(s.fromSite.packets),
                  static_cast<unsigned long long>(s.fromSite.bytes));
    out << line;
  }
  return out.str();
}

std::string renderStatsJson(const StatsSnapshot& stats) {
  std::ostringstream out;
  out << "{\"generation\":" << stats.generation << ",\"reasons\":[";
  for (size_t i = 0; i < stats.reasons.size(); ++i) {
    const auto& r = stats.reasons[i];
    out << (i ? "," : "") << "{\"hook\":" << jsonString(r.hook) << ",\"reason\":" << jsonString(r.name)
        << ",\"id\":" << r.id << ",\"packets\":" << r.packets << ",\"bytes\":" << r.bytes << '}';
  }
  out << "],\"sites\":[";
  for (size_t i = 0; i < stats.sites.size(); ++i) {
    const auto& s = stats.sites[i];
    out << (i ? "," : "") << "{\"site\":" << jsonString(s.site) << ",\"site_id\":" << s.siteId
        << ",\"to_site\":" << counterJson(s.toSite) << ",\"from_site\":" << counterJson(s.fromSite) << '}';
  }
  out << "]}\n";
  return out.str();
}

std::string renderPrometheus(const StatsSnapshot& stats) {
  std::ostringstream out;
  header(out, "meshfwd_packets_total", "counter", "Packets counted by a meshfwd program, by hook and verdict reason.");
  for (const auto& r : stats.reasons)
    out << "meshfwd_packets_total{hook=\"" << labelValue(r.hook) << "\",reason=\"" << labelValue(r.name) << "\"} "
        << r.packets << '\n';
  header(out, "meshfwd_bytes_total", "counter", "Bytes counted by a meshfwd program, by hook and verdict reason.");
  for (const auto& r : stats.reasons)
    out << "meshfwd_bytes_total{hook=\"" << labelValue(r.hook) << "\",reason=\"" << labelValue(r.name) << "\"} "
        << r.bytes << '\n';

  struct Dir {
    const char* label;
    const mf_counter SiteStat::*counter;
  };
  const Dir dirs[] = {{"to_site", &SiteStat::toSite}, {"from_site", &SiteStat::fromSite}};
  header(out, "meshfwd_site_packets_total", "counter", "Packets forwarded per site prefix and direction.");
  for (const auto& s : stats.sites)
    for (const auto& d : dirs)
      out << "meshfwd_site_packets_total{site=\"" << labelValue(s.site) << "\",direction=\"" << d.label << "\"} "
          << (s.*d.counter).packets << '\n';
  header(out, "meshfwd_site_bytes_total", "counter", "Bytes forwarded per site prefix and direction.");
  for (const auto& s : stats.sites)
    for (const auto& d : dirs)
      out << "meshfwd_site_bytes_total{site=\"" << labelValue(s.site) << "\",direction=\"" << d.label << "\"} "
          << (s.*d.counter).bytes << '\n';

  header(out, "meshfwd_attached", "gauge", "1 for each program meshfwd has attached, by interface, hook and mode.");
  for (const auto& a : stats.attached)
    out << "meshfwd_attached{iface=\"" << labelValue(a.iface) << "\",hook=\"" << labelValue(a.hook) << "\",mode=\""
        << labelValue(a.mode) << "\"} 1\n";
  header(out, "meshfwd_config_generation", "gauge", "Generation of the live datapath policy (0: none).");
  out << "meshfwd_config_generation " << stats.generation << '\n';
  return out.str();
}

}  // namespace meshfwd
