// The CLI's documented contract (exit statuses, one "meshfwd: error:" line
// per problem) checked on the real binary. Only invocations that stop
// before touching the datapath: these run without root.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/shell_run.h"

namespace {

using Outcome = meshfwd::test::ShellOutcome;

Outcome runMeshfwd(const std::string& args) {
  return meshfwd::test::runShell(std::string(MESHFWD_BINARY) + " " + args);
}

TEST(CliExitStatus, VersionIsZero) {
  Outcome o = runMeshfwd("--version");
  EXPECT_EQ(o.status, 0);
  EXPECT_EQ(o.out.rfind("meshfwd 0.1.0 (BPF ABI ", 0), 0u) << o.out;
}

TEST(CliExitStatus, NoVerbIsUsage) { EXPECT_EQ(runMeshfwd("").status, 2); }

TEST(CliExitStatus, UnknownVerbOrFlagIsUsage) {
  EXPECT_EQ(runMeshfwd("frobnicate").status, 2);
  EXPECT_EQ(runMeshfwd("stats --bogus").status, 2);
}

TEST(CliExitStatus, InvalidAttachIsUsageWithOneLinePerError) {
  Outcome o = runMeshfwd("attach --role router lo");
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.out.find("meshfwd: error: --role: unknown role 'router' (expected relay or edge)\n"), std::string::npos)
      << o.out;

  o = runMeshfwd("attach --role relay --tunnel lo --mesh-prefix fd00::/56 --ports 9-1 meshfwd-no-such-if");
  EXPECT_EQ(o.status, 2);
  for (const char* line : {"meshfwd: error: --mesh-prefix: fd00::/56 is not a /48\n",
                           "meshfwd: error: --ports: 9-1 is empty (LO 9 > HI 1)\n",
                           "meshfwd: error: UPLINK: interface 'meshfwd-no-such-if' does not exist\n"})
    EXPECT_NE(o.out.find(line), std::string::npos) << "missing: " << line << "in:\n" << o.out;
}

TEST(CliExitStatus, ExclusiveStatsFormatsAreUsage) {
  Outcome o = runMeshfwd("stats --json --prometheus");
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.out, "meshfwd: error: --json and --prometheus exclude each other\n");
  o = runMeshfwd("stats --watch 0");
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.out.find("--watch: 0 is not a number greater than 0"), std::string::npos) << o.out;
}

TEST(CliExitStatus, HelpDocumentsTheExitStatuses) {
  Outcome o = runMeshfwd("--help");
  EXPECT_EQ(o.status, 0);
  EXPECT_NE(o.out.find("Exit status: 0 success; 1 the operation failed"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("3 nothing attached in this network namespace"), std::string::npos);
}

}  // namespace
