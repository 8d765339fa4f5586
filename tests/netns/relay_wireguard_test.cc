// The relay with real WireGuard routing tunnels (wireguard-go + wg): two
// site namespaces and a relay namespace on a bridged "internet", meshfwd
// attached on the relay. Site A reaches the relay over IPv6, site B over
// IPv4, as the seed's mixed sites do.
//
// As in the TUN test, the relay's netfilter forward chain drops everything,
// so what crosses the relay was forwarded by meshfwd.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "tests/support/icmp6_check.h"
#include "tests/support/netns.h"
#include "tests/support/ns_meshfwd.h"
#include "tests/support/ns_poll.h"
#include "tests/support/ns_socket.h"
#include "tests/support/ns_topology.h"

namespace meshfwd::test {
namespace {

const SitePlan kSiteA{'a'};
const SitePlan kSiteB{'b'};
constexpr uint16_t kMeshPort = 58000;     // inside the mesh range
constexpr uint16_t kOtherPort = 9000;     // outside it
constexpr auto kArrives = 3s;             // deadline for traffic that must arrive
constexpr auto kHandshake = 15s;          // first ping, including the WireGuard handshake

class RelayWireguardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scope_ = std::make_unique<TestScope>("nswg");
    internet_ = std::make_unique<Internet>(*scope_);
    relay_ = std::make_unique<NetNs>(scope_->name("relay"));
    siteA_ = std::make_unique<NetNs>(scope_->name("a"));
    siteB_ = std::make_unique<NetNs>(scope_->name("b"));

    uplink_ = scope_->name("up");
    internet_->plug(*relay_, uplink_, {"2001:db8:ffff::1/64", "192.0.2.1/24"});
    internet_->plug(*siteA_, uplink_, {"2001:db8:ffff::a/64"});  // IPv6-only site
    internet_->plug(*siteB_, uplink_, {"192.0.2.11/24"});        // IPv4-only site

    relayTunnel_ = std::make_unique<RelayTunnel>(*relay_, scope_->name("wr"), scope_->workDir());
    WgKeyPair keysA = generateWgKeyPair(), keysB = generateWgKeyPair();
    relayTunnel_->addSite(kSiteA, keysA.publicKey);
    relayTunnel_->addSite(kSiteB, keysB.publicKey);
    relay_->sysctl("net.ipv6.conf.all.forwarding", "1");
    dropKernelForwarding(*relay_);

    tunnelA_ = makeSiteTunnel(*siteA_, scope_->name("wa"), kSiteA, keysA, *relayTunnel_,
                              "[2001:db8:ffff::1]:" + std::to_string(kPlanRelayWgPort), scope_->workDir());
    tunnelB_ = makeSiteTunnel(*siteB_, scope_->name("wb"), kSiteB, keysB, *relayTunnel_,
                              "192.0.2.1:" + std::to_string(kPlanRelayWgPort), scope_->workDir());
    // Each site box stands in for a host of its /64 here.
    siteA_->ip("addr add " + hostA().str() + "/128 dev " + tunnelA_->name() + " nodad");
    siteB_->ip("addr add " + hostB().str() + "/128 dev " + tunnelB_->name() + " nodad");

    // No --wg-port: meshfwd asks wireguard-go for the listen port.
    attachment_ = std::make_unique<MeshfwdAttachment>(
        cli_, *relay_,
        std::vector<std::string>{"--role", "relay", "--tunnel", relayTunnel_->name(), "--mesh-prefix",
                                 kPlanMeshPrefix, "--ports", kPlanPorts, uplink_});

    // Both sites handshake with the relay (pinging its tunnel address, which
    // meshfwd passes to the relay's own stack).
    ASSERT_TRUE(waitForPing(*siteA_, kSiteA.tunnelAddr(), kPlanRelayTunnelAddr, kHandshake))
        << "site A never reached the relay through its routing tunnel\n" << relayTunnel_->wg().show();
    ASSERT_TRUE(waitForPing(*siteB_, kSiteB.tunnelAddr(), kPlanRelayTunnelAddr, kHandshake))
        << "site B never reached the relay through its routing tunnel\n" << relayTunnel_->wg().show();
  }

  void TearDown() override {
    // Reverse order of creation: detach, stop wireguard-go, delete namespaces.
    attachment_.reset();
    tunnelA_.reset();
    tunnelB_.reset();
    relayTunnel_.reset();
    siteA_.reset();
    siteB_.reset();
    relay_.reset();
    internet_.reset();
    scope_.reset();
  }

  static In6 hostA() { return kSiteA.host(); }
  static In6 hostB() { return kSiteB.host(); }

  MeshfwdCli cli_{MESHFWD_BINARY};
  std::unique_ptr<TestScope> scope_;
  std::unique_ptr<Internet> internet_;
  std::unique_ptr<NetNs> relay_, siteA_, siteB_;
  std::string uplink_;
  std::unique_ptr<RelayTunnel> relayTunnel_;
  std::unique_ptr<WireguardInterface> tunnelA_, tunnelB_;
  std::unique_ptr<MeshfwdAttachment> attachment_;
};

TEST_F(RelayWireguardTest, UdpToAnAllowedPortArrivesAtTheOtherSite) {
  UdpSocket atB(siteB_->name(), hostB(), kMeshPort);
  UdpSocket atA(siteA_->name(), hostA(), kMeshPort + 1);
  Bytes hello = payloadBytes(200, 7);
  atA.sendTo(hostB(), kMeshPort, hello);
  auto got = atB.receive(kArrives);
  ASSERT_TRUE(got) << "A -> B UDP to port " << kMeshPort << " never arrived";
  EXPECT_EQ(got->from, hostA());
  EXPECT_EQ(got->payload, hello);

  // And back, into site A's /64, on another port of the range.
  atB.sendTo(hostA(), kMeshPort + 1, hello);
  auto reply = atA.receive(kArrives);
  ASSERT_TRUE(reply) << "B -> A UDP to port " << kMeshPort + 1 << " never arrived";
  EXPECT_EQ(reply->from, hostB());
}

TEST_F(RelayWireguardTest, UdpToADisallowedPortDoesNotArriveAndTheSenderGetsAddressUnreachable) {
  UdpSocket listenerB(siteB_->name(), hostB(), kOtherPort);
  UdpSocket markerB(siteB_->name(), hostB(), kMeshPort);
  UdpSocket atA(siteA_->name(), hostA());
  PacketCapture onTunnelA(siteA_->name(), tunnelA_->name());

  atA.sendTo(hostB(), kOtherPort, payloadBytes(64));
  auto report = atA.receiveError(kArrives);
  ASSERT_TRUE(report) << "the sender's socket never got an ICMPv6 error";
  EXPECT_EQ(report->type, 1);
  EXPECT_EQ(report->code, 3);
  EXPECT_EQ(report->error, EHOSTUNREACH);
  EXPECT_EQ(report->offender, kPlanRelayTunnelAddr);

  // The same error, byte by byte, as it came out of the routing tunnel.
  auto frame = onTunnelA.next(
      [](const Bytes& p) { return p.size() > 48 && p[6] == kProtoIcmp6 && p[40] == 1; }, kArrives);
  ASSERT_TRUE(frame) << "no ICMPv6 error seen on site A's routing tunnel";
  std::string why;
  auto error = parseIcmp6Error(*frame, 0, why);
  ASSERT_TRUE(error) << why << "\n" << hexdump(*frame);
  EXPECT_EQ(error->src, kPlanRelayTunnelAddr);
  EXPECT_EQ(error->dst, hostA());

  // A datagram on an allowed port, sent after it, arrives: had the first
  // one been forwarded, it would have been queued on B before this one.
  atA.sendTo(hostB(), kMeshPort, payloadBytes(8));
  ASSERT_TRUE(markerB.receive(kArrives)) << "the allowed marker datagram never arrived";
  EXPECT_FALSE(listenerB.receive(0ms)) << "UDP to port " << kOtherPort << " crossed the relay";
}

TEST_F(RelayWireguardTest, TcpDoesNotArriveAndTheSenderGetsAddressUnreachable) {
  // Had the SYN reached B, B would answer with a RST (ECONNREFUSED); the
  // relay's ICMPv6 1/3 aborts the connect with EHOSTUNREACH instead.
  int result = tcpConnect(siteA_->name(), hostA(), hostB(), kMeshPort, kArrives);
  EXPECT_EQ(result, EHOSTUNREACH) << "connect() ended with " << std::strerror(result);
}

TEST_F(RelayWireguardTest, PingWorksBothWays) {
  PingSocket fromA(siteA_->name(), hostA());
  EXPECT_TRUE(fromA.ping(hostB(), kArrives)) << "A -> B echo got no reply";
  PingSocket fromB(siteB_->name(), hostB());
  EXPECT_TRUE(fromB.ping(hostA(), kArrives)) << "B -> A echo got no reply";
}

TEST_F(RelayWireguardTest, StatsCountersMatchWhatWasSent) {
  MeshfwdStats before = cli_.stats(*relay_);

  constexpr int kAllowed = 10, kDisallowed = 3, kPings = 4;
  UdpSocket atB(siteB_->name(), hostB(), kMeshPort);
  UdpSocket atA(siteA_->name(), hostA());
  for (int i = 0; i < kAllowed; ++i) {
    atA.sendTo(hostB(), kMeshPort, payloadBytes(100));
    ASSERT_TRUE(atB.receive(kArrives)) << "allowed datagram " << i << " never arrived";
  }
  for (int i = 0; i < kDisallowed; ++i) {
    atA.sendTo(hostB(), kOtherPort, payloadBytes(100));
    ASSERT_TRUE(atA.receiveError(kArrives)) << "no ICMPv6 error for disallowed datagram " << i;
  }
  EXPECT_EQ(tcpConnect(siteA_->name(), hostA(), hostB(), kMeshPort, kArrives), EHOSTUNREACH);
  PingSocket fromA(siteA_->name(), hostA());
  for (int i = 0; i < kPings; ++i) ASSERT_TRUE(fromA.ping(hostB(), kArrives)) << "ping " << i;

  MeshfwdStats delta = before.deltaTo(cli_.stats(*relay_));
  SCOPED_TRACE("counters that moved:\n" + delta.nonZero());
  EXPECT_EQ(delta.packets("relay_tc/fwd_mesh_udp"), uint64_t(kAllowed));
  EXPECT_EQ(delta.reasons["relay_tc/fwd_mesh_udp"].bytes, uint64_t(kAllowed) * (40 + 8 + 100));
  EXPECT_EQ(delta.packets("relay_tc/reject_policy"), uint64_t(kDisallowed + 1));  // + the TCP SYN
  EXPECT_EQ(delta.packets("relay_tc/fwd_icmp"), uint64_t(2 * kPings));            // requests and replies
  EXPECT_EQ(delta.packets("relay_tc/drop_icmp_ratelimited"), 0u);
  EXPECT_EQ(delta.site(kSiteB.prefix()).toSite.packets, uint64_t(kAllowed + kPings));
  EXPECT_EQ(delta.site(kSiteA.prefix()).toSite.packets, uint64_t(kPings));
}

TEST_F(RelayWireguardTest, DetachLeavesTheInterfacesClean) {
  const std::string tunnel = relayTunnel_->name();
  // Attached: a TC filter on the tunnel's ingress and XDP on the uplink.
  EXPECT_NE(relay_->must({"tc", "filter", "show", "dev", tunnel, "ingress"}).out, "");
  EXPECT_NE(relay_->must({"ip", "link", "show", "dev", uplink_}).out.find("xdp"), std::string::npos);

  auto detached = attachment_->detach();
  ASSERT_TRUE(detached.ok()) << detached.describe();

  EXPECT_EQ(relay_->must({"tc", "filter", "show", "dev", tunnel, "ingress"}).out, "");
  EXPECT_EQ(relay_->must({"tc", "qdisc", "show", "dev", tunnel}).out.find("clsact"), std::string::npos)
      << "the clsact qdisc meshfwd added is still there";
  for (const auto& dev : {tunnel, uplink_}) {
    auto link = relay_->must({"ip", "-d", "link", "show", "dev", dev}).out;
    EXPECT_EQ(link.find("xdp"), std::string::npos) << dev << ":\n" << link;
  }
  auto status = cli_.run(*relay_, {"status"});
  EXPECT_EQ(status.out.find(tunnel), std::string::npos) << "status still lists the tunnel:\n" << status.out;

  // The interfaces still work: without the drop chain the kernel forwards.
  relay_->must({"nft", "delete", "table", "inet", "meshfwd_test"});
  UdpSocket atB(siteB_->name(), hostB(), kMeshPort);
  UdpSocket atA(siteA_->name(), hostA());
  atA.sendTo(hostB(), kMeshPort, payloadBytes(10));
  EXPECT_TRUE(atB.receive(kArrives)) << "after detach the kernel no longer forwards over the tunnel";
}

}  // namespace
}  // namespace meshfwd::test
