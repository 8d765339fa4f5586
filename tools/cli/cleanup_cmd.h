// meshfwd cleanup: what a dead edge daemon leaves behind.
#pragma once

#include <CLI/CLI.hpp>

namespace meshfwd::cli {

void registerCleanupCommand(CLI::App& app);

}  // namespace meshfwd::cli
