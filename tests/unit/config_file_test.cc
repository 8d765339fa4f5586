// meshfwd.toml parsing: good files for both roles, and each error the
// parser owns (syntax, types, unknown keys, value formats, the seed's
// keepalived typo) with its exact message and position.
#include <gmock/gmock.h>
#include <gtest/gtest.h>


#include "tests/support/scratch_file.h"
#include "userspace/config_file.h"

namespace meshfwd {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> errorsOf(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& e : parseConfig(text, "t.toml").errors) out.push_back(e.str());
  return out;
}

constexpr std::string_view kGoodRelay = R"(role = "relay"
[interfaces]
uplink = "eth0"
uplink_mtu = 1500
tunnel = "wg0"
tunnel_listen_port = 51820
[mesh]
prefix = "fd00:1:2::/48"
port_range = "50000-50100"
allowed_icmpv6_types = [128, "echo-reply", "packet-too-big"]
[icmp]
error_rate_limit = 50
error_burst = 5
error_source = "fd00:ffff::1"
[guard]
enabled = true
handshake_rate_limit = true
handshake_rate = 7
handshake_burst = 9
[metrics]
listen = "[::1]:9100"
)";

TEST(ConfigFile, GoodRelayFillsEveryField) {
  ConfigLoad load = parseConfig(kGoodRelay, "t.toml");
  ASSERT_THAT(load.errors, IsEmpty());
  ASSERT_TRUE(load.ok());
  const Config& c = *load.config;
  EXPECT_EQ(c.role, Role::Relay);
  EXPECT_EQ(c.uplink, "eth0");
  EXPECT_EQ(c.uplinkMtu, 1500u);
  EXPECT_EQ(c.tunnel, "wg0");
  EXPECT_EQ(c.guard.listenPort, 51820);
  EXPECT_EQ(c.meshPrefix.str(), "fd00:1:2::/48");
  EXPECT_FALSE(c.sitePrefix.has_value());
  EXPECT_EQ(c.ports.lo, 50000);
  EXPECT_EQ(c.ports.hi, 50100);
  EXPECT_EQ(c.allowedIcmpTypes, (std::set<uint8_t>{2, 128, 129}));
  EXPECT_EQ(c.icmpErrors.perSecond, 50u);
  EXPECT_EQ(c.icmpErrors.burst, 5u);
  ASSERT_TRUE(c.icmpSource.has_value());
  EXPECT_EQ(c.icmpSource->str(), "fd00:ffff::1");
  EXPECT_TRUE(c.guard.enabled);
  EXPECT_TRUE(c.guard.handshakeRateLimit);
  EXPECT_EQ(c.guard.handshake.perSecond, 7u);
  EXPECT_EQ(c.guard.handshake.burst, 9u);
  EXPECT_EQ(c.metricsListen, "[::1]:9100");
}

TEST(ConfigFile, GoodEdgeAndDefaultsForWhatIsLeftOut) {
  ConfigLoad load = parseConfig(R"(role = "edge"
[interfaces]
lan = "eth1"
tunnel = "wg0"
[mesh]
prefix = "fd00:1:2::/48"
site_prefix = "fd00:1:2:a::/64"
port_range = "58000"
source_validation = false
)",
                                "t.toml");
  ASSERT_THAT(load.errors, IsEmpty());
  const Config& c = *load.config;
  EXPECT_EQ(c.role, Role::Edge);
  EXPECT_EQ(c.lan, "eth1");
  EXPECT_EQ(c.uplink, "");  // single NIC
  EXPECT_FALSE(c.uplinkMtu.has_value());
  ASSERT_TRUE(c.sitePrefix.has_value());
  EXPECT_EQ(c.sitePrefix->str(), "fd00:1:2:a::/64");
  EXPECT_EQ(c.ports.lo, 58000);  // one port is a range of one
  EXPECT_EQ(c.ports.hi, 58000);
  EXPECT_FALSE(c.sourceValidation);
  // Left out: Config's defaults.
  const Config defaults;
  EXPECT_EQ(c.allowedIcmpTypes, defaults.allowedIcmpTypes);
  EXPECT_EQ(c.icmpErrors.perSecond, defaults.icmpErrors.perSecond);
  EXPECT_EQ(c.metricsListen, "127.0.0.1:9469");
  EXPECT_EQ(c.guard.listenPort, 0);
}

TEST(ConfigFile, SyntaxErrorHasItsPosition) {
  EXPECT_THAT(errorsOf("role = \"edge\"\n[mesh\nprefix = 1\n"),
              ElementsAre("t.toml:2:6: TOML syntax error: Error while parsing table header: expected ']', saw '\\n'"));
  EXPECT_THAT(errorsOf("role = \"relay\"\nrole = \"edge\"\n"),
              ElementsAre("t.toml:2:8: TOML syntax error: Error while parsing key-value pair: cannot redefine existing "
                          "string 'role'"));
}

TEST(ConfigFile, WrongTypesAreReportedAtTheValue) {
  EXPECT_THAT(errorsOf(R"(role = "relay"
[interfaces]
uplink = "eth0"
tunnel = 5
uplink_mtu = "1500"
[guard]
enabled = "yes"
[mesh]
prefix = ["fd00::/48"]
port_range = 58000
allowed_icmpv6_types = 128
[icmp]
error_rate_limit = 1.5
metrics = 1
)"),
              ElementsAre("t.toml:4:10: [interfaces] tunnel must be a string, not an integer",
                          "t.toml:5:14: [interfaces] uplink_mtu must be an integer, not a string",
                          "t.toml:7:11: [guard] enabled must be a boolean (true or false), not a string",
                          "t.toml:9:10: [mesh] prefix must be a string, not an array",
                          "t.toml:10:14: [mesh] port_range must be a string, not an integer",
                          "t.toml:11:24: [mesh] allowed_icmpv6_types must be an array, not an integer",
                          "t.toml:13:20: [icmp] error_rate_limit must be an integer, not a floating-point number",
                          "t.toml:14:1: unknown key 'metrics' in [icmp]; did you mean [metrics]?"));
}

TEST(ConfigFile, SectionThatIsNotATable) {
  EXPECT_THAT(errorsOf("role = \"relay\"\ninterfaces = \"eth0\"\n[mesh]\nprefix = \"fd00::/48\"\n"),
              ElementsAre("t.toml:2:14: interfaces must be a table ([interfaces]), not a string"));
}

TEST(ConfigFile, UnknownKeysSuggestTheNearestKnownOne) {
  EXPECT_THAT(errorsOf(R"(role = "relay"
lan = "eth1"
[interfaces]
uplink = "eth0"
tunel = "wg0"
[mesh]
prefix = "fd00::/48"
[guard]
handshake_rate_limt = true
colour = "blue"
[interface]
)"),
              ElementsAre("t.toml:2:1: unknown key 'lan' at the top level; did you mean [interfaces] lan?",
                          "t.toml:3:1: missing [interfaces] tunnel (the WireGuard routing tunnel): role relay needs it",
                          "t.toml:5:1: unknown key 'tunel' in [interfaces]; did you mean 'tunnel'?",
                          "t.toml:9:1: unknown key 'handshake_rate_limt' in [guard]; did you mean 'handshake_rate_limit'?",
                          "t.toml:10:1: unknown key 'colour' in [guard]",
                          "t.toml:11:2: unknown section [interface]; did you mean [interfaces]?"));
}

TEST(ConfigFile, TheSeedsKeepalivedTypoIsCaught) {
  // keepalived ignores `nopreemt` and keeps preempting; here it is an error.
  EXPECT_THAT(errorsOf(R"(role = "edge"
[interfaces]
lan = "eth1"
tunnel = "wg0"
[mesh]
prefix = "fd00::/48"
site_prefix = "fd00:0:0:1::/64"
[vrrp]
virtual_router_id = 7
virtual_address = "fe80::7"
nopreemt = true
)"),
              ::testing::Contains("t.toml:11:1: unknown key 'nopreemt' in [vrrp]; did you mean 'preempt'?"));
}

TEST(ConfigFile, RoleValue) {
  EXPECT_THAT(errorsOf("role = \"edg\"\n"),
              ElementsAre("t.toml:1:8: role must be \"relay\" or \"edge\", not \"edg\"; did you mean \"edge\"?"));
  EXPECT_THAT(errorsOf("role = \"router\"\n"),
              ElementsAre("t.toml:1:8: role must be \"relay\" or \"edge\", not \"router\""));
  EXPECT_THAT(errorsOf("# nothing\n"), ElementsAre("t.toml:1:1: missing role: set role = \"relay\" or role = \"edge\""));
}

TEST(ConfigFile, PrefixAndAddressSyntax) {
  EXPECT_THAT(errorsOf(R"(role = "edge"
[interfaces]
lan = "eth1"
tunnel = "wg0"
[mesh]
prefix = "fd00::1/48"
site_prefix = "fd00:0:0:1::"
[icmp]
error_source = "fd00::/64"
)"),
              ElementsAre("t.toml:6:10: [mesh] prefix: 'fd00::1/48' has host bits set (did you mean fd00::/48?)",
                          "t.toml:7:15: [mesh] site_prefix: 'fd00:0:0:1::' has no prefix length",
                          "t.toml:9:16: [icmp] error_source: 'fd00::/64' is not an IPv6 address"));
}

TEST(ConfigFile, PortRangeSyntax) {
  auto withRange = [](const std::string& range) {
    return errorsOf("role = \"relay\"\n[interfaces]\nuplink = \"eth0\"\ntunnel = \"wg0\"\n[mesh]\n"
                    "prefix = \"fd00::/48\"\nport_range = \"" + range + "\"\n");
  };
  EXPECT_THAT(withRange(""),
              ElementsAre("t.toml:7:14: [mesh] port_range is empty: write FIRST-LAST, e.g. \"58000-60000\""));
  EXPECT_THAT(withRange("58000-"),
              ElementsAre("t.toml:7:14: [mesh] port_range \"58000-\" is not a port range: write FIRST-LAST, e.g. "
                          "\"58000-60000\""));
  EXPECT_THAT(withRange("58000-70000"),
              ElementsAre("t.toml:7:14: [mesh] port_range \"58000-70000\": 70000 is not a port (0-65535)"));
  EXPECT_THAT(withRange(" 1-2"), ElementsAre("t.toml:7:14: [mesh] port_range \" 1-2\" is not a port range: write "
                                             "FIRST-LAST, e.g. \"58000-60000\""));
}

TEST(ConfigFile, IntegerRanges) {
  EXPECT_THAT(errorsOf(R"(role = "relay"
[interfaces]
uplink = "eth0"
tunnel = "wg0"
tunnel_listen_port = 70000
uplink_mtu = 65536
[mesh]
prefix = "fd00::/48"
[icmp]
error_rate_limit = 0
error_burst = 100001
[guard]
handshake_rate = 0
handshake_burst = -1
)"),
              ElementsAre("t.toml:5:22: [interfaces] tunnel_listen_port must be between 0 and 65535, not 70000",
                          "t.toml:6:14: [interfaces] uplink_mtu must be between 68 and 65535, not 65536",
                          "t.toml:10:20: [icmp] error_rate_limit must be between 1 and 100000, not 0",
                          "t.toml:11:15: [icmp] error_burst must be between 1 and 100000, not 100001",
                          "t.toml:13:18: [guard] handshake_rate must be between 1 and 1000000, not 0",
                          "t.toml:14:19: [guard] handshake_burst must be between 1 and 1000000, not -1"));
}

TEST(ConfigFile, IcmpTypeListEntries) {
  EXPECT_THAT(errorsOf(R"(role = "relay"
[interfaces]
uplink = "eth0"
tunnel = "wg0"
[mesh]
prefix = "fd00::/48"
allowed_icmpv6_types = [128, "echo-requets", 300, true, "echo-request"]
)"),
              ElementsAre("t.toml:7:30: [mesh] allowed_icmpv6_types: unknown ICMPv6 type name \"echo-requets\"; did "
                          "you mean \"echo-request\"?",
                          "t.toml:7:46: [mesh] allowed_icmpv6_types: 300 is not an ICMPv6 type (0-255)",
                          "t.toml:7:51: [mesh] allowed_icmpv6_types entries must be type numbers or nft names, not a "
                          "boolean",
                          "t.toml:7:57: [mesh] allowed_icmpv6_types: ICMPv6 type 128 (echo-request) is listed twice"));
}

TEST(ConfigFile, EveryErrorIsReportedNotOnlyTheFirst) {
  // One mistake of each stage in one file: all come back, in file order.
  ConfigLoad load = parseConfig(R"(role = "relay"
[interfaces]
uplink = "eth0"
uplink_mtu = 1400
tunnel = "eth0"
[mesh]
prefix = "fd00::/64"
port_range = "60000-58000"
bogus = 1
[metrics]
listen = "localhost:9469"
)",
                                "t.toml");
  EXPECT_FALSE(load.ok());
  std::vector<std::string> got;
  for (const auto& e : load.errors) got.push_back(e.str());
  EXPECT_THAT(got, ElementsAre(
                       "t.toml:4:14: uplink MTU 1400 leaves the routing tunnel 1320 and the mesh 1240, below IPv6's "
                       "minimum of 1280: the uplink MTU must be at least 1440",
                       "t.toml:5:10: interface 'eth0' is named twice, as uplink and as tunnel",
                       "t.toml:7:10: mesh prefix fd00::/64 must be a /48, not a /64",
                       "t.toml:8:14: port range 60000-58000 is inverted: the first port is above the last",
                       "t.toml:9:1: unknown key 'bogus' in [mesh]",
                       "t.toml:11:10: metrics address 'localhost:9469': 'localhost' is not an IPv4 address (write "
                       "IPv6 as [addr]:port; host names are not accepted)"));
}

// Non-ASCII is fine in comments only: toml++ 3.3 reaches undefined
// behaviour on some such characters elsewhere (found by tests/fuzz).
TEST(ConfigFile, NonAsciiOnlyInComments) {
  EXPECT_THAT(errorsOf("# Müller's relay, Москва\nrole = \"relay\" # ё\n[interfaces]\nuplink = \"eth0\"\n"
                       "tunnel = \"wg0\"\n[mesh]\nprefix = \"fd00::/48\"\n"),
              IsEmpty());
  const std::string message = ": non-ASCII character outside a comment (keys and values are ASCII)";
  EXPECT_THAT(errorsOf("role = \"relay\"\xd2\x89\n"), ElementsAre("t.toml:1:15" + message));
  EXPECT_THAT(errorsOf("role = \"réla\"\n"), ElementsAre("t.toml:1:10" + message));
  // A '#' inside a string starts no comment; an escaped quote ends no string.
  EXPECT_THAT(errorsOf("role = \"a#b\\\"é\"\n"), ElementsAre("t.toml:1:14" + message));
  EXPECT_THAT(errorsOf("role = '''x\n# é'''\n"), ElementsAre("t.toml:2:3" + message));
}

TEST(ConfigFile, ErrorFormat) {
  EXPECT_EQ((ConfigError{"/etc/meshfwd/meshfwd.toml", 3, 7, "boom"}).str(), "/etc/meshfwd/meshfwd.toml:3:7: boom");
  EXPECT_EQ((ConfigError{"--tunnel", 0, 0, "boom"}).str(), "--tunnel: boom");
}

TEST(ConfigFile, UnreadableFileIsOneError) {
  ConfigLoad load = loadConfigFile("/nonexistent/meshfwd.toml");
  ASSERT_EQ(load.errors.size(), 1u);
  EXPECT_EQ(load.errors[0].str(), "/nonexistent/meshfwd.toml: cannot read the config file: No such file or directory");
  load = loadConfigFile("/");
  ASSERT_EQ(load.errors.size(), 1u);
  EXPECT_EQ(load.errors[0].str(), "/: cannot read the config file: Is a directory");
}

TEST(ConfigFile, LoadsFromDiskWithThePathInErrors) {
  test::ScratchFile file("config_file_test", ".toml");
  const std::string& path = file.path();
  file.write("role = \"relay\"\n[interfaces]\nuplink = \"eth0\"\ntunnel = 7\n[mesh]\nprefix = \"fd00::/48\"\n");
  ConfigLoad load = loadConfigFile(path);
  ASSERT_EQ(load.errors.size(), 1u);
  EXPECT_EQ(load.errors[0].str(), path + ":4:10: [interfaces] tunnel must be a string, not an integer");
}

}  // namespace
}  // namespace meshfwd
