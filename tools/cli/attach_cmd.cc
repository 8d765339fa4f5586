// meshfwd attach: validate -> build the Config -> attachDatapath
// (userspace/datapath_apply.h, shared with `meshfwd run`), which writes
// tunnels, egress, local addresses and then the policy generation before
// any hook is attached, so the first packet sees the policy.
#include <cstdio>
#include <memory>

#include "loader/datapath.h"
#include "tools/cli/attach_args.h"
#include "tools/cli/commands.h"
#include "tools/cli/system_facts.h"
#include "userspace/config_file.h"
#include "userspace/datapath_apply.h"
#include "userspace/live_state.h"

namespace meshfwd::cli {

namespace {

// config_file names the flags after the config keys; ours are shorter.
std::string ourFlagName(const std::string& file) {
  if (file == "--site-prefix") return "--site";
  if (file == "--port-range") return "--ports";
  if (file == "--listen-port") return "--wg-port";
  if (file == "--lan") return "LAN_IF";
  if (file == "--uplink") return "UPLINK";
  return file;
}

int runAttach(const AttachArgs& args) {
  std::string error;
  auto net = readNetSnapshot(&error);
  if (!net) {
    printErrors({error});
    return kExitFailed;
  }
  SystemFacts facts = systemFacts(*net, currentCapabilities());

  std::optional<Config> fromFile;
  if (args.configFile) {
    ConfigLoad load = loadConfigFile(*args.configFile, overridesFromFlags(args));
    if (!load.ok()) {
      for (auto e : load.errors) {
        e.file = ourFlagName(e.file);
        std::fprintf(stderr, "%s\n", e.str().c_str());
      }
      return kExitUsage;
    }
    fromFile = load.config;
  }
  AttachValidation valid = validateAttach(args, facts, fromFile);
  if (!valid.config) {
    printErrors(valid.errors);
    return kExitUsage;
  }
  const Config& config = *valid.config;
  for (const auto& n : valid.notes) std::printf("%s\n", n.c_str());

  DatapathApply applied = attachDatapath(config, *net, args.force);
  if (!applied.configErrors.empty()) {
    printWarnings(applied.warnings);
    printErrors(applied.configErrors);
    return kExitUsage;
  }
  if (!applied.error.empty()) {
    printWarnings(applied.warnings);
    printErrors({applied.error});
    return kExitFailed;
  }
  std::printf("attached %s, policy generation %u%s\n", config.role == Role::Relay ? "relay" : "edge",
              applied.generation, applied.adoptedMaps ? " (pinned maps adopted, counters kept)" : "");
  std::fputs(formatAttachments(applied.attached).c_str(), stdout);
  printWarnings(applied.warnings);
  return kExitOk;
}

}  // namespace

void registerAttachCommand(CLI::App& app) {
  auto args = std::make_shared<AttachArgs>();
  CLI::App* cmd = app.add_subcommand("attach", "Load the role's programs, write the policy, attach them");
  cmd->footer(
      "Relay: meshfwd attach --role relay [--tunnel IF] --mesh-prefix P/48 [--ports LO-HI] UPLINK\n"
      "  --tunnel defaults to the only WireGuard interface when there is exactly one.\n"
      "Edge:  meshfwd attach --role edge --tunnel IF --site PREFIX/64 --mesh-prefix P/48 LAN_IF\n"
      "With --config FILE the file supplies what the flags leave out; flags win.\n"
      "Prints 'attached ROLE, policy generation N' and one line per hook:\n"
      "  IFACE HOOK MODE PROGRAM id PROG_ID; warnings go to stderr as 'meshfwd: warning: ...'.\n"
      "Exit status: 0 attached; 1 attach failed (rolled back, previous state kept);\n"
      "2 invalid arguments or configuration (nothing changed).\n");
  cmd->add_option("--role", args->role, "relay or edge (required unless --config gives it)");
  cmd->add_option("interface", args->interface, "relay: UPLINK (WireGuard-port guard); edge: LAN_IF");
  cmd->add_option("--tunnel", args->tunnel, "the WireGuard routing tunnel");
  cmd->add_option("--mesh-prefix", args->meshPrefix, "the mesh /48");
  cmd->add_option("--site", args->site, "edge: the site /64, inside the mesh /48");
  cmd->add_option("--ports", args->ports, "mesh UDP destination ports LO-HI (default 58000-60000)");
  cmd->add_option("--config", args->configFile, "meshfwd.toml to take the rest from");
  cmd->add_option("--wg-port", args->wgPort, "relay: WireGuard listen port for the guard (default: asked from the tunnel)");
  cmd->add_option("--icmp-source", args->icmpSource, "source of generated ICMPv6 errors (default: found on the interface)");
  cmd->add_flag("--force", args->force, "replace another program on the XDP hook");
  cmd->add_flag("--no-source-validation", args->noSourceValidation, "edge: do not drop LAN sources outside the site /64");
  cmd->add_flag("--no-guard", args->noGuard, "relay: no WireGuard-port guard on the uplink");
  cmd->callback([args] {
    if (int status = runAttach(*args); status != kExitOk) throw CLI::RuntimeError(status);
  });
}

}  // namespace meshfwd::cli
