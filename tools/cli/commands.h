// The verbs of `meshfwd`, one file each. A verb registers its subcommand and
// runs from the subcommand's callback; it ends with a non-zero exit status
// by throwing CLI::RuntimeError(status), which cli.cc turns into the
// process's exit status.
#pragma once

#include <CLI/CLI.hpp>

namespace meshfwd::cli {

// Exit statuses, documented in `meshfwd --help`; the namespace tests rely on them.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;       // the operation failed; nothing was left half done
inline constexpr int kExitUsage = 2;        // invalid arguments or configuration; nothing was changed
inline constexpr int kExitNotAttached = 3;  // status/stats/log: no meshfwd datapath in this namespace

void registerAttachCommand(CLI::App& app);
void registerDetachCommand(CLI::App& app);
void registerStatusCommand(CLI::App& app);
void registerStatsCommand(CLI::App& app);
void registerLogCommand(CLI::App& app);
void registerRunCommand(CLI::App& app);

// Accepts a number greater than 0 ("--watch: 0 is not a number greater than 0").
CLI::Validator positiveNumber();

// Prints "meshfwd: error: <line>" to stderr for each line.
void printErrors(const std::vector<std::string>& lines);
void printWarnings(const std::vector<std::string>& lines);

}  // namespace meshfwd::cli
