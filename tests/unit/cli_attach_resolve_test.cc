#include "userspace/attach_resolve.h"

#include <gtest/gtest.h>
#include <linux/if_arp.h>

namespace meshfwd::cli {
namespace {

using Lines = std::vector<std::string>;

NetSnapshot net() {
  NetSnapshot n;
  n.links = {{2, "eth0", 1500, ARPHRD_ETHER, {2, 0, 0, 0, 0, 2}, true, "veth"},
             {3, "eth1", 1500, ARPHRD_ETHER, {2, 0, 0, 0, 0, 3}, true, "veth"},
             {5, "wg0", 1420, ARPHRD_NONE, {}, true, "tun"},
             {6, "lo", 65536, ARPHRD_LOOPBACK, {}, true, ""}};
  n.addrs = {{5, *Ipv6Addr::parse("fd99::1"), 128, false, false},
             {3, *Ipv6Addr::parse("fd42:4242:4242:a::1"), 64, false, false}};
  return n;
}

Config relay() {
  Config c;
  c.role = Role::Relay;
  c.uplink = "eth0";
  c.tunnel = "wg0";
  c.meshPrefix = *Ipv6Prefix::parse("fd42:4242:4242::/48");
  return c;
}

Config edge() {
  Config c = relay();
  c.role = Role::Edge;
  c.uplink.clear();
  c.lan = "eth1";
  c.sitePrefix = *Ipv6Prefix::parse("fd42:4242:4242:a::/64");
  return c;
}

TEST(CliAttachResolve, RelayFindsTunnelFactsAndErrorSource) {
  ResolvedAttach r = resolveAttach(relay(), net(), uint16_t{51820}, "", 2);
  ASSERT_TRUE(r.ok()) << r.errors.front();
  EXPECT_EQ(r.inputs.tunnelIfindex, 5u);
  EXPECT_EQ(r.inputs.tunnelL2Len, 0);
  EXPECT_EQ(r.inputs.icmpSource.str(), "fd99::1");
  EXPECT_EQ(r.inputs.wgListenPort, 51820);
  EXPECT_EQ(r.inputs.possibleCpus, 2u);
  EXPECT_TRUE(r.sync.syncEgress);
  EXPECT_EQ(r.sync.tunnels, Lines{"wg0"});
}

TEST(CliAttachResolve, ConfiguredPortAndSourceWin) {
  Config c = relay();
  c.guard.listenPort = 4000;
  c.icmpSource = *Ipv6Addr::parse("fd99::77");
  ResolvedAttach r = resolveAttach(c, net(), uint16_t{51820}, "", 1);
  EXPECT_EQ(r.inputs.wgListenPort, 4000);
  EXPECT_EQ(r.inputs.icmpSource.str(), "fd99::77");
}

TEST(CliAttachResolve, UnknownGuardPortTurnsTheGuardOffWithAWarning) {
  ResolvedAttach r = resolveAttach(relay(), net(), std::nullopt, "no wireguard-go control socket", 1);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.inputs.wgListenPort, 0);
  EXPECT_EQ(r.warnings, Lines{"WireGuard-port guard on eth0 is off: cannot read wg0's listen port "
                              "(no wireguard-go control socket); pass --wg-port"});
}

TEST(CliAttachResolve, NoAddressToSendErrorsFrom) {
  NetSnapshot n = net();
  n.addrs.clear();
  ResolvedAttach r = resolveAttach(relay(), n, uint16_t{1}, "", 1);
  EXPECT_EQ(r.errors, Lines{"no IPv6 address on wg0 to send ICMPv6 errors from: add one, or pass --icmp-source"});
}

TEST(CliAttachResolve, EdgeUsesTheLan) {
  ResolvedAttach r = resolveAttach(edge(), net(), std::nullopt, "", 2);
  ASSERT_TRUE(r.ok()) << r.errors.front();
  EXPECT_EQ(r.inputs.lanIfindex, 3u);
  EXPECT_EQ(r.inputs.tunnelMtu, 1420u);
  EXPECT_EQ(r.inputs.routerMac[5], 3);
  EXPECT_EQ(r.inputs.icmpSource.str(), "fd42:4242:4242:a::1");
  EXPECT_FALSE(r.sync.syncEgress);
  EXPECT_TRUE(r.warnings.empty());  // no guard on an edge
}

TEST(CliAttachResolve, EdgeLanMustBeEthernet) {
  Config c = edge();
  c.lan = "lo";
  EXPECT_EQ(resolveAttach(c, net(), std::nullopt, "", 1).errors,
            Lines{"LAN_IF: 'lo' is not an Ethernet interface (XDP on the LAN needs one)"});
}

TEST(CliAttachResolve, TunnelOfUnknownLinkType) {
  Config c = relay();
  c.tunnel = "lo";
  EXPECT_EQ(resolveAttach(c, net(), std::nullopt, "", 1).errors,
            Lines{"--tunnel: 'lo' is neither a WireGuard/TUN nor an Ethernet device (link type 772)"});
}

}  // namespace
}  // namespace meshfwd::cli
