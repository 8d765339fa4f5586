// meshfwd detach: remove what meshfwd attached in this network namespace.
#include <cstdio>

#include "loader/datapath.h"
#include "tools/cli/commands.h"
#include "userspace/capabilities.h"

namespace meshfwd::cli {

namespace {

int runDetach() {
  if (auto missing = missingForAttach(currentCapabilities()); !missing.empty()) {
    std::string names;
    for (const auto& m : missing) names += (names.empty() ? "" : ", ") + m;
    printErrors({"detach needs root or CAP_BPF and CAP_NET_ADMIN; missing " + names});
    return kExitUsage;
  }
  std::string error = loader::detach();
  if (!error.empty()) {
    printErrors({error});
    return kExitFailed;
  }
  std::printf("detached\n");
  return kExitOk;
}

}  // namespace

void registerDetachCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("detach", "Remove meshfwd's programs, filters, qdisc and pins from this namespace");
  cmd->footer("Prints 'detached' (also when nothing was attached).\nExit status: 0 detached; 1 failed; 2 missing privileges.\n");
  cmd->callback([] {
    if (int status = runDetach(); status != kExitOk) throw CLI::RuntimeError(status);
  });
}

}  // namespace meshfwd::cli
