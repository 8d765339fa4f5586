// meshfwd status: what is attached in this namespace, where, program ids,
// modes and the live policy generation; and the daemon's state (its status
// file, userspace/daemon_status.h) when `meshfwd run` serves this namespace.
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "loader/datapath.h"
#include "loader/libbpf_log.h"
#include "tools/cli/commands.h"
#include "userspace/live_state.h"
#include "userspace/daemon_status.h"
#include "userspace/metrics_render.h"

namespace meshfwd::cli {

namespace {

struct StatusArgs {
  bool json = false;
};

// The daemon's status file, when one was written in this namespace.
std::optional<std::string> daemonStatusText() {
  std::string ignored;
  std::string path = daemonStatusPath(&ignored);
  if (path.empty()) return std::nullopt;
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The edge companion's lines, when the daemon runs it:
// "vrrp: master, vrid 51 priority 200, master fe80::1, VIP fe80::51 on lan.vr51, 3 transitions, last 2026-...Z"
// "ra: sending on lan.vr51 from fe80::51 (shared VIP), 12 sent"
std::string describeEdgeCompanion(const std::string& json) {
  std::string out;
  if (auto v = daemonStatusComponent(json, "vrrp")) {
    auto f = [&](const char* key) { return daemonStatusField(*v, key).value_or("?"); };
    std::string master = f("master_address");
    out += "vrrp: " + f("state") + ", vrid " + f("vrid") + " priority " + f("priority") + ", master " +
           (master == "null" ? std::string("none known") : master) + ", VIP " + f("virtual_address") + " on " +
           f("interface") + ", " + f("transitions") + " transitions, last " +
           (f("last_transition") == "null" ? std::string("never") : f("last_transition")) + "\n";
  }
  if (auto r = daemonStatusComponent(json, "ra"); r && daemonStatusField(*r, "enabled") == "true") {
    auto f = [&](const char* key) { return daemonStatusField(*r, key).value_or("?"); };
    out += "ra: " + std::string(f("active") == "true" ? "sending" : "silent (source absent)") + " on " +
           f("interface") + " from " + f("source") + (f("source_shared") == "true" ? " (shared VIP)" : "") + "\n";
  }
  return out;
}

// "daemon: pid 42 running, config /etc/meshfwd/meshfwd.toml; last reload ok"
// plus one line per error of a failed reload. A file whose pid is gone is
// reported as such rather than trusted.
std::string describeDaemon(const std::string& json) {
  std::string pid = daemonStatusField(json, "pid").value_or("0");
  std::string state = daemonStatusField(json, "state").value_or("?");
  bool alive = std::stoi(pid) > 0 && ::kill(std::stoi(pid), 0) == 0;
  if (!alive && state != "stopped") state = "gone (not stopped in order)";
  std::string out = "daemon: pid " + pid + " " + state + ", config " + daemonStatusField(json, "config").value_or("?");
  std::string reload = daemonStatusField(json, "last_reload").value_or("none");
  if (reload == "failed") {
    out += "; last reload failed, still running generation " + daemonStatusField(json, "generation").value_or("?");
    out += "\n";
    for (const auto& e : daemonStatusErrors(json)) out += "  " + e + "\n";
    return out + describeEdgeCompanion(json);
  }
  if (reload == "ok") out += "; last reload ok (" + daemonStatusField(json, "last_reload_ms").value_or("?") + " ms)";
  return out + "\n" + describeEdgeCompanion(json);
}

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
  out += "]";
  if (auto daemon = daemonStatusText()) {
    while (!daemon->empty() && daemon->back() == '\n') daemon->pop_back();
    out += ",\"daemon\":" + *daemon;
  }
  return out + "}\n";
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
  if (!args.json)
    if (auto daemon = daemonStatusText()) std::fputs(describeDaemon(*daemon).c_str(), stdout);
  return attached.empty() ? kExitNotAttached : kExitOk;
}

}  // namespace

void registerStatusCommand(CLI::App& app) {
  auto args = std::make_shared<StatusArgs>();
  CLI::App* cmd = app.add_subcommand("status", "Show what meshfwd has attached in this namespace");
  cmd->add_flag("--json", args->json, "one JSON object: attached, role, generation, hooks[], daemon (when `meshfwd run` wrote one)");
  cmd->footer("Exit status: 0 attached; 3 nothing attached; 1 cannot tell.\n");
  cmd->callback([args] {
    if (int status = runStatus(*args); status != kExitOk) throw CLI::RuntimeError(status);
  });
}

}  // namespace meshfwd::cli
