#include "userspace/config_validate.h"

#include <arpa/inet.h>

#include <array>
#include <charconv>
#include <utility>

namespace meshfwd {

ConfigOrigin ConfigOrigins::at(const std::string& key) const {
  for (std::string k = key; !k.empty();) {
    auto it = byKey_.find(k);
    if (it != byKey_.end()) return it->second;
    auto dot = k.rfind('.');
    k = dot == std::string::npos ? std::string() : k.substr(0, dot);
  }
  return root_;
}

bool ConfigOrigins::refused(const std::string& key) const {
  for (std::string k = key; !k.empty();) {
    if (refused_.count(k)) return true;
    auto dot = k.rfind('.');
    k = dot == std::string::npos ? std::string() : k.substr(0, dot);
  }
  return false;
}

std::optional<std::string> mtuChainProblem(uint32_t uplinkMtu) {
  if (uplinkMtu >= kMinUplinkMtu) return std::nullopt;
  // Spell out the chain: the operator sees which level falls short.
  auto level = [](int64_t mtu) { return std::to_string(mtu); };
  int64_t tunnel = int64_t(uplinkMtu) - kWireGuardOverhead;
  int64_t mesh = tunnel - kWireGuardOverhead;
  return "uplink MTU " + std::to_string(uplinkMtu) + " leaves the routing tunnel " + level(tunnel) +
         " and the mesh " + level(mesh) + ", below IPv6's minimum of " + std::to_string(kIpv6MinMtu) +
         ": the uplink MTU must be at least " + std::to_string(kMinUplinkMtu);
}

std::optional<std::string> metricsListenProblem(const std::string& listen) {
  const std::string example = " (e.g. \"127.0.0.1:9469\" or \"[::1]:9469\")";
  std::string host;
  std::string_view port;
  if (!listen.empty() && listen.front() == '[') {
    auto close = listen.find(']');
    if (close == std::string::npos || close + 1 >= listen.size() || listen[close + 1] != ':')
      return "metrics address '" + listen + "' must be IP:PORT" + example;
    host = listen.substr(1, close - 1);
    port = std::string_view(listen).substr(close + 2);
    in6_addr a6;
    if (inet_pton(AF_INET6, host.c_str(), &a6) != 1)
      return "metrics address '" + listen + "': '" + host + "' is not an IPv6 address";
  } else {
    auto colon = listen.rfind(':');
    if (colon == std::string::npos || listen.find(':') != colon)
      return "metrics address '" + listen + "' must be IP:PORT" + example;
    host = listen.substr(0, colon);
    port = std::string_view(listen).substr(colon + 1);
    in_addr a4;
    if (inet_pton(AF_INET, host.c_str(), &a4) != 1)
      return "metrics address '" + listen + "': '" + host +
             "' is not an IPv4 address (write IPv6 as [addr]:port; host names are not accepted)";
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
    return "metrics address '" + listen + "': '" + std::string(port) + "' is not a port (1-65535)";
  return std::nullopt;
}

std::optional<std::string> interfaceNameProblem(const std::string& name) {
  constexpr size_t kMaxInterfaceName = 15;  // IFNAMSIZ - 1
  if (name.empty()) return std::string("interface name is empty");
  if (name.size() > kMaxInterfaceName)
    return "interface name '" + name + "' is longer than " + std::to_string(kMaxInterfaceName) +
           " characters";
  if (name == "." || name == "..") return "'" + name + "' is not an interface name";
  // The kernel refuses '/', ':' and whitespace; quotes and backslashes it
  // would take, but they cannot be written into an nftables ruleset.
  for (char c : name)
    if (c == '/' || c == ':' || c == '"' || c == '\\' || c == '\'' || static_cast<unsigned char>(c) <= ' ' ||
        static_cast<unsigned char>(c) >= 0x7f)
      return "interface name '" + name + "' contains '/', ':', a quote, a backslash, whitespace or a non-ASCII character";
  return std::nullopt;
}

namespace {

const char* roleName(Role role) { return role == Role::Edge ? "edge" : "relay"; }

class Checker {
 public:
  Checker(const Config& config, const ConfigOrigins& origins) : config_(config), origins_(origins) {}

  std::vector<ConfigError> run() {
    checkInterfaces();
    checkRoleRequirements();
    checkPrefixes();
    checkPorts();
    checkIcmpTypes();
    checkAddresses();
    if (config_.uplinkMtu)
      if (auto problem = mtuChainProblem(*config_.uplinkMtu)) report("interfaces.uplink_mtu", *problem);
    return std::move(errors_);
  }

 private:
  void report(const std::string& key, std::string message) {
    ConfigOrigin o = origins_.at(key);
    errors_.push_back(ConfigError{o.file, o.line, o.column, std::move(message)});
  }
  // A key the operator wrote (even with a bad value) is not "missing":
  // reporting it twice would only bury the real error.
  bool given(const std::string& key, bool hasValue) const {
    return hasValue || origins_.has(key) || origins_.refused(key);
  }

  void checkInterfaces() {
    // Later keys are compared with earlier ones, so the error lands on the
    // second mention, where the operator repeated themself.
    const std::array<std::pair<const char*, const std::string*>, 3> named{{
        {"uplink", &config_.uplink},
        {"tunnel", &config_.tunnel},
        {"lan", &config_.lan},
    }};
    for (size_t i = 0; i < named.size(); ++i) {
      const std::string key = std::string("interfaces.") + named[i].first;
      const std::string& name = *named[i].second;
      if ((name.empty() && !origins_.has(key)) || origins_.refused(key)) continue;
      if (auto problem = interfaceNameProblem(name)) {
        report(key, *problem);
        continue;
      }
      for (size_t j = 0; j < i; ++j) {
        if (*named[j].second != name) continue;
        std::string message = "interface '" + name + "' is named twice, as " + named[j].first + " and as " +
                              named[i].first;
        if (config_.role == Role::Edge && std::string(named[j].first) == "uplink" &&
            std::string(named[i].first) == "lan")
          message += " (a single-NIC edge leaves uplink out)";
        report(key, message);
      }
    }
  }

  void checkRoleRequirements() {
    if (origins_.refused("role")) return;  // which role's rules apply is unknown
    if (!origins_.has("role")) {
      // Guessing the role would bury this under the other role's errors.
      report("role", "missing role: set role = \"relay\" or role = \"edge\"");
      return;
    }
    const std::string role = roleName(config_.role);
    auto require = [&](const std::string& key, bool hasValue, const std::string& what) {
      if (!given(key, hasValue)) report(key, "missing " + what + ": role " + role + " needs it");
    };
    require("interfaces.tunnel", !config_.tunnel.empty(), "[interfaces] tunnel (the WireGuard routing tunnel)");
    require("mesh.prefix", config_.meshPrefix.length != 0, "[mesh] prefix (the mesh /48)");
    auto edgeOnly = [&](const std::string& key, bool present, const std::string& what) {
      if (present) report(key, what + " applies to role edge only, and this is a relay");
    };
    if (config_.role == Role::Edge) {
      require("interfaces.lan", !config_.lan.empty(), "[interfaces] lan (the site's link)");
      require("mesh.site_prefix", config_.sitePrefix.has_value(), "[mesh] site_prefix (the site /64)");
      if (origins_.has("guard"))
        report("guard", "[guard] applies to role relay only (the edge has no WireGuard guard)");
    } else {
      edgeOnly("interfaces.lan", !config_.lan.empty() || origins_.has("interfaces.lan"), "[interfaces] lan");
      edgeOnly("mesh.site_prefix", config_.sitePrefix.has_value() || origins_.has("mesh.site_prefix"),
               "[mesh] site_prefix");
      edgeOnly("mesh.source_validation", origins_.has("mesh.source_validation"), "[mesh] source_validation");
      if (config_.guard.enabled && !given("interfaces.uplink", !config_.uplink.empty()))
        report("interfaces.uplink",
               "missing [interfaces] uplink: the relay's WireGuard guard runs on it "
               "(or set [guard] enabled = false)");
    }
  }

  void checkPrefixes() {
    const Ipv6Prefix& mesh = config_.meshPrefix;
    if (mesh.length != 0 && mesh.length != 48)
      report("mesh.prefix", "mesh prefix " + mesh.str() + " must be a /48, not a /" + std::to_string(mesh.length));
    // On a relay the site prefix is already reported as out of place.
    if (!config_.sitePrefix || (config_.role == Role::Relay && origins_.has("role"))) return;
    const Ipv6Prefix& site = *config_.sitePrefix;
    if (site.length != 64)
      report("mesh.site_prefix",
             "site prefix " + site.str() + " must be a /64, not a /" + std::to_string(site.length));
    else if (mesh.length == 48 && !mesh.contains(site))
      report("mesh.site_prefix", "site prefix " + site.str() + " is outside the mesh prefix " + mesh.str());
  }

  void checkPorts() {
    const PortRange& p = config_.ports;
    const std::string text = std::to_string(p.lo) + "-" + std::to_string(p.hi);
    if (p.lo > p.hi)
      report("mesh.port_range", "port range " + text + " is inverted: the first port is above the last");
    else if (p.lo == 0)
      report("mesh.port_range", "port range " + text + " includes port 0, which no socket listens on");
  }

  void checkIcmpTypes() {
    // Neighbour discovery and redirects are valid on one link only
    // (RFC 4861 hop limit 255); forwarding them would let one site's
    // hosts poison another's neighbour caches (DESIGN.md 2a).
    static const std::array<std::pair<uint8_t, const char*>, 3> kNeverForwarded{{
        {135, "nd-neighbor-solicit"},
        {136, "nd-neighbor-advert"},
        {137, "nd-redirect"},
    }};
    for (auto [type, name] : kNeverForwarded)
      if (config_.allowedIcmpTypes.count(type))
        report("mesh.allowed_icmpv6_types." + std::to_string(type),
               "ICMPv6 type " + std::to_string(type) + " (" + name +
                   ") may never be forwarded: neighbour discovery and redirects stay on their link");
  }

  void checkAddresses() {
    if (auto problem = metricsListenProblem(config_.metricsListen)) report("metrics.listen", *problem);
    if (config_.icmpSource) {
      const Ipv6Addr& a = *config_.icmpSource;
      if (a.isMulticast() || a == Ipv6Addr{})
        report("icmp.error_source", "ICMPv6 error source " + a.str() + " must be a unicast address");
    }
  }

  const Config& config_;
  const ConfigOrigins& origins_;
  std::vector<ConfigError> errors_;
};

}  // namespace

std::vector<ConfigError> validateConfig(const Config& config, const ConfigOrigins& origins) {
  return Checker(config, origins).run();
}

}  // namespace meshfwd
