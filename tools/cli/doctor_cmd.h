// meshfwd doctor --host IF: checks a server's IPv6 settings for the edge's
// Router Advertisements and says what to change (userspace/host_doctor.h).
#pragma once

#include <CLI/CLI.hpp>

namespace meshfwd::cli {

void registerDoctorCommand(CLI::App& app);

}  // namespace meshfwd::cli
