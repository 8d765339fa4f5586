#include "tools/cli/lab_cmd.h"

#include <net/if.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "loader/xdp_hook.h"
#include "loader/xdp_pass.h"
#include "tools/cli/commands.h"

#ifndef MESHFWD_LAB_SOURCE_SCRIPT
#define MESHFWD_LAB_SOURCE_SCRIPT ""
#endif
#ifndef MESHFWD_LAB_INSTALLED_SCRIPT
#define MESHFWD_LAB_INSTALLED_SCRIPT ""
#endif
#ifndef MESHFWD_INSTALLED_BINARY
#define MESHFWD_INSTALLED_BINARY ""
#endif

namespace meshfwd::cli {

namespace {

namespace fs = std::filesystem;

// The installed binary runs the installed tool; a build-tree binary runs
// the tool from its source tree, so the two never mix versions.
// MESHFWD_LAB_SCRIPT overrides both.
std::string labScript(const std::string& self) {
  if (const char* env = std::getenv("MESHFWD_LAB_SCRIPT"); env && *env) return env;
  std::error_code ec;
  bool installed = !std::string(MESHFWD_INSTALLED_BINARY).empty() &&
                   fs::equivalent(self, MESHFWD_INSTALLED_BINARY, ec);
  for (const char* candidate : installed ? std::vector<const char*>{MESHFWD_LAB_INSTALLED_SCRIPT}
                                         : std::vector<const char*>{MESHFWD_LAB_SOURCE_SCRIPT,
                                                                    MESHFWD_LAB_INSTALLED_SCRIPT}) {
    if (*candidate && fs::exists(candidate, ec)) return candidate;
  }
  return "";
}

int attachXdpPass(const std::string& ifname) {
  int ifindex = static_cast<int>(::if_nametoindex(ifname.c_str()));
  if (ifindex == 0) {
    printErrors({"lab xdp-pass: no interface " + ifname + " in this network namespace"});
    return kExitUsage;
  }
  int fd = loader::loadXdpPassProgram();
  if (fd < 0) {
    printErrors({"lab xdp-pass: loading the pass program: " + std::string(std::strerror(-fd))});
    return kExitFailed;
  }
  int rc = loader::installXdp(ifindex, fd, loader::XdpMode::Native, loader::XdpHookState{});
  ::close(fd);  // the hook keeps the program until the interface goes
  if (rc < 0) {
    printErrors({"lab xdp-pass: attaching to " + ifname + ": " + std::strerror(-rc)});
    return kExitFailed;
  }
  return kExitOk;
}

int runLab(const std::vector<std::string>& args) {
  if (args.size() == 2 && args[0] == "xdp-pass") return attachXdpPass(args[1]);
  std::error_code ec;
  std::string self = fs::read_symlink("/proc/self/exe", ec).string();
  std::string script = labScript(self);
  if (script.empty()) {
    printErrors({"lab: the lab tool (meshfwd-lab.sh) is not installed next to this binary; set MESHFWD_LAB_SCRIPT"});
    return kExitFailed;
  }
  ::setenv("MESHFWD", self.c_str(), 1);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>("bash"));
  argv.push_back(script.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execv("/bin/bash", argv.data());
  printErrors({"lab: cannot run /bin/bash " + script + ": " + std::strerror(errno)});
  return kExitFailed;
}

}  // namespace

void registerLabCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("lab", "The seed's whole network in namespaces: up, down, status, exec, demo");
  cmd->prefix_command();  // everything after `lab` belongs to the lab tool
  cmd->set_help_flag();   // so does --help: `meshfwd lab help`
  cmd->footer("Run `meshfwd lab help` for the verbs.\n");
  cmd->callback([cmd] {
    std::vector<std::string> args = cmd->remaining();
    if (int status = runLab(args); status != kExitOk) throw CLI::RuntimeError(status);
  });
}

}  // namespace meshfwd::cli
