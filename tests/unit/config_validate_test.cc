// Validation of the relations between config values: the MTU chain,
// prefixes, ports, interfaces, role requirements, ICMPv6 types, the metrics
// address, with exact messages and the key each one points at.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "userspace/config_file.h"
#include "userspace/config_validate.h"

namespace meshfwd {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> errorsOf(std::string_view text, const ConfigOverrides& overrides = {}) {
  std::vector<std::string> out;
  for (const auto& e : parseConfig(text, "t.toml", overrides).errors) out.push_back(e.str());
  return out;
}

// Line 1-7 of a good relay; a test appends what it checks from line 8 on.
constexpr std::string_view kRelayHead = R"(role = "relay"
[interfaces]
uplink = "eth0"
tunnel = "wg0"
[mesh]
prefix = "fd00:1:2::/48"
port_range = "58000-60000"
)";

std::string relayWith(std::string_view tail) { return std::string(kRelayHead) + std::string(tail); }

TEST(ConfigValidate, MtuChainNeedsUplinkAtLeast1440) {
  auto withMtu = [](int mtu) {
    return errorsOf("role = \"relay\"\n[interfaces]\nuplink = \"eth0\"\nuplink_mtu = " + std::to_string(mtu) +
                    "\ntunnel = \"wg0\"\n[mesh]\nprefix = \"fd00::/48\"\n");
  };
  EXPECT_THAT(withMtu(1440), IsEmpty());
  EXPECT_THAT(withMtu(9000), IsEmpty());
  EXPECT_THAT(withMtu(1439),
              ElementsAre("t.toml:4:14: uplink MTU 1439 leaves the routing tunnel 1359 and the mesh 1279, below "
                          "IPv6's minimum of 1280: the uplink MTU must be at least 1440"));
  EXPECT_THAT(withMtu(100),
              ElementsAre("t.toml:4:14: uplink MTU 100 leaves the routing tunnel 20 and the mesh -60, below "
                          "IPv6's minimum of 1280: the uplink MTU must be at least 1440"));
  EXPECT_EQ(kMinUplinkMtu, 1440u);
  EXPECT_FALSE(mtuChainProblem(1440).has_value());
  EXPECT_TRUE(mtuChainProblem(1439).has_value());
}

TEST(ConfigValidate, MeshPrefixMustBeA48) {
  EXPECT_THAT(errorsOf("role = \"relay\"\n[interfaces]\nuplink = \"eth0\"\ntunnel = \"wg0\"\n[mesh]\n"
                       "prefix = \"fd00:1::/32\"\n"),
              ElementsAre("t.toml:6:10: mesh prefix fd00:1::/32 must be a /48, not a /32"));
}

TEST(ConfigValidate, SitePrefixMustBeA64InsideTheMesh) {
  auto edgeWithSite = [](const std::string& site) {
    return errorsOf("role = \"edge\"\n[interfaces]\nlan = \"eth1\"\ntunnel = \"wg0\"\n[mesh]\n"
                    "prefix = \"fd00:1:2::/48\"\nsite_prefix = \"" + site + "\"\n");
  };
  EXPECT_THAT(edgeWithSite("fd00:1:2:ffff::/64"), IsEmpty());
  EXPECT_THAT(edgeWithSite("fd00:1:3:a::/64"),
              ElementsAre("t.toml:7:15: site prefix fd00:1:3:a::/64 is outside the mesh prefix fd00:1:2::/48"));
  EXPECT_THAT(edgeWithSite("fd00:1:2:a00::/56"),
              ElementsAre("t.toml:7:15: site prefix fd00:1:2:a00::/56 must be a /64, not a /56"));
}

TEST(ConfigValidate, PortRangeInvertedOrZero) {
  EXPECT_THAT(errorsOf(relayWith("[guard]\nenabled = true\n")), IsEmpty());
  std::string inverted(kRelayHead);
  inverted.replace(inverted.find("58000-60000"), 11, "60000-58000");
  EXPECT_THAT(errorsOf(inverted),
              ElementsAre("t.toml:7:14: port range 60000-58000 is inverted: the first port is above the last"));
  std::string zero(kRelayHead);
  zero.replace(zero.find("58000-60000"), 11, "0-10");
  EXPECT_THAT(errorsOf(zero),
              ElementsAre("t.toml:7:14: port range 0-10 includes port 0, which no socket listens on"));
}

TEST(ConfigValidate, InterfaceNamedTwiceIsReportedAtTheRepeat) {
  EXPECT_THAT(errorsOf("role = \"relay\"\n[interfaces]\nuplink = \"wg0\"\ntunnel = \"wg0\"\n[mesh]\n"
                       "prefix = \"fd00::/48\"\n"),
              ElementsAre("t.toml:4:10: interface 'wg0' is named twice, as uplink and as tunnel"));
  EXPECT_THAT(errorsOf("role = \"edge\"\n[interfaces]\nuplink = \"eth0\"\nlan = \"eth0\"\ntunnel = \"wg0\"\n"
                       "[mesh]\nprefix = \"fd00::/48\"\nsite_prefix = \"fd00:0:0:1::/64\"\n"),
              ElementsAre("t.toml:4:7: interface 'eth0' is named twice, as uplink and as lan (a single-NIC edge "
                          "leaves uplink out)"));
  EXPECT_THAT(errorsOf("role = \"edge\"\n[interfaces]\nlan = \"wg0\"\ntunnel = \"wg0\"\n"
                       "[mesh]\nprefix = \"fd00::/48\"\nsite_prefix = \"fd00:0:0:1::/64\"\n"),
              ElementsAre("t.toml:3:7: interface 'wg0' is named twice, as tunnel and as lan"));
}

TEST(ConfigValidate, InterfaceNames) {
  EXPECT_THAT(errorsOf("role = \"relay\"\n[interfaces]\nuplink = \"\"\ntunnel = \"wireguard-routing0\"\n"
                       "[mesh]\nprefix = \"fd00::/48\"\n"),
              ElementsAre("t.toml:3:10: interface name is empty",
                          "t.toml:4:10: interface name 'wireguard-routing0' is longer than 15 characters"));
  EXPECT_EQ(interfaceNameProblem("wg\"0"),
            "interface name 'wg\"0' contains '/', ':', a quote, a backslash, whitespace or a non-ASCII character");
  EXPECT_TRUE(interfaceNameProblem("eth0:1").has_value());
  EXPECT_TRUE(interfaceNameProblem("a b").has_value());
  EXPECT_FALSE(interfaceNameProblem("enp0s31f6.100").has_value());
}

TEST(ConfigValidate, EdgeNeedsLanTunnelAndSite) {
  EXPECT_THAT(errorsOf("role = \"edge\"\n[interfaces]\nuplink = \"eth0\"\n[mesh]\nprefix = \"fd00::/48\"\n"),
              ElementsAre("t.toml:2:1: missing [interfaces] tunnel (the WireGuard routing tunnel): role edge needs it",
                          "t.toml:2:1: missing [interfaces] lan (the site's link): role edge needs it",
                          "t.toml:4:1: missing [mesh] site_prefix (the site /64): role edge needs it"));
  // Without the tables, the errors point at the start of the file.
  EXPECT_THAT(errorsOf("role = \"edge\"\n"),
              ElementsAre("t.toml:1:1: missing [interfaces] tunnel (the WireGuard routing tunnel): role edge needs it",
                          "t.toml:1:1: missing [mesh] prefix (the mesh /48): role edge needs it",
                          "t.toml:1:1: missing [interfaces] lan (the site's link): role edge needs it",
                          "t.toml:1:1: missing [mesh] site_prefix (the site /64): role edge needs it"));
}

TEST(ConfigValidate, RelayNeedsTunnelAndRefusesEdgeKeys) {
  EXPECT_THAT(errorsOf(R"(role = "relay"
[interfaces]
uplink = "eth0"
lan = "eth1"
[mesh]
prefix = "fd00::/48"
site_prefix = "fd00:0:0:1::/64"
source_validation = true
)"),
              ElementsAre("t.toml:2:1: missing [interfaces] tunnel (the WireGuard routing tunnel): role relay needs it",
                          "t.toml:4:7: [interfaces] lan applies to role edge only, and this is a relay",
                          "t.toml:7:15: [mesh] site_prefix applies to role edge only, and this is a relay",
                          "t.toml:8:21: [mesh] source_validation applies to role edge only, and this is a relay"));
}

TEST(ConfigValidate, RelayGuardNeedsTheUplink) {
  const std::string noUplink = "role = \"relay\"\n[interfaces]\ntunnel = \"wg0\"\n[mesh]\nprefix = \"fd00::/48\"\n";
  EXPECT_THAT(errorsOf(noUplink),
              ElementsAre("t.toml:2:1: missing [interfaces] uplink: the relay's WireGuard guard runs on it (or set "
                          "[guard] enabled = false)"));
  EXPECT_THAT(errorsOf(noUplink + "[guard]\nenabled = false\n"), IsEmpty());
}

TEST(ConfigValidate, GuardIsRelayOnly) {
  EXPECT_THAT(errorsOf("role = \"edge\"\n[interfaces]\nlan = \"eth1\"\ntunnel = \"wg0\"\n[mesh]\n"
                       "prefix = \"fd00::/48\"\nsite_prefix = \"fd00:0:0:1::/64\"\n[guard]\nenabled = true\n"),
              ElementsAre("t.toml:8:1: [guard] applies to role relay only (the edge has no WireGuard guard)"));
}

TEST(ConfigValidate, NeighbourDiscoveryAndRedirectsAreNeverForwarded) {
  EXPECT_THAT(
      errorsOf(relayWith("allowed_icmpv6_types = [128, 135, \"nd-neighbor-advert\", 137, 134]\n")),
      ElementsAre("t.toml:8:30: ICMPv6 type 135 (nd-neighbor-solicit) may never be forwarded: neighbour discovery "
                  "and redirects stay on their link",
                  "t.toml:8:35: ICMPv6 type 136 (nd-neighbor-advert) may never be forwarded: neighbour discovery "
                  "and redirects stay on their link",
                  "t.toml:8:57: ICMPv6 type 137 (nd-redirect) may never be forwarded: neighbour discovery and "
                  "redirects stay on their link"));
  // Router adverts, echo and errors are the seed's forwarded set.
  EXPECT_THAT(errorsOf(relayWith("allowed_icmpv6_types = [1, 2, 3, 4, 128, 129, 134]\n")), IsEmpty());
}

TEST(ConfigValidate, MetricsAddress) {
  auto withListen = [](const std::string& listen) {
    return errorsOf(relayWith("[metrics]\nlisten = \"" + listen + "\"\n"));
  };
  EXPECT_THAT(withListen("0.0.0.0:9469"), IsEmpty());
  EXPECT_THAT(withListen("[fd00::1]:80"), IsEmpty());
  EXPECT_THAT(withListen("127.0.0.1"),
              ElementsAre("t.toml:9:10: metrics address '127.0.0.1' must be IP:PORT (e.g. \"127.0.0.1:9469\" or "
                          "\"[::1]:9469\")"));
  EXPECT_THAT(withListen("::1:9469"),
              ElementsAre("t.toml:9:10: metrics address '::1:9469' must be IP:PORT (e.g. \"127.0.0.1:9469\" or "
                          "\"[::1]:9469\")"));
  EXPECT_THAT(withListen("[fe80::zz]:1"),
              ElementsAre("t.toml:9:10: metrics address '[fe80::zz]:1': 'fe80::zz' is not an IPv6 address"));
  EXPECT_THAT(withListen("127.0.0.1:0"),
              ElementsAre("t.toml:9:10: metrics address '127.0.0.1:0': '0' is not a port (1-65535)"));
  EXPECT_THAT(withListen("127.0.0.1:65536"),
              ElementsAre("t.toml:9:10: metrics address '127.0.0.1:65536': '65536' is not a port (1-65535)"));
}

TEST(ConfigValidate, IcmpErrorSourceMustBeUnicast) {
  EXPECT_THAT(errorsOf(relayWith("[icmp]\nerror_source = \"ff02::1\"\n")),
              ElementsAre("t.toml:9:16: ICMPv6 error source ff02::1 must be a unicast address"));
  EXPECT_THAT(errorsOf(relayWith("[icmp]\nerror_source = \"::\"\n")),
              ElementsAre("t.toml:9:16: ICMPv6 error source :: must be a unicast address"));
}

TEST(ConfigValidate, ABadValueIsNotReportedTwice) {
  // A refused role says nothing about which role's rules apply; a refused
  // tunnel is not also "missing" or "empty".
  EXPECT_THAT(errorsOf("role = \"edg\"\n[interfaces]\ntunnel = 1\n"),
              ElementsAre("t.toml:1:8: role must be \"relay\" or \"edge\", not \"edg\"; did you mean \"edge\"?",
                          "t.toml:3:10: [interfaces] tunnel must be a string, not an integer"));
  EXPECT_THAT(errorsOf("role = \"relay\"\n[interfaces]\nuplink = \"eth0\"\ntunnel = 1\n[mesh]\nprefix = 48\n"),
              ElementsAre("t.toml:4:10: [interfaces] tunnel must be a string, not an integer",
                          "t.toml:6:10: [mesh] prefix must be a string, not an integer"));
}

TEST(ConfigValidate, OriginsFallBackToTheEnclosingTable) {
  ConfigOrigins origins(ConfigOrigin{"f", 1, 1});
  origins.set("mesh", ConfigOrigin{"f", 5, 1});
  origins.set("mesh.prefix", ConfigOrigin{"f", 6, 10});
  EXPECT_EQ(origins.at("mesh.prefix").line, 6);
  EXPECT_EQ(origins.at("mesh.site_prefix").line, 5);
  EXPECT_EQ(origins.at("interfaces.lan").line, 1);
  origins.refuse("mesh");
  EXPECT_TRUE(origins.refused("mesh.prefix"));
  EXPECT_FALSE(origins.refused("interfaces.lan"));
}

// Flags replace the file's values before validation; errors about a flag's
// value name the flag.
TEST(ConfigOverrides, FlagsWinOverTheFile) {
  ConfigOverrides o;
  o.tunnel = "wg9";
  o.portRange = "40000-40010";
  o.metricsListen = "127.0.0.1:9999";
  o.guardListenPort = 51821;
  ConfigLoad load = parseConfig(relayWith(""), "t.toml", o);
  ASSERT_THAT(load.errors, IsEmpty());
  EXPECT_EQ(load.config->tunnel, "wg9");
  EXPECT_EQ(load.config->uplink, "eth0");  // not overridden: the file's
  EXPECT_EQ(load.config->ports.lo, 40000);
  EXPECT_EQ(load.config->ports.hi, 40010);
  EXPECT_EQ(load.config->metricsListen, "127.0.0.1:9999");
  EXPECT_EQ(load.config->guard.listenPort, 51821);
}

TEST(ConfigOverrides, FlagsFillWhatTheFileLeavesOut) {
  ConfigOverrides o;
  o.role = Role::Edge;
  o.lan = "eth1";
  o.tunnel = "wg0";
  o.meshPrefix = "fd00:1:2::/48";
  o.sitePrefix = "fd00:1:2:3::/64";
  ConfigLoad load = parseConfig("", "t.toml", o);
  ASSERT_THAT(load.errors, IsEmpty());
  EXPECT_EQ(load.config->role, Role::Edge);
  EXPECT_EQ(load.config->sitePrefix->str(), "fd00:1:2:3::/64");
}

TEST(ConfigOverrides, ErrorsNameTheFlagAndComeAfterTheFile) {
  ConfigOverrides o;
  o.uplink = "wg0";  // the tunnel's name, from the file
  o.sitePrefix = "fd00:9::/64";
  o.meshPrefix = "fd00:1:2::1/48";
  o.portRange = "9-1";
  ConfigLoad load = parseConfig(relayWith("bogus = 1\n"), "t.toml", o);
  std::vector<std::string> got;
  for (const auto& e : load.errors) got.push_back(e.str());
  EXPECT_THAT(got, ElementsAre("t.toml:4:10: interface 'wg0' is named twice, as uplink and as tunnel",
                               "t.toml:8:1: unknown key 'bogus' in [mesh]",
                               "--mesh-prefix: 'fd00:1:2::1/48' has host bits set (did you mean fd00:1:2::/48?)",
                               "--site-prefix: [mesh] site_prefix applies to role edge only, and this is a relay",
                               "--port-range: port range 9-1 is inverted: the first port is above the last"));
}

TEST(ConfigOverrides, RoleFlagAppliesThatRolesRules) {
  ConfigOverrides o;
  o.role = Role::Edge;
  EXPECT_THAT(errorsOf(relayWith(""), o),
              ElementsAre("t.toml:2:1: missing [interfaces] lan (the site's link): role edge needs it",
                          "t.toml:5:1: missing [mesh] site_prefix (the site /64): role edge needs it"));
}

}  // namespace
}  // namespace meshfwd
