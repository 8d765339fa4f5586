// Running a shell command line and keeping what it printed, for the unit
// tests that check the built CLI and the system tools (systemd-analyze)
// without root or namespaces (tests/support/ns_command.h runs argv vectors
// inside namespaces).
#pragma once

#include <string>

namespace meshfwd::test {

struct ShellOutcome {
  int status = -1;  // the exit status; -1 when it died of a signal or never ran
  std::string out;  // stdout and stderr together, in the order printed
};

ShellOutcome runShell(const std::string& commandLine);

}  // namespace meshfwd::test
