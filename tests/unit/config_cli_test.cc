// `meshfwd check-config` and `meshfwd render-nft`, run as the operator runs
// them: the installed binary, its output and its exit status.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>

#include "tests/support/scratch_file.h"
#include "tools/cli/check_config_cmd.h"
#include "userspace/config_file.h"
#include "userspace/nft_render.h"

namespace meshfwd {
namespace {

using ::testing::HasSubstr;

struct CommandRun {
  int status = -1;
  std::string out;
  std::string err;
};

CommandRun meshfwd(const std::string& args) {
  test::ScratchFile err("config_cli_test", ".err");
  std::string command = std::string(MESHFWD_BINARY) + " " + args + " 2>" + err.path();
  CommandRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return run;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) run.out.append(buffer, n);
  int status = pclose(pipe);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.err = err.read();
  return run;
}

std::string example(const std::string& name) { return std::string(MESHFWD_SOURCE_DIR) + "/tools/examples/" + name + ".toml"; }

TEST(ConfigCheckCommand, GoodFilesExitZeroWithASummary) {
  CommandRun r = meshfwd("check-config " + example("relay"));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, example("relay") +
                       ": ok (role relay, tunnel wgvpnr01, uplink eth0, mesh fd12:3456:789a::/48, ports 58000-60000)\n");
  r = meshfwd("check-config " + example("edge"));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, example("edge") +
                       ": ok (role edge, lan eth1, tunnel wgvpnr01, uplink eth0, mesh fd12:3456:789a::/48, site "
                       "fd12:3456:789a:a::/64, ports 58000-60000)\n");
}

TEST(ConfigCheckCommand, BadFilePrintsEveryErrorAndExitsOne) {
  test::ScratchFile file("config_cli_test", ".toml");
  const std::string& path = file.path();
  file.write("role = \"relay\"\n[interfaces]\nuplink = \"eth0\"\ntunnel = \"eth0\"\n[mesh]\n"
             "prefix = \"fd00::/64\"\n[guard]\nhandshake_rate_limt = true\n");
  CommandRun r = meshfwd("check-config " + path);
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, path + ":4:10: interface 'eth0' is named twice, as uplink and as tunnel\n" + path +
                       ":6:10: mesh prefix fd00::/64 must be a /48, not a /64\n" + path +
                       ":8:1: unknown key 'handshake_rate_limt' in [guard]; did you mean 'handshake_rate_limit'?\n"
                       "meshfwd: error: " + path + ": 3 errors\n");
}

TEST(ConfigCheckCommand, MissingFileExitsOne) {
  CommandRun r = meshfwd("check-config /nonexistent/meshfwd.toml");
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("/nonexistent/meshfwd.toml: cannot read the config file: No such file or directory\n"));
}

TEST(ConfigCheckCommand, SummaryNamesWhatWasRead) {
  Config c;
  c.tunnel = "wg0";
  c.uplink = "eth0";
  c.meshPrefix = *Ipv6Prefix::parse("fd00::/48");
  EXPECT_EQ(cli::configSummary("f.toml", c),
            "f.toml: ok (role relay, tunnel wg0, uplink eth0, mesh fd00::/48, ports 58000-60000)");
}

TEST(RenderNftCommand, PrintsTheRendererOutputForTheConfig) {
  CommandRun r = meshfwd("render-nft --role edge --config " + example("edge"));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, renderInputRuleset(*loadConfigFile(example("edge")).config));
}

TEST(RenderNftCommand, ListenPortFlagFillsTheHole) {
  test::ScratchFile file("config_cli_test_noport", ".toml");
  const std::string& path = file.path();
  file.write("role = \"relay\"\n[interfaces]\nuplink = \"eth0\"\ntunnel = \"wg0\"\n[mesh]\n"
             "prefix = \"fd00::/48\"\n");
  CommandRun r = meshfwd("render-nft --role relay --config " + path);
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("nothing rendered: the WireGuard listen port is left to run time"));
  r = meshfwd("render-nft --role relay --listen-port 51999 --config " + path);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("define vpn_routing_wireguard_port = 51999\n"));
}

TEST(RenderNftCommand, RoleFlagOverridesTheFileAndIsValidatedAsSuch) {
  CommandRun r = meshfwd("render-nft --role edge --config " + example("relay"));
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("missing [interfaces] lan (the site's link): role edge needs it"));
  EXPECT_THAT(r.err, HasSubstr("[guard] applies to role relay only"));
}

}  // namespace
}  // namespace meshfwd
