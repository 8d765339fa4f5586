// The checks that relate one config value to another or to the role: the
// MTU chain, prefixes inside the mesh, the interfaces a role needs and
// never names twice, ICMPv6 types that may not be forwarded, the metrics
// address. What a single key's type or syntax must be is config_file.cc's
// business; this file sees only a Config and where each value came from.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "userspace/config.h"
#include "userspace/config_file.h"

namespace meshfwd {

// Each tunnel level costs 80 bytes (IPv6 40 + UDP 8 + WireGuard 32): the
// routing tunnel rides the uplink, the servers' mesh rides the routing
// tunnel, and the mesh must still carry IPv6's minimum MTU.
inline constexpr uint32_t kWireGuardOverhead = 80;
inline constexpr uint32_t kIpv6MinMtu = 1280;
inline constexpr uint32_t kMinUplinkMtu = kIpv6MinMtu + 2 * kWireGuardOverhead;  // 1440

// The place a value was written. `file` is the config file or a flag name.
struct ConfigOrigin {
  std::string file;
  int line = 0;
  int column = 0;
};

// Where the values of one Config came from, keyed by TOML path: "role",
// "interfaces" (the table header), "interfaces.lan", and for list entries
// the entry's value ("mesh.allowed_icmpv6_types.128"). A check about a key
// that is absent reports at the nearest enclosing table that is present.
class ConfigOrigins {
 public:
  explicit ConfigOrigins(ConfigOrigin root) : root_(std::move(root)) {}

  void set(const std::string& key, ConfigOrigin origin) { byKey_[key] = std::move(origin); }
  bool has(const std::string& key) const { return byKey_.count(key) != 0; }
  // A key present with a value already reported as bad: checks that build
  // on its value stay quiet instead of repeating the error in other words.
  void refuse(const std::string& key) { refused_.insert(key); }
  // True also under a refused table: `interfaces = "eth0"` refuses every
  // [interfaces] key.
  bool refused(const std::string& key) const;
  // The key's origin, else its closest ancestor's, else the file's start.
  ConfigOrigin at(const std::string& key) const;

 private:
  ConfigOrigin root_;
  std::map<std::string, ConfigOrigin> byKey_;
  std::set<std::string> refused_;
};

// Every problem found, in no particular order (the caller sorts).
std::vector<ConfigError> validateConfig(const Config& config, const ConfigOrigins& origins);

// Why this uplink MTU cannot carry the mesh, or nothing when it can. Shared
// with the daemon, which checks the uplink's real MTU when the file has none.
std::optional<std::string> mtuChainProblem(uint32_t uplinkMtu);

// "127.0.0.1:9469" or "[::1]:9469": an IP literal and a port. Names are not
// accepted: the daemon binds before any resolver is reliable.
std::optional<std::string> metricsListenProblem(const std::string& listen);

// The kernel's limit for an interface name (IFNAMSIZ - 1) and its rules.
std::optional<std::string> interfaceNameProblem(const std::string& name);

}  // namespace meshfwd
