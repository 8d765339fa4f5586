// `meshfwd lab`: the verb finds the lab tool next to this build and passes
// everything after `lab` to it; the tool's argument errors. Only what runs
// without root and without building a lab (tests/e2e builds one).
#include <gtest/gtest.h>

#include <string>

#include "tests/support/shell_run.h"

namespace {

using meshfwd::test::runShell;
using Outcome = meshfwd::test::ShellOutcome;

const std::string kMeshfwd = MESHFWD_BINARY;

TEST(CliLab, HelpListsTheVerbsAndTheNodes) {
  Outcome o = runShell(kMeshfwd + " lab help");
  EXPECT_EQ(o.status, 0) << o.out;
  for (const char* verb : {"up", "down", "status", "exec NODE CMD...", "demo", "link NODE down|up"})
    EXPECT_NE(o.out.find(verb), std::string::npos) << verb << " missing from:\n" << o.out;
  EXPECT_NE(o.out.find("server-b2"), std::string::npos) << o.out;
}

TEST(CliLab, UnknownVerbIsUsage) {
  Outcome o = runShell(kMeshfwd + " lab frobnicate");
  EXPECT_EQ(o.status, 2) << o.out;
  EXPECT_NE(o.out.find("usage: meshfwd lab VERB"), std::string::npos) << o.out;
}

TEST(CliLab, PrefixTooLongForInterfaceNamesIsRefused) {
  Outcome o = runShell("MESHFWD_LAB_PREFIX=muchtoolong " + kMeshfwd + " lab env");
  EXPECT_EQ(o.status, 1) << o.out;
  EXPECT_NE(o.out.find("MESHFWD_LAB_PREFIX 'muchtoolong' must be 1-6"), std::string::npos) << o.out;
}

TEST(CliLab, EnvOfALabThatIsNotUpSaysSo) {
  Outcome o = runShell("MESHFWD_LAB_PREFIX=mlunit MESHFWD_LAB_STATE_ROOT=/nonexistent " + kMeshfwd + " lab env");
  EXPECT_EQ(o.status, 1) << o.out;
  EXPECT_NE(o.out.find("no lab 'mlunit' is up"), std::string::npos) << o.out;
}

TEST(CliLab, XdpPassNamesAMissingInterface) {
  Outcome o = runShell(kMeshfwd + " lab xdp-pass meshfwd-no-such-if");
  EXPECT_EQ(o.status, 2) << o.out;
  EXPECT_NE(o.out.find("no interface meshfwd-no-such-if"), std::string::npos) << o.out;
}

}  // namespace
