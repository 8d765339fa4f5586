#include "tools/cli/attach_args.h"

#include <gtest/gtest.h>

namespace meshfwd::cli {
namespace {

SystemFacts machine() {
  SystemFacts f;
  f.caps.bpf = true;
  f.caps.netAdmin = true;
  f.interfaces = {"lo", "eth0", "eth1", "wg0"};
  f.wireguardInterfaces = {"wg0"};
  return f;
}

AttachArgs relay() {
  AttachArgs a;
  a.role = "relay";
  a.interface = "eth0";
  a.tunnel = "wg0";
  a.meshPrefix = "fd42:4242:4242::/48";
  return a;
}

AttachArgs edge() {
  AttachArgs a;
  a.role = "edge";
  a.interface = "eth1";
  a.tunnel = "wg0";
  a.meshPrefix = "fd42:4242:4242::/48";
  a.site = "fd42:4242:4242:a::/64";
  return a;
}

std::vector<std::string> errorsOf(const AttachArgs& a, const SystemFacts& f = machine()) {
  return validateAttach(a, f).errors;
}
using Lines = std::vector<std::string>;

TEST(CliAttachArgs, ValidRelay) {
  AttachValidation v = validateAttach(relay(), machine());
  ASSERT_TRUE(v.config.has_value()) << v.errors.front();
  EXPECT_EQ(v.config->role, Role::Relay);
  EXPECT_EQ(v.config->uplink, "eth0");
  EXPECT_EQ(v.config->tunnel, "wg0");
  EXPECT_EQ(v.config->meshPrefix.str(), "fd42:4242:4242::/48");
  EXPECT_EQ(v.config->ports.lo, 58000);
  EXPECT_EQ(v.config->ports.hi, 60000);
}

TEST(CliAttachArgs, ValidEdge) {
  AttachArgs a = edge();
  a.noSourceValidation = true;
  a.ports = "58000-58010";
  AttachValidation v = validateAttach(a, machine());
  ASSERT_TRUE(v.config.has_value()) << v.errors.front();
  EXPECT_EQ(v.config->role, Role::Edge);
  EXPECT_EQ(v.config->lan, "eth1");
  EXPECT_EQ(v.config->sitePrefix->str(), "fd42:4242:4242:a::/64");
  EXPECT_FALSE(v.config->sourceValidation);
  EXPECT_EQ(v.config->ports.hi, 58010);
}

TEST(CliAttachArgs, RelayTunnelDefaultsToTheOnlyWireGuardInterface) {
  AttachArgs a = relay();
  a.tunnel.reset();
  AttachValidation v = validateAttach(a, machine());
  ASSERT_TRUE(v.config.has_value());
  EXPECT_EQ(v.config->tunnel, "wg0");
  EXPECT_EQ(v.notes, Lines{"--tunnel not given: using wg0, the only WireGuard interface"});

  SystemFacts none = machine();
  none.wireguardInterfaces.clear();
  EXPECT_EQ(errorsOf(a, none), Lines{"--tunnel is required: no WireGuard interface found to default to"});
  SystemFacts two = machine();
  two.wireguardInterfaces = {"wg0", "wg1"};
  EXPECT_EQ(errorsOf(a, two), Lines{"--tunnel is required: several WireGuard interfaces (wg0, wg1), name one"});
}

TEST(CliAttachArgs, RoleErrors) {
  AttachArgs a = relay();
  a.role = "router";
  EXPECT_EQ(errorsOf(a), Lines{"--role: unknown role 'router' (expected relay or edge)"});
  a.role = "";
  EXPECT_EQ(errorsOf(a), Lines{"--role is required: relay or edge"});
}

TEST(CliAttachArgs, Privileges) {
  SystemFacts f = machine();
  f.caps = {};
  EXPECT_EQ(errorsOf(relay(), f), Lines{"attach needs root or CAP_BPF and CAP_NET_ADMIN; missing CAP_BPF, CAP_NET_ADMIN"});
  f.caps.sysAdmin = true;  // stands in for CAP_BPF
  EXPECT_EQ(errorsOf(relay(), f), Lines{"attach needs root or CAP_BPF and CAP_NET_ADMIN; missing CAP_NET_ADMIN"});
}

TEST(CliAttachArgs, MeshPrefixErrors) {
  AttachArgs a = relay();
  a.meshPrefix = "fd42:4242:4242::/56";
  EXPECT_EQ(errorsOf(a), Lines{"--mesh-prefix: fd42:4242:4242::/56 is not a /48"});
  a.meshPrefix = "fd42:4242:4242::1/48";
  EXPECT_EQ(errorsOf(a), Lines{"--mesh-prefix: 'fd42:4242:4242::1/48' has host bits set (did you mean fd42:4242:4242::/48?)"});
  a.meshPrefix = "banana/48";
  EXPECT_EQ(errorsOf(a), Lines{"--mesh-prefix: 'banana' is not an IPv6 address"});
  a.meshPrefix.reset();
  EXPECT_EQ(errorsOf(a), Lines{"--mesh-prefix is required (the mesh /48), or give it in --config"});
}

TEST(CliAttachArgs, SiteErrors) {
  AttachArgs a = edge();
  a.site = "fd42:4242:4242:a00::/56";
  EXPECT_EQ(errorsOf(a), Lines{"--site: fd42:4242:4242:a00::/56 is not a /64"});
  a.site = "fd42:4242:4242:a::1/64";
  EXPECT_EQ(errorsOf(a), Lines{"--site: 'fd42:4242:4242:a::1/64' has host bits set (did you mean fd42:4242:4242:a::/64?)"});
  a.site = "fd42:4242:4243:a::/64";
  EXPECT_EQ(errorsOf(a), Lines{"--site: fd42:4242:4243:a::/64 is not inside the mesh fd42:4242:4242::/48"});
  a.site = "fd42:4242:4242:a::/64x";
  EXPECT_EQ(errorsOf(a), Lines{"--site: '64x' is not a prefix length (0-128)"});
  a.site.reset();
  EXPECT_EQ(errorsOf(a), Lines{"--site is required for --role edge (the site /64)"});
  AttachArgs r = relay();
  r.site = "fd42:4242:4242:a::/64";
  EXPECT_EQ(errorsOf(r), Lines{"--site is only for --role edge"});
}

TEST(CliAttachArgs, PortRangeErrors) {
  AttachArgs a = relay();
  a.ports = "60000-58000";
  EXPECT_EQ(errorsOf(a), Lines{"--ports: 60000-58000 is empty (LO 60000 > HI 58000)"});
  a.ports = "58000";
  EXPECT_EQ(errorsOf(a), Lines{"--ports: '58000' is not a port range LO-HI (ports 1-65535)"});
  a.ports = "58000-70000";
  EXPECT_EQ(errorsOf(a), Lines{"--ports: '58000-70000' is not a port range LO-HI (ports 1-65535)"});
  a.ports = "0-10";
  EXPECT_EQ(errorsOf(a), Lines{"--ports: port 0 cannot be a UDP destination"});
  a.ports = "58000-58000";  // one port is a range
  EXPECT_TRUE(errorsOf(a).empty());
}

TEST(CliAttachArgs, InterfaceErrors) {
  AttachArgs a = relay();
  a.interface = "eth9";
  EXPECT_EQ(errorsOf(a), Lines{"UPLINK: interface 'eth9' does not exist"});
  a = relay();
  a.tunnel = "wg7";
  EXPECT_EQ(errorsOf(a), Lines{"--tunnel: interface 'wg7' does not exist"});
  a = relay();
  a.interface = "wg0";
  EXPECT_EQ(errorsOf(a), Lines{"UPLINK and --tunnel are the same interface 'wg0'"});
  a = relay();
  a.interface = "";
  EXPECT_EQ(errorsOf(a), Lines{"UPLINK is required: the uplink interface for the WireGuard-port guard"});
  AttachArgs e = edge();
  e.interface = "eth7";
  EXPECT_EQ(errorsOf(e), Lines{"LAN_IF: interface 'eth7' does not exist"});
  e = edge();
  e.tunnel.reset();
  EXPECT_EQ(errorsOf(e), Lines{"--tunnel is required for --role edge (the WireGuard routing tunnel)"});
}

TEST(CliAttachArgs, RoleSpecificFlags) {
  AttachArgs r = relay();
  r.noSourceValidation = true;
  EXPECT_EQ(errorsOf(r), Lines{"--no-source-validation is only for --role edge"});
  AttachArgs e = edge();
  e.noGuard = true;
  e.wgPort = 51820;
  EXPECT_EQ(errorsOf(e), (Lines{"--no-guard is only for --role relay", "--wg-port is only for --role relay"}));
}

TEST(CliAttachArgs, IcmpSource) {
  AttachArgs a = relay();
  a.icmpSource = "fe80::1";
  EXPECT_EQ(errorsOf(a), Lines{"--icmp-source: 'fe80::1' is not a unicast, non-link-local IPv6 address"});
  a.icmpSource = "fd99::1";
  auto v = validateAttach(a, machine());
  ASSERT_TRUE(v.config);
  EXPECT_EQ(v.config->icmpSource->str(), "fd99::1");
}

TEST(CliAttachArgs, EveryProblemIsReportedAtOnce) {
  AttachArgs a = edge();
  a.meshPrefix = "fd42::/32";
  a.ports = "9-1";
  a.interface = "nope";
  SystemFacts f = machine();
  f.caps.netAdmin = false;
  EXPECT_EQ(errorsOf(a, f), (Lines{"attach needs root or CAP_BPF and CAP_NET_ADMIN; missing CAP_NET_ADMIN",
                                   "--mesh-prefix: fd42::/32 is not a /48",
                                   "--ports: 9-1 is empty (LO 9 > HI 1)",
                                   "LAN_IF: interface 'nope' does not exist"}));
}

TEST(CliAttachArgs, ConfigFileSuppliesWhatFlagsLeaveOut) {
  Config file;
  file.role = Role::Edge;
  file.lan = "eth1";
  file.tunnel = "wg0";
  file.meshPrefix = *Ipv6Prefix::parse("fd42:4242:4242::/48");
  file.sitePrefix = *Ipv6Prefix::parse("fd42:4242:4242:a::/64");
  AttachArgs a;
  a.configFile = "/etc/meshfwd/meshfwd.toml";
  AttachValidation v = validateAttach(a, machine(), file);
  ASSERT_TRUE(v.config) << v.errors.front();
  EXPECT_EQ(v.config->role, Role::Edge);
  EXPECT_EQ(v.config->lan, "eth1");
  // ... and the file's interfaces are checked against the machine too.
  file.lan = "eth5";
  EXPECT_EQ(validateAttach(a, machine(), file).errors, Lines{"LAN_IF: interface 'eth5' does not exist"});
}

TEST(CliAttachArgs, FlagsBecomeConfigOverrides) {
  AttachArgs a = edge();
  a.ports = "58000-58100";
  a.wgPort = 51820;
  ConfigOverrides o = overridesFromFlags(a);
  EXPECT_EQ(o.role, Role::Edge);
  EXPECT_EQ(o.lan, "eth1");
  EXPECT_FALSE(o.uplink.has_value());
  EXPECT_EQ(o.tunnel, "wg0");
  EXPECT_EQ(o.sitePrefix, "fd42:4242:4242:a::/64");
  EXPECT_EQ(o.portRange, "58000-58100");
  EXPECT_EQ(o.guardListenPort, uint16_t{51820});
  EXPECT_EQ(overridesFromFlags(relay()).uplink, "eth0");
}

}  // namespace
}  // namespace meshfwd::cli
