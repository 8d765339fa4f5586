// `meshfwd-bench control` (issue 5): the control plane's figures, today the
// reload-to-datapath latency of the real daemon. Registered on the app by
// main(), which runs it when it was chosen; without it the default
// verdict-path table runs as before.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>

#include "tools/bench/bench_commands.h"

namespace meshfwd::bench {

std::shared_ptr<BenchCommand> addControlCommand(CLI::App& app);

}  // namespace meshfwd::bench
