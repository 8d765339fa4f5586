// meshfwd run: the daemon (userspace/daemon.h). The flags are the config
// file's keys, so an error about an overridden value names the flag.
#include <memory>

#include "tools/cli/commands.h"
#include "userspace/daemon.h"

namespace meshfwd::cli {

namespace {

struct RunArgs {
  DaemonOptions options;
  std::string role;
};

}  // namespace

void registerRunCommand(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand("run", "Run the daemon: attach per the config and keep the datapath in step");
  cmd->footer(
      "SIGHUP reloads the config (an invalid one is refused, the old policy keeps running);\n"
      "SIGTERM/SIGINT stop: the datapath stays attached and pinned unless --detach-on-stop.\n"
      "Logs go to stderr with syslog priority prefixes (<3> error, <4> warning, <6> info).\n"
      "GET /metrics on metrics_listen (default 127.0.0.1:9469). `meshfwd status` shows the daemon.\n"
      "Exit status: 0 stopped in order; 1 start-up failed (errors logged).\n");
  auto& o = args->options;
  cmd->add_option("--config", o.configPath, "meshfwd.toml")->capture_default_str();
  cmd->add_option("--role", args->role, "override: relay or edge")->check(CLI::IsMember({"relay", "edge"}));
  cmd->add_option("--uplink", o.overrides.uplink, "override: the uplink interface");
  cmd->add_option("--tunnel", o.overrides.tunnel, "override: the WireGuard routing tunnel");
  cmd->add_option("--lan", o.overrides.lan, "override: edge LAN interface");
  cmd->add_option("--mesh-prefix", o.overrides.meshPrefix, "override: the mesh /48");
  cmd->add_option("--site-prefix", o.overrides.sitePrefix, "override: edge site /64");
  cmd->add_option("--port-range", o.overrides.portRange, "override: mesh UDP ports LO-HI");
  cmd->add_option("--listen-port", o.overrides.guardListenPort, "override: relay guard WireGuard port");
  cmd->add_option("--metrics-listen", o.overrides.metricsListen, "override: HOST:PORT for /metrics");
  cmd->add_flag("--detach-on-stop", o.detachOnStop, "remove the datapath when stopping");
  cmd->add_flag("--force", o.force, "replace another program on the XDP hook");
  cmd->callback([args] {
    if (args->role == "relay") args->options.overrides.role = Role::Relay;
    if (args->role == "edge") args->options.overrides.role = Role::Edge;
    Daemon daemon(args->options);
    if (int status = daemon.run(); status != kExitOk) throw CLI::RuntimeError(status);
  });
}

}  // namespace meshfwd::cli
