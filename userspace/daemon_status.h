// The running daemon's state as `meshfwd status` shows it: a small JSON
// file per network namespace, /run/meshfwd/net<inode>/daemon.json, replaced
// atomically (write + rename) so a reader never sees half of one. The
// rendering and the reading back are pure; only writeFileAtomically and
// daemonStatusPath touch the system.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace meshfwd {

enum class ReloadResult { None, Ok, Failed };

struct DaemonStatus {
  int pid = 0;
  std::string state = "starting";  // starting | running | reloading | stopping | stopped
  std::string role;                // relay | edge
  std::string configPath;
  uint32_t generation = 0;         // the live policy generation
  int64_t startedUnix = 0;
  ReloadResult lastReload = ReloadResult::None;
  int64_t lastReloadUnix = 0;      // wall clock of the last reload attempt
  double lastReloadMs = 0;         // SIGHUP to new generation live
  std::vector<std::string> lastReloadErrors;
  // Each component's name and its statusJson() object.
  std::vector<std::pair<std::string, std::string>> components;
};

const char* reloadResultName(ReloadResult r);

// One JSON object and a newline. The scalar fields come first and flat, so
// readers need no JSON library (see daemonStatusField).
std::string renderDaemonStatus(const DaemonStatus& status);

// A top-level scalar field of a rendered status: the string's value
// (unescaped) or the number's text; nullopt when absent.
std::optional<std::string> daemonStatusField(std::string_view json, std::string_view key);
// The statusJson() object of the component `name` in a rendered status
// (its scalars readable with daemonStatusField); nullopt when absent.
std::optional<std::string> daemonStatusComponent(std::string_view json, std::string_view name);
// The "last_reload_errors" strings of a rendered status.
std::vector<std::string> daemonStatusErrors(std::string_view json);

// /run/meshfwd/net<inode>/daemon.json for the calling thread's namespace;
// "" (and *error) when the namespace cannot be identified.
std::string daemonStatusPath(std::string* error);

// Writes `path` through a temporary file in the same directory and
// rename(2), creating the directory. "" or an error naming the path.
std::string writeFileAtomically(const std::string& path, const std::string& content);

}  // namespace meshfwd
