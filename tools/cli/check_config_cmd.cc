#include "tools/cli/check_config_cmd.h"

#include <cstdio>
#include <memory>

#include "tools/cli/commands.h"
#include "userspace/config_file.h"

namespace meshfwd::cli {

std::string configSummary(const std::string& path, const Config& config) {
  const bool edge = config.role == Role::Edge;
  std::string s = path + ": ok (role " + (edge ? "edge" : "relay");
  if (edge) s += ", lan " + config.lan;
  s += ", tunnel " + config.tunnel;
  if (!config.uplink.empty()) s += ", uplink " + config.uplink;
  s += ", mesh " + config.meshPrefix.str();
  if (config.sitePrefix) s += ", site " + config.sitePrefix->str();
  s += ", ports " + std::to_string(config.ports.lo) + "-" + std::to_string(config.ports.hi) + ")";
  return s;
}

namespace {

int runCheckConfig(const std::string& path) {
  ConfigLoad load = loadConfigFile(path);
  if (!load.ok()) {
    // Compiler-style lines, so editors and CI annotators can jump to them.
    for (const auto& e : load.errors) std::fprintf(stderr, "%s\n", e.str().c_str());
    printErrors({path + ": " + std::to_string(load.errors.size()) +
                 (load.errors.size() == 1 ? " error" : " errors")});
    return kExitFailed;
  }
  std::printf("%s\n", configSummary(path, *load.config).c_str());
  return kExitOk;
}

}  // namespace

void registerCheckConfigCommand(CLI::App& app) {
  auto path = std::make_shared<std::string>(kDefaultConfigPath);
  CLI::App* cmd = app.add_subcommand("check-config", "Check a meshfwd.toml and report every error in it");
  cmd->add_option("file", *path, "the config file")->capture_default_str();
  cmd->footer(
      "Prints 'FILE: ok (...)' and exits 0, or prints every error as FILE:LINE:COLUMN: MESSAGE\n"
      "and exits 1.");
  cmd->callback([path] {
    if (int status = runCheckConfig(*path); status != kExitOk) throw CLI::RuntimeError(status);
  });
}

}  // namespace meshfwd::cli
