// Named network namespaces for the benchmark's multi-namespace modes, and
// running code inside one. `ip netns add` makes them visible to a person
// while a run hangs (`ip netns exec NAME ...`); code that must see bpffs
// pins enters with setns() on a thread of its own, never `ip netns exec`,
// which remounts /sys (DESIGN.md 5).
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace meshfwd::bench {

// Runs `fn` on a new thread that joined netns `name`, and waits for it.
// Returns what `fn` returned, or why the namespace could not be entered.
std::string runInNetns(const std::string& name, const std::function<std::string()>& fn);

// Feeds `commands` to `ip -n NAME -batch -` ("" for the initial namespace).
std::string ipBatch(const std::string& netns, const std::vector<std::string>& commands);

// Runs a shell command line; "" or its status and output.
std::string runShell(const std::string& command, const std::string& input = {});

// Owns a set of named namespaces: created with `ip netns add`, deleted on
// destruction (with everything in them), also after a failed build.
class NamedNetns {
 public:
  NamedNetns() = default;
  NamedNetns(const NamedNetns&) = delete;
  NamedNetns& operator=(const NamedNetns&) = delete;
  ~NamedNetns();
  // "" or the error. The loopback comes up.
  std::string add(const std::string& name);

 private:
  std::vector<std::string> names_;
};

}  // namespace meshfwd::bench
