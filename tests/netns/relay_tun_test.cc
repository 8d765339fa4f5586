// The relay's TC program in its L3 mode (l2_len 0), on a real TUN device:
// the test plays the sites' side of the routing tunnel, writing into the
// TUN what a peer would have sent and reading what the relay sends back
// into the tunnel (DESIGN.md 2a, last paragraph). BPF_PROG_TEST_RUN always
// frames TC input as Ethernet, so this is where the L3 mode is exercised.
//
// The relay namespace has a netfilter forward chain that drops everything:
// a packet that comes back forwarded was forwarded by meshfwd's redirect,
// not by the kernel's forwarding path, and an ICMPv6 1/3 was built by
// meshfwd, since the kernel would have dropped silently.
#include <gtest/gtest.h>

#include <memory>

#include "tests/support/icmp6_check.h"
#include "tests/support/netns.h"
#include "tests/support/ns_meshfwd.h"
#include "tests/support/ns_poll.h"
#include "tests/support/ns_socket.h"
#include "tests/support/ns_tun.h"
#include "tests/support/packet.h"

namespace meshfwd::test {
namespace {

const In6 kRelayAddr = In6::parse("fd99::1");  // the relay's routing-tunnel address
const In6 kHostA = In6::parse("fd42:4242:4242:a::10");
const In6 kHostB = In6::parse("fd42:4242:4242:b::20");
const In6 kOutsideMesh = In6::parse("fd42:4242:4243::1");  // the first /48 after the mesh
constexpr const char* kMeshPrefix = "fd42:4242:4242::/48";
constexpr const char* kSiteA = "fd42:4242:4242:a::/64";
constexpr const char* kSiteB = "fd42:4242:4242:b::/64";
constexpr int kTunMtu = 1420;
constexpr uint16_t kWgPort = 51820;
constexpr auto kComesBack = 3s;  // deadline for a packet that must come out of the TUN

bool isFrom(const Bytes& p, const In6& src, const In6& dst, uint8_t nextHeader) {
  return p.size() >= 40 && (p[0] >> 4) == 6 && ipv6Src(p) == src && ipv6Dst(p) == dst &&
         ipv6NextHeader(p) == nextHeader;
}

uint16_t udpSourcePort(const Bytes& p) { return static_cast<uint16_t>((p[40] << 8) | p[41]); }

Bytes concat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

Bytes withHopLimit(Bytes p, uint8_t hopLimit) {
  p[7] = hopLimit;
  return p;
}

class RelayTunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scope_ = std::make_unique<TestScope>("nsrt");
    relay_ = std::make_unique<NetNs>(scope_->name("relay"));
    tun_ = std::make_unique<TunDevice>(relay_->name(), scope_->name("tun"));
    const std::string tun = tun_->name();

    // The routing tunnel as WireGuard's AllowedIPs would set it up: the
    // relay's /128 on it and one route per site /64 through it.
    relay_->ip("link set " + tun + " mtu " + std::to_string(kTunMtu) + " up");
    relay_->ip("addr add " + kRelayAddr.str() + "/128 dev " + tun + " nodad");
    relay_->ip(std::string("route add ") + kSiteA + " dev " + tun);
    relay_->ip(std::string("route add ") + kSiteB + " dev " + tun);
    relay_->sysctl("net.ipv6.conf.all.forwarding", "1");
    dropKernelForwarding(*relay_);

    // The uplink, where the WireGuard-port guard goes. Nothing is sent over
    // it here; its peer stays in the same namespace.
    uplink_ = scope_->name("up");
    addVethPair(*relay_, uplink_, *relay_, scope_->name("upp"));
    relay_->ip("link set " + uplink_ + " up");
    relay_->ip("link set " + scope_->name("upp") + " up");

    attachment_ = std::make_unique<MeshfwdAttachment>(
        cli_, *relay_,
        std::vector<std::string>{"--role", "relay", "--tunnel", tun, "--mesh-prefix", kMeshPrefix, "--ports",
                                 "58000-60000", "--wg-port", std::to_string(kWgPort), uplink_});
    // The kernel's own chatter on a fresh link (router solicitations, MLD
    // reports) is not what the tests read.
    tun_->drain();
  }

  void TearDown() override {
    attachment_.reset();
    tun_.reset();
    relay_.reset();
    scope_.reset();
  }

  // Writes `packet` into the tunnel and returns the first packet that comes
  // back out of it and satisfies `wanted`.
  std::optional<Bytes> writeAndRead(const Bytes& packet, const std::function<bool(const Bytes&)>& wanted) {
    tun_->write(packet);
    return tun_->readMatching(wanted, kComesBack);
  }

  // Writes `packet` and expects the ICMPv6 error type/code from the relay's
  // tunnel address to its sender, quoting it. Returns the parsed error.
  Icmp6Error expectError(const Bytes& packet, uint8_t type, uint8_t code) {
    In6 sender = ipv6Src(packet);
    auto back = writeAndRead(packet, [&](const Bytes& p) { return isFrom(p, kRelayAddr, sender, kProtoIcmp6); });
    if (!back) {
      ADD_FAILURE() << "no ICMPv6 " << int(type) << "/" << int(code) << " came back for " << hexdump(packet);
      return {};
    }
    std::string why;
    auto error = parseIcmp6Error(*back, 0, why);
    if (!error) {
      ADD_FAILURE() << "not a well-formed ICMPv6 error: " << why << "\n" << hexdump(*back);
      return {};
    }
    EXPECT_EQ(error->type, type);
    EXPECT_EQ(error->code, code);
    EXPECT_EQ(error->src, kRelayAddr);
    EXPECT_EQ(error->dst, sender);
    // RFC 4443 2.4(c): as much of the invoking packet as fits in 1280 bytes.
    size_t quoted = std::min(packet.size(), size_t{1280 - 48});
    EXPECT_EQ(error->quote, Bytes(packet.begin(), packet.begin() + static_cast<long>(quoted)));
    return *error;
  }

  // Proves nothing came back for what was written before: a forwarded
  // marker datagram is written last, and the TUN queue is in order, so
  // everything the relay answered earlier is read before the marker.
  void expectNothingBackBeforeMarker(uint16_t markerSourcePort) {
    Bytes marker = udp6({kHostA, kHostB}, markerSourcePort, 58000);
    tun_->write(marker);
    while (true) {
      auto p = tun_->read(kComesBack);
      ASSERT_TRUE(p) << "the marker datagram never came back";
      if (isFrom(*p, kHostA, kHostB, kProtoUdp) && udpSourcePort(*p) == markerSourcePort) return;
      bool kernelChatter = ipv6Dst(*p).b[0] == 0xff;  // MLD reports, router solicitations
      EXPECT_TRUE(kernelChatter) << "unexpected packet out of the tunnel before the marker:\n" << hexdump(*p);
    }
  }

  MeshfwdCli cli_{MESHFWD_BINARY};
  std::unique_ptr<TestScope> scope_;
  std::unique_ptr<NetNs> relay_;
  std::unique_ptr<TunDevice> tun_;
  std::string uplink_;
  std::unique_ptr<MeshfwdAttachment> attachment_;
};

TEST_F(RelayTunTest, AllowedMeshUdpComesBackWithHopLimitDecremented) {
  for (uint16_t port : {58000, 59000, 60000}) {
    Bytes sent = udp6({kHostA, kHostB, 64}, 40000, port, 100);
    auto back = writeAndRead(sent, [&](const Bytes& p) { return isFrom(p, kHostA, kHostB, kProtoUdp); });
    ASSERT_TRUE(back) << "UDP to port " << port << " was not forwarded back into the tunnel";
    EXPECT_EQ(*back, withHopLimit(sent, 63)) << "port " << port;
  }
}

TEST_F(RelayTunTest, EchoRequestIntoTheMeshIsForwarded) {
  Bytes sent = icmp6({kHostA, kHostB, 10}, 128, 0, payloadBytes(16));
  auto back = writeAndRead(sent, [&](const Bytes& p) { return isFrom(p, kHostA, kHostB, kProtoIcmp6); });
  ASSERT_TRUE(back) << "echo request to site B was not forwarded";
  EXPECT_EQ(*back, withHopLimit(sent, 9));
}

TEST_F(RelayTunTest, PortsOutsideTheMeshRangeAreRejectedAddressUnreachable) {
  for (uint16_t port : {57999, 60001, 22}) {
    SCOPED_TRACE("port " + std::to_string(port));
    expectError(udp6({kHostA, kHostB}, 40001, port), 1, 3);
  }
}

TEST_F(RelayTunTest, TcpIsRejectedAddressUnreachable) {
  expectError(tcp6({kHostA, kHostB}, 40002, 58000), 1, 3);
}

TEST_F(RelayTunTest, DestinationOutsideTheMeshIsRejectedAddressUnreachable) {
  expectError(udp6({kHostA, kOutsideMesh}, 40003, 58000), 1, 3);
}

TEST_F(RelayTunTest, HopLimitOneGetsTimeExceeded) {
  // Whatever the port: the kernel checks the hop limit before its filter.
  expectError(udp6({kHostA, kHostB, 1}, 40004, 58000), 3, 0);
  expectError(udp6({kHostA, kHostB, 1}, 40004, 22), 3, 0);
}

TEST_F(RelayTunTest, OversizePacketGetsPacketTooBigWithTheTunnelMtu) {
  // One byte over the tunnel MTU: 40 (IPv6) + 8 (UDP) + payload = 1421.
  Bytes sent = udp6({kHostA, kHostB}, 40005, 58000, kTunMtu + 1 - 48);
  ASSERT_EQ(sent.size(), size_t(kTunMtu + 1));
  Icmp6Error error = expectError(sent, 2, 0);
  EXPECT_EQ(error.param, uint32_t(kTunMtu));

  // Exactly the MTU still goes through.
  Bytes fits = udp6({kHostA, kHostB}, 40006, 58000, kTunMtu - 48);
  auto back = writeAndRead(fits, [&](const Bytes& p) { return isFrom(p, kHostA, kHostB, kProtoUdp); });
  ASSERT_TRUE(back) << "a packet of exactly the tunnel MTU was not forwarded";
  EXPECT_EQ(back->size(), fits.size());
}

TEST_F(RelayTunTest, PacketToTheRelayItselfGoesToItsStackNotBackIntoTheTunnel) {
  // A socket on the relay's own address proves the input path got it; the
  // marker proves nothing (forward or reject) came back into the tunnel.
  UdpSocket onRelay(relay_->name(), kRelayAddr, 58001);
  tun_->write(udp6({kHostA, kRelayAddr}, 40007, 58001, 20));
  auto got = onRelay.receive(kComesBack);
  ASSERT_TRUE(got) << "the datagram to the relay's own address never reached its stack";
  EXPECT_EQ(got->from, kHostA);
  expectNothingBackBeforeMarker(40008);
}

TEST_F(RelayTunTest, ErrorsAboutErrorsAreNeverSent) {
  // An unsolicited ICMPv6 error with hop limit 1 and one to a port outside
  // the mesh: a router answers neither (RFC 4443 2.4(e)).
  Bytes quoted = udp6({kHostB, kHostA}, 1234, 22);
  tun_->write(icmp6({kHostA, kHostB, 1}, 1, 4, concat(Bytes(4, 0), quoted)));
  tun_->write(icmp6({kHostA, kOutsideMesh}, 1, 4, concat(Bytes(4, 0), quoted)));
  expectNothingBackBeforeMarker(40009);
}

TEST_F(RelayTunTest, StatsCountersMatchWhatWasWritten) {
  MeshfwdStats before = cli_.stats(*relay_);

  constexpr int kAllowed = 5, kRejected = 3, kHopLimit = 2, kTooBig = 1;
  for (int i = 0; i < kAllowed; ++i) {
    ASSERT_TRUE(writeAndRead(udp6({kHostA, kHostB}, static_cast<uint16_t>(41000 + i), 58000),
                             [](const Bytes& p) { return isFrom(p, kHostA, kHostB, kProtoUdp); }));
  }
  for (int i = 0; i < kRejected; ++i) expectError(udp6({kHostA, kHostB}, 42000, 1000), 1, 3);
  for (int i = 0; i < kHopLimit; ++i) expectError(udp6({kHostA, kHostB, 1}, 43000, 58000), 3, 0);
  for (int i = 0; i < kTooBig; ++i) expectError(udp6({kHostA, kHostB}, 44000, 58000, 1500), 2, 0);

  MeshfwdStats delta = before.deltaTo(cli_.stats(*relay_));
  SCOPED_TRACE("counters that moved:\n" + delta.nonZero());
  EXPECT_EQ(delta.packets("relay_tc/fwd_mesh_udp"), uint64_t(kAllowed));
  EXPECT_EQ(delta.packets("relay_tc/reject_policy"), uint64_t(kRejected));
  EXPECT_EQ(delta.packets("relay_tc/time_exceeded"), uint64_t(kHopLimit));
  EXPECT_EQ(delta.packets("relay_tc/packet_too_big"), uint64_t(kTooBig));
  EXPECT_EQ(delta.packets("relay_tc/drop_icmp_ratelimited"), 0u);
  EXPECT_EQ(delta.reasons["relay_tc/fwd_mesh_udp"].bytes, uint64_t(kAllowed) * 80);  // 40 + 8 + 32 each
  EXPECT_EQ(delta.site(kSiteB).toSite.packets, uint64_t(kAllowed));
  EXPECT_EQ(delta.site(kSiteA).toSite.packets, 0u);
}

}  // namespace
}  // namespace meshfwd::test
