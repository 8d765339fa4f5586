// meshfwd status: what is attached in this namespace, where, program ids,
// modes and the live policy generation.
#include <cstdio>
#include <memory>

#include "loader/datapath.h"
#include "loader/libbpf_log.h"
#include "tools/cli/commands.h"
#include "tools/cli/live_state.h"
#include "userspace/metrics_render.h"

namespace meshfwd::cli {

namespace {

struct StatusArgs {
  bool json = false;
};

std::string statusJson(const std::vector<loader::Attachment>& attached, const std::optional<mf_config>& live) {
  std::string out = "{\"attached\":";
  out += attached.empty() ? "false" : "true";
  out += ",\"role\":" + jsonString(live ? roleName(live->role) : "none");
  out += ",\"generation\":" + std::to_string(live ? live->generation : 0);
  out += ",\"hooks\":[";
  for (size_t i = 0; i < attached.size(); ++i) {
    const auto& a = attached[i];
    out += std::string(i ? "," : "") + "{\"iface\":" + jsonString(a.iface) + ",\"ifindex\":" + std::to_string(a.ifindex) +
           ",\"hook\":" + jsonString(a.hook) + ",\"mode\":" + jsonString(a.mode) +
           ",\"program\":" + jsonString(a.program) + ",\"prog_id\":" + std::to_string(a.progId) + "}";
  }
  return out + "]}\n";
}

int runStatus(const StatusArgs& args) {
  std::string error;
  std::vector<loader::Attachment> attached;
  {
    // Probing interfaces without a clsact qdisc makes libbpf print kernel
    // complaints that are not errors here; keep them off the terminal.
    loader::LibbpfLogCapture quiet;
    attached = loader::status(&error);
  }
  if (!error.empty()) {
    printErrors({error});
    return kExitFailed;
  }
  std::optional<mf_config> live;
  std::string mapsError;
  loader::PinnedMaps maps = loader::PinnedMaps::open(&mapsError);
  if (maps.ok()) live = liveConfig(maps);

  if (args.json) {
    std::fputs(statusJson(attached, live).c_str(), stdout);
  } else if (attached.empty()) {
    std::printf("not attached\n");
  } else {
    std::printf("attached %s, policy generation %u\n", live ? roleName(live->role).c_str() : "(no policy)",
                live ? live->generation : 0);
    std::fputs(formatAttachments(attached).c_str(), stdout);
  }
  return attached.empty() ? kExitNotAttached : kExitOk;
}

}  // namespace

void registerStatusCommand(CLI::App& app) {
  auto args = std::make_shared<StatusArgs>();
  CLI::App* cmd = app.add_subcommand("status", "Show what meshfwd has attached in this namespace");
  cmd->add_flag("--json", args->json, "one JSON object: attached, role, generation, hooks[]");
  cmd->footer("Exit status: 0 attached; 3 nothing attached; 1 cannot tell.\n");
  cmd->callback([args] {
    if (int status = runStatus(*args); status != kExitOk) throw CLI::RuntimeError(status);
  });
}

}  // namespace meshfwd::cli
