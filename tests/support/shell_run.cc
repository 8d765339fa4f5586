#include "tests/support/shell_run.h"

#include <sys/wait.h>

#include <cstdio>

namespace meshfwd::test {

ShellOutcome runShell(const std::string& commandLine) {
  ShellOutcome o;
  FILE* p = popen((commandLine + " 2>&1").c_str(), "r");
  if (!p) return o;
  char buf[512];
  while (size_t n = fread(buf, 1, sizeof buf, p)) o.out.append(buf, n);
  int raw = pclose(p);
  o.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return o;
}

}  // namespace meshfwd::test
