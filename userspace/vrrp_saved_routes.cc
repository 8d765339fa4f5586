#include "userspace/vrrp_saved_routes.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "loader/netns.h"
#include "userspace/daemon_status.h"

namespace meshfwd::vrrp {

std::string formatSavedRoutes(const std::vector<SavedRoute>& routes) {
  std::string out;
  for (const auto& r : routes) {
    out += r.destination.str() + " table " + std::to_string(r.table) + " metric " + std::to_string(r.priority) +
           " proto " + std::to_string(r.protocol);
    if (r.gateway) out += " via " + r.gateway->str();
    out += "\n";
  }
  return out;
}

std::optional<std::vector<SavedRoute>> parseSavedRoutes(const std::string& text, std::string* error) {
  std::vector<SavedRoute> routes;
  std::istringstream lines(text);
  std::string line;
  for (int n = 1; std::getline(lines, line); ++n) {
    if (line.empty()) continue;
    std::istringstream words(line);
    std::string dest, kTable, kMetric, kProto, kVia, gw;
    unsigned long table = 0, metric = 0, proto = 0;
    bool ok = static_cast<bool>(words >> dest >> kTable >> table >> kMetric >> metric >> kProto >> proto) &&
              kTable == "table" && kMetric == "metric" && kProto == "proto" && proto <= 255 && table <= UINT32_MAX &&
              metric <= UINT32_MAX;
    SavedRoute r;
    if (ok) {
      auto d = Ipv6Prefix::parse(dest);
      ok = d.has_value();
      if (ok) r.destination = *d;
    }
    if (ok && words >> kVia) {
      auto g = kVia == "via" && (words >> gw) ? Ipv6Addr::parse(gw) : std::nullopt;
      ok = g.has_value();
      r.gateway = g;
    }
    if (!ok) {
      *error = "line " + std::to_string(n) + ": '" + line + "' is not DEST table T metric M proto P [via GW]";
      return std::nullopt;
    }
    r.table = static_cast<uint32_t>(table);
    r.priority = static_cast<uint32_t>(metric);
    r.protocol = static_cast<uint8_t>(proto);
    routes.push_back(r);
  }
  return routes;
}

std::string savedRoutesDir(const char* stateDirectoryEnv, uint64_t netnsInode) {
  std::string base = stateDirectoryEnv ? stateDirectoryEnv : "";
  base = base.substr(0, base.find(':'));  // StateDirectory= may list several
  if (base.empty()) base = "/var/lib/meshfwd";
  return base + "/net" + std::to_string(netnsInode);
}

std::string savedRoutesPath(const std::string& tunnel) {
  std::string ignored;
  uint64_t inode = loader::netnsInode(&ignored);
  if (!inode) return "";
  return savedRoutesDir(std::getenv("STATE_DIRECTORY"), inode) + "/" + tunnel + ".routes";
}

std::string runtimeSavedRoutesPath(const std::string& tunnel) {
  std::string ignored;
  std::string status = daemonStatusPath(&ignored);
  if (status.empty()) return "";
  return std::filesystem::path(status).parent_path() / (tunnel + ".routes");
}

std::string saveTunnelRoutes(const std::string& tunnel, const std::vector<SavedRoute>& routes) {
  std::string path = savedRoutesPath(tunnel);
  if (path.empty()) return "no network namespace inode to key the state file by";
  return writeFileAtomically(path, formatSavedRoutes(routes));
}

std::optional<std::vector<SavedRoute>> loadTunnelRoutes(const std::string& tunnel, std::string* error) {
  for (const std::string& path : {savedRoutesPath(tunnel), runtimeSavedRoutesPath(tunnel)}) {
    std::ifstream in(path);
    if (path.empty() || !in) continue;
    std::stringstream text;
    text << in.rdbuf();
    std::string why;
    auto routes = parseSavedRoutes(text.str(), &why);
    if (!routes) *error = path + ": " + why;
    return routes;
  }
  return std::nullopt;
}

}  // namespace meshfwd::vrrp
