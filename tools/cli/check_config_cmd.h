// meshfwd check-config [FILE]: loads a config the way the daemon would and
// reports every problem in it, or a one-line summary when there is none.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "userspace/config.h"

namespace meshfwd::cli {

void registerCheckConfigCommand(CLI::App& app);

// "FILE: ok (role relay, tunnel wg0, uplink eth0, mesh fd00::/48, ports
// 58000-60000)": what the operator needs to see to know the right file was
// read.
std::string configSummary(const std::string& path, const Config& config);

}  // namespace meshfwd::cli
