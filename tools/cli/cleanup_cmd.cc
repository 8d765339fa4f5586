// meshfwd cleanup --role edge: removes what the VRRP router of a daemon
// that died without stop() left on the box (DESIGN.md §6): the macvlan
// with the VIP on it, the routing tunnel up (and still sending keepalives:
// see vrrp::silenceNow), the datapath's master flag.
// Otherwise the box stays a second master. The systemd unit runs it from
// ExecStopPost, so it must be idempotent and quiet about what is absent.
#include "tools/cli/cleanup_cmd.h"

#include <cstdio>

#include "tools/cli/commands.h"
#include "userspace/config_file.h"
#include "userspace/vrrp_edge_state.h"
#include "userspace/vrrp_names.h"
#include "userspace/vrrp_netlink.h"
#include "userspace/vrrp_wireguard.h"

namespace meshfwd::cli {

namespace {

struct CleanupArgs {
  std::string role;
  std::string configFile = kDefaultConfigPath;
};

int runCleanup(const CleanupArgs& args) {
  if (args.role != "edge") {
    printErrors({"cleanup: only --role edge leaves state behind (the relay has no VRRP)"});
    return kExitUsage;
  }
  ConfigLoad load = loadConfigFile(args.configFile);
  if (!load.config) {
    std::vector<std::string> lines;
    for (const auto& e : load.errors)
      lines.push_back(e.str());
    printErrors(lines);
    return kExitUsage;
  }
  const Config& config = *load.config;
  if (!config.vrrp || config.lan.empty()) {
    std::printf("nothing to clean: %s has no [vrrp] section\n", args.configFile.c_str());
    return kExitOk;
  }
  std::vector<std::string> errors;
  std::string macvlan = vrrp::vrrpMacvlanName(config.lan, config.vrrp->vrid);
  if (vrrp::ifindexOf(macvlan) != 0) {
    // The VIP and the copied link-local address go with the macvlan.
    if (auto e = vrrp::deleteLink(macvlan); !e.empty())
      errors.push_back(e);
    else
      std::printf("removed %s and its virtual address %s\n", macvlan.c_str(), config.vrrp->virtualAddress.str().c_str());
  }
  if (int tunnel = config.tunnel.empty() ? 0 : vrrp::ifindexOf(config.tunnel); tunnel != 0 && vrrp::linkAdminUp(tunnel)) {
    if (auto e = vrrp::setLinkUp(config.tunnel, false); !e.empty())
      errors.push_back(e);
    else
      std::printf("routing tunnel %s down\n", config.tunnel.c_str());
  }
  // Down is not silent: wireguard-go keeps sending persistent keepalives on
  // its last session through a down TUN, and the relay would move the
  // site's endpoint back to this box, away from the live master.
  if (!config.tunnel.empty() && vrrp::ifindexOf(config.tunnel) != 0) {
    std::string keepalive;  // "<peer>\t<seconds|off>" per peer
    if (auto e = vrrp::runWg({"show", config.tunnel, "persistent-keepalive"}, &keepalive); !e.empty()) {
      errors.push_back("routing tunnel " + config.tunnel + ": wg show: " + e);
    } else if (!keepalive.empty() && keepalive.find("\toff") == std::string::npos) {
      std::string keyError;
      std::string peer = vrrp::relayPeerKey(config.tunnel, &keyError);
      if (peer.empty())
        errors.push_back(keyError);
      else if (auto e = vrrp::silenceNow(config.tunnel, peer); !e.empty())
        errors.push_back("routing tunnel " + config.tunnel + ": " + e);
      else
        std::printf("routing tunnel %s silenced (relay peer re-added without keepalive or session)\n",
                    config.tunnel.c_str());
    }
  }
  std::string detail;
  if (vrrp::writeEdgeState(false, vrrp::virtualMac(config.vrrp->vrid), &detail) == vrrp::EdgeStateWrite::Failed)
    errors.push_back(detail);
  if (!errors.empty()) {
    printErrors(errors);
    return kExitFailed;
  }
  std::printf("cleaned\n");
  return kExitOk;
}

}  // namespace

void registerCleanupCommand(CLI::App& app) {
  auto args = std::make_shared<CleanupArgs>();
  CLI::App* cmd = app.add_subcommand(
      "cleanup", "Remove what a dead edge daemon left: the VRRP macvlan and VIP, the routing tunnel up, the master flag");
  cmd->add_option("--role", args->role, "edge (the only role with such state)")->required();
  cmd->add_option("--config", args->configFile, "meshfwd.toml")->capture_default_str();
  cmd->footer("Prints what it removed, then 'cleaned'. Safe to run when nothing is left.\n"
              "Exit status: 0 cleaned; 1 something could not be removed; 2 invalid arguments or configuration.\n");
  cmd->callback([args] {
    if (int status = runCleanup(*args); status != kExitOk) throw CLI::RuntimeError(status);
  });
}

}  // namespace meshfwd::cli
