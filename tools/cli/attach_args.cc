#include "tools/cli/attach_args.h"

#include <charconv>

namespace meshfwd::cli {

namespace {

std::optional<uint16_t> parsePort(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > 65535) return std::nullopt;
  return static_cast<uint16_t>(value);
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

}  // namespace

std::optional<PortRange> parsePortRange(const std::string& text, std::string* error) {
  auto dash = text.find('-');
  auto lo = dash == std::string::npos ? std::nullopt : parsePort(std::string_view(text).substr(0, dash));
  auto hi = dash == std::string::npos ? std::nullopt : parsePort(std::string_view(text).substr(dash + 1));
  if (!lo || !hi) {
    *error = "'" + text + "' is not a port range LO-HI (ports 1-65535)";
    return std::nullopt;
  }
  if (*lo == 0) {
    *error = "port 0 cannot be a UDP destination";
    return std::nullopt;
  }
  if (*lo > *hi) {
    *error = text + " is empty (LO " + std::to_string(*lo) + " > HI " + std::to_string(*hi) + ")";
    return std::nullopt;
  }
  return PortRange{*lo, *hi};
}

ConfigOverrides overridesFromFlags(const AttachArgs& args) {
  ConfigOverrides o;
  if (args.role == "relay") o.role = Role::Relay;
  if (args.role == "edge") o.role = Role::Edge;
  if (!args.interface.empty()) (args.role == "edge" ? o.lan : o.uplink) = args.interface;
  o.tunnel = args.tunnel;
  o.meshPrefix = args.meshPrefix;
  o.sitePrefix = args.site;
  o.portRange = args.ports;
  o.guardListenPort = args.wgPort;
  return o;
}

AttachValidation validateAttach(const AttachArgs& args, const SystemFacts& facts,
                                const std::optional<Config>& fromFile) {
  AttachValidation v;
  auto& errors = v.errors;

  // Role first: every other check depends on it.
  std::optional<Role> role;
  if (args.role.empty() && !fromFile)
    errors.push_back("--role is required: relay or edge");
  else if (args.role == "relay")
    role = Role::Relay;
  else if (args.role == "edge")
    role = Role::Edge;
  else if (!args.role.empty())
    errors.push_back("--role: unknown role '" + args.role + "' (expected relay or edge)");
  else
    role = fromFile->role;

  if (auto missing = missingForAttach(facts.caps); !missing.empty())
    errors.push_back("attach needs root or CAP_BPF and CAP_NET_ADMIN; missing " + joined(missing));

  if (!role) return v;
  const bool edge = *role == Role::Edge;

  Config config = fromFile.value_or(Config{});
  config.role = *role;

  if (args.site && !edge) errors.push_back("--site is only for --role edge");
  if (args.noSourceValidation && !edge) errors.push_back("--no-source-validation is only for --role edge");
  if (args.noGuard && edge) errors.push_back("--no-guard is only for --role relay");
  if (args.wgPort && edge) errors.push_back("--wg-port is only for --role relay");

  // Prefixes. With --config the file loader has parsed them (flags applied);
  // the relations are checked here again so both paths say the same.
  bool haveMesh = fromFile.has_value();
  if (args.meshPrefix) {
    std::string why;
    if (auto p = Ipv6Prefix::parse(*args.meshPrefix, &why)) {
      config.meshPrefix = *p;
      haveMesh = true;
    } else {
      errors.push_back("--mesh-prefix: " + why);
    }
  } else if (!fromFile) {
    errors.push_back("--mesh-prefix is required (the mesh /48), or give it in --config");
  }
  if (haveMesh && config.meshPrefix.length != 48)
    errors.push_back("--mesh-prefix: " + config.meshPrefix.str() + " is not a /48");

  if (edge) {
    if (args.site) {
      std::string why;
      if (auto p = Ipv6Prefix::parse(*args.site, &why))
        config.sitePrefix = *p;
      else
        errors.push_back("--site: " + why);
    } else if (!config.sitePrefix) {
      errors.push_back("--site is required for --role edge (the site /64)");
    }
    if (config.sitePrefix) {
      if (config.sitePrefix->length != 64)
        errors.push_back("--site: " + config.sitePrefix->str() + " is not a /64");
      else if (haveMesh && config.meshPrefix.length == 48 && !config.meshPrefix.contains(*config.sitePrefix))
        errors.push_back("--site: " + config.sitePrefix->str() + " is not inside the mesh " +
                         config.meshPrefix.str());
    }
  }

  if (args.ports) {
    std::string why;
    if (auto range = parsePortRange(*args.ports, &why))
      config.ports = *range;
    else
      errors.push_back("--ports: " + why);
  }
  if (args.wgPort) config.guard.listenPort = *args.wgPort;
  if (args.noGuard) config.guard.enabled = false;
  if (args.noSourceValidation) config.sourceValidation = false;
  if (args.icmpSource) {
    auto a = Ipv6Addr::parse(*args.icmpSource);
    if (!a || a->isMulticast() || a->isLinkLocal())
      errors.push_back("--icmp-source: '" + *args.icmpSource + "' is not a unicast, non-link-local IPv6 address");
    else
      config.icmpSource = *a;
  }

  // Interfaces: named, distinct, present.
  const char* positional = edge ? "LAN_IF" : "UPLINK";
  std::string& main = edge ? config.lan : config.uplink;
  if (!args.interface.empty()) main = args.interface;
  if (args.tunnel) config.tunnel = *args.tunnel;
  if (main.empty()) errors.push_back(std::string(positional) + " is required: the " +
                                     (edge ? "LAN interface" : "uplink interface for the WireGuard-port guard"));
  if (config.tunnel.empty()) {
    if (edge) {
      errors.push_back("--tunnel is required for --role edge (the WireGuard routing tunnel)");
    } else if (facts.wireguardInterfaces.size() == 1) {
      config.tunnel = facts.wireguardInterfaces.front();
      v.notes.push_back("--tunnel not given: using " + config.tunnel + ", the only WireGuard interface");
    } else if (facts.wireguardInterfaces.empty()) {
      errors.push_back("--tunnel is required: no WireGuard interface found to default to");
    } else {
      errors.push_back("--tunnel is required: several WireGuard interfaces (" + joined(facts.wireguardInterfaces) +
                       "), name one");
    }
  }
  if (!main.empty() && !facts.interfaces.count(main))
    errors.push_back(std::string(positional) + ": interface '" + main + "' does not exist");
  if (!config.tunnel.empty() && !facts.interfaces.count(config.tunnel))
    errors.push_back("--tunnel: interface '" + config.tunnel + "' does not exist");
  if (!main.empty() && main == config.tunnel)
    errors.push_back(std::string(positional) + " and --tunnel are the same interface '" + main + "'");

  if (errors.empty()) v.config = std::move(config);
  return v;
}

}  // namespace meshfwd::cli
