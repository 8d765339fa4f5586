// `meshfwd-bench failover` (issue 7): registers the subcommand; main()
// runs it when chosen (bench_commands.h).
#pragma once

#include "tools/bench/bench_commands.h"

namespace meshfwd::bench {

std::shared_ptr<BenchCommand> addFailoverCommand(CLI::App& app);

}  // namespace meshfwd::bench
