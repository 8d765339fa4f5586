// Reading /etc/meshfwd/meshfwd.toml (toml++) into a Config.
//
// The pipeline is: parse the TOML and check every key's name and type
// (config_file.cc), apply the command-line overrides, then check the
// relations between values (config_validate.cc). Every problem found on the
// way is collected, so one run shows the operator all of them, each with the
// place it comes from.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "userspace/config.h"

namespace meshfwd {

inline constexpr const char* kDefaultConfigPath = "/etc/meshfwd/meshfwd.toml";

struct ConfigError {
  std::string file;  // the config file, or the flag a value came from ("--tunnel")
  int line = 0;      // 1-based; 0 when there is no position (a flag, an unreadable file)
  int column = 0;
  std::string message;

  // "file:line:col: message" (or "file: message" without a position), the
  // format compilers use, so editors can jump to it.
  std::string str() const;
};

struct ConfigLoad {
  std::optional<Config> config;      // set only when errors is empty
  std::vector<ConfigError> errors;   // in file order
  bool ok() const { return config.has_value(); }
};

// Values given as command-line flags. Each one set replaces the file's value
// before validation, so a flag can also fill in what the file leaves out
// (e.g. `meshfwd attach --role relay --uplink eth0 --config FILE`). An error
// about an overridden value names the flag: --role, --uplink, --tunnel,
// --lan, --mesh-prefix, --site-prefix, --port-range, --listen-port,
// --metrics-listen.
struct ConfigOverrides {
  std::optional<Role> role;
  std::optional<std::string> uplink;
  std::optional<std::string> tunnel;
  std::optional<std::string> lan;
  std::optional<std::string> meshPrefix;  // textual, validated like the file's value
  std::optional<std::string> sitePrefix;
  std::optional<std::string> portRange;   // "58000-60000"
  std::optional<uint16_t> guardListenPort;
  std::optional<std::string> metricsListen;
};

// Reads and validates `path`. A file that cannot be read is one error.
ConfigLoad loadConfigFile(const std::string& path, const ConfigOverrides& overrides = {});

// Same, from text already in memory; `sourceName` is what errors name as file.
ConfigLoad parseConfig(std::string_view text, const std::string& sourceName,
                       const ConfigOverrides& overrides = {});

}  // namespace meshfwd
