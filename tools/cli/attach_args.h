// `meshfwd attach` arguments and their validation, pure: what the flags say
// plus facts about the machine (interfaces, capabilities) in, one clear line
// per problem out. Nothing here touches the system, so every error class is
// unit-tested with its exact message.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "userspace/capabilities.h"
#include "userspace/config.h"
#include "userspace/config_file.h"

namespace meshfwd::cli {

// The flags exactly as given; unset optionals were not on the command line.
struct AttachArgs {
  std::string role;                        // --role (required)
  std::string interface;                   // positional: relay UPLINK / edge LAN_IF
  std::optional<std::string> tunnel;       // --tunnel
  std::optional<std::string> meshPrefix;   // --mesh-prefix
  std::optional<std::string> site;         // --site (edge)
  std::optional<std::string> ports;        // --ports LO-HI
  std::optional<std::string> configFile;   // --config
  std::optional<uint16_t> wgPort;          // --wg-port (relay guard)
  std::optional<std::string> icmpSource;   // --icmp-source
  bool force = false;                      // --force
  bool noSourceValidation = false;         // --no-source-validation (edge)
  bool noGuard = false;                    // --no-guard (relay)
};

// What validation needs to know about the machine.
struct SystemFacts {
  Capabilities caps;
  std::set<std::string> interfaces;            // every link name in this namespace
  std::vector<std::string> wireguardInterfaces;  // kernel WireGuard or wireguard-go links
};

struct AttachValidation {
  std::optional<Config> config;     // set only when errors is empty
  std::vector<std::string> errors;  // one line each, in a stable order
  std::vector<std::string> notes;   // choices made for the user (e.g. the tunnel picked)
};

// "58000-60000" -> {58000, 60000}; nullopt with `error` set otherwise.
std::optional<PortRange> parsePortRange(const std::string& text, std::string* error);

// The ConfigOverrides the flags amount to, for loadConfigFile().
ConfigOverrides overridesFromFlags(const AttachArgs& args);

// Validates the flags (and, when --config was given, the Config loaded from
// it with the flags applied) against the machine. `fromFile` must be the
// result of loadConfigFile() when args.configFile is set.
AttachValidation validateAttach(const AttachArgs& args, const SystemFacts& facts,
                                const std::optional<Config>& fromFile = std::nullopt);

}  // namespace meshfwd::cli
