#include "tools/cli/doctor_cmd.h"

#include <cstdio>
#include <memory>

#include "tools/cli/commands.h"
#include "userspace/host_doctor.h"

namespace meshfwd::cli {

void registerDoctorCommand(CLI::App& app) {
  auto ifname = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("doctor", "Check a server's IPv6 settings for the edge's Router Advertisements");
  cmd->add_option("--host", *ifname, "the server's LAN interface")->required();
  cmd->footer(
      "Checks accept_ra (2 when forwarding), accept_ra_rt_info_max_plen >= 48, autoconf, use_tempaddr and a\n"
      "stable address mode, and prints the sysctl or systemd-networkd lines to change.\n"
      "Exit status: 0 nothing to change; 1 something must change.");
  cmd->callback([ifname] {
    DoctorReport report = checkHost(SystemHostFacts{}, *ifname);
    std::fputs(formatReport(report).c_str(), stdout);
    if (report.mustChange()) throw CLI::RuntimeError(kExitFailed);
  });
}

}  // namespace meshfwd::cli
