// The benchmark's subcommands beyond the verdict-path table (issue 9):
// `forward` (the forwarding comparison in namespaces) and `scaling` (policy
// lookup, map sync and map memory by site count). Each registers itself on
// the app; main() runs the one that was chosen.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>

namespace meshfwd::bench {

// A registered subcommand: selected() after parsing, then run() -> exit status.
struct BenchCommand {
  CLI::App* sub = nullptr;
  std::function<int()> run;
  bool selected() const { return sub && sub->parsed(); }
};

std::shared_ptr<BenchCommand> addForwardCommand(CLI::App& app);
std::shared_ptr<BenchCommand> addScalingCommand(CLI::App& app);

}  // namespace meshfwd::bench
