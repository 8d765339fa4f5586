#include "tools/cli/render_nft_cmd.h"

#include <cstdio>
#include <memory>

#include "tools/cli/commands.h"
#include "userspace/config_file.h"
#include "userspace/nft_render.h"

namespace meshfwd::cli {

namespace {

struct RenderNftArgs {
  std::string role;
  std::string configPath = kDefaultConfigPath;
  uint16_t listenPort = 0;
};

int runRenderNft(const RenderNftArgs& args) {
  ConfigOverrides overrides;
  overrides.role = args.role == "edge" ? Role::Edge : Role::Relay;
  if (args.listenPort != 0) overrides.guardListenPort = args.listenPort;
  ConfigLoad load = loadConfigFile(args.configPath, overrides);
  if (!load.ok()) {
    for (const auto& e : load.errors) std::fprintf(stderr, "%s\n", e.str().c_str());
    printErrors({"nothing rendered: " + args.configPath + " has " + std::to_string(load.errors.size()) +
                 (load.errors.size() == 1 ? " error" : " errors")});
    return kExitUsage;
  }
  if (auto problem = inputRulesetProblem(*load.config)) {
    printErrors({"nothing rendered: " + *problem});
    return kExitUsage;
  }
  std::fputs(renderInputRuleset(*load.config).c_str(), stdout);
  return kExitOk;
}

}  // namespace

void registerRenderNftCommand(CLI::App& app) {
  auto args = std::make_shared<RenderNftArgs>();
  CLI::App* cmd = app.add_subcommand("render-nft", "Print the nftables input policy (nft -f) for a role");
  cmd->add_option("--role", args->role, "relay or edge (overrides the config's role)")
      ->required()
      ->check(CLI::IsMember({"relay", "edge"}));
  cmd->add_option("--config", args->configPath, "the config file")->capture_default_str();
  cmd->add_option("--listen-port", args->listenPort,
                  "the routing tunnel's WireGuard port, when the config leaves it to run time")
      ->check(CLI::Range(1, 65535));
  cmd->footer(
      "meshfwd replaces the forward chains; the input chain stays with nftables. Install with\n"
      "  meshfwd render-nft --role relay > /etc/nftables.conf && nft -f /etc/nftables.conf\n"
      "Exit status: 0 printed; 2 the config is invalid (its errors are printed, nothing else).");
  cmd->callback([args] {
    if (int status = runRenderNft(*args); status != kExitOk) throw CLI::RuntimeError(status);
  });
}

}  // namespace meshfwd::cli
