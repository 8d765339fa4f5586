// The whole seed network from real parts (issue 4): a relay running
// `meshfwd attach --role relay`; two sites, each an edge namespace running
// `meshfwd attach --role edge` with a wireguard-go routing tunnel to the
// relay (the site's key, PersistentKeepalive 25), and a server namespace on
// the edge's LAN (static addresses and a /48 route via the edge until RAs
// land). The servers run their own WireGuard mesh over each other's ULA.
//
// Every router (relay and both edges) has a netfilter forward chain that
// drops everything: what gets through was forwarded by meshfwd's programs,
// not by the kernel.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

#include "tests/support/icmp6_check.h"
#include "tests/support/netns.h"
#include "tests/support/ns_meshfwd.h"
#include "tests/support/ns_poll.h"
#include "tests/support/ns_socket.h"
#include "tests/support/ns_topology.h"
#include "tests/support/ns_xdp_pass.h"

namespace meshfwd::test {
namespace {

constexpr uint16_t kMeshPort = 58000;
constexpr auto kArrives = 3s;
constexpr auto kHandshake = 15s;
const In6 kForeignSource = In6::parse("fd42:4242:4242:c::66");  // in the /48, in no site of this edge

// One site: the edge router and a server on its LAN.
struct Site {
  SitePlan plan;
  uint16_t meshListenPort;  // the server's WireGuard mesh port, in 58000-60000
  std::unique_ptr<NetNs> edge;
  std::unique_ptr<NetNs> server;
  std::unique_ptr<WireguardInterface> routingTunnel;
  std::unique_ptr<WireguardInterface> meshTunnel;
  std::unique_ptr<MeshfwdAttachment> meshfwd;

  In6 edgeLanAddr() const { return plan.host(1); }
  In6 serverAddr() const { return plan.host(0x10); }
  In6 meshAddr() const { return In6::parse(std::string("fd98::") + plan.letter); }  // mesh tunnel /128
};

class EdgeMeshTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scope_ = std::make_unique<TestScope>("nsem");
    internet_ = std::make_unique<Internet>(*scope_);
    relay_ = std::make_unique<NetNs>(scope_->name("relay"));
    internet_->plug(*relay_, scope_->name("up"), {"2001:db8:ffff::1/64"});
    relayTunnel_ = std::make_unique<RelayTunnel>(*relay_, scope_->name("wr"), scope_->workDir());
    relay_->sysctl("net.ipv6.conf.all.forwarding", "1");
    dropKernelForwarding(*relay_);

    a_.plan = {'a'};
    a_.meshListenPort = 58100;
    b_.plan = {'b'};
    b_.meshListenPort = 59200;
    buildSite(a_, "2001:db8:ffff::a/64");
    buildSite(b_, "2001:db8:ffff::b/64");

    relayMeshfwd_ = std::make_unique<MeshfwdAttachment>(
        cli_, *relay_,
        std::vector<std::string>{"--role", "relay", "--tunnel", relayTunnel_->name(), "--mesh-prefix",
                                 kPlanMeshPrefix, "--ports", kPlanPorts, scope_->name("up")});
    for (Site* s : {&a_, &b_}) {
      s->meshfwd = std::make_unique<MeshfwdAttachment>(
          cli_, *s->edge,
          std::vector<std::string>{"--role", "edge", "--tunnel", s->routingTunnel->name(), "--site", s->plan.prefix(),
                                   "--mesh-prefix", kPlanMeshPrefix, scope_->name("lan")});
    }
    for (Site* s : {&a_, &b_}) {
      ASSERT_TRUE(waitForPing(*s->edge, s->plan.tunnelAddr(), kPlanRelayTunnelAddr, kHandshake))
          << "edge " << s->plan.letter << " never reached the relay\n" << relayTunnel_->wg().show();
    }
  }

  void buildSite(Site& s, const std::string& underlayAddr) {
    const std::string letter(1, s.plan.letter);
    s.edge = std::make_unique<NetNs>(scope_->name("e" + letter));
    s.server = std::make_unique<NetNs>(scope_->name("s" + letter));
    internet_->plug(*s.edge, scope_->name("up"), {underlayAddr});

    WgKeyPair siteKeys = generateWgKeyPair();
    relayTunnel_->addSite(s.plan, siteKeys.publicKey);
    s.routingTunnel = makeSiteTunnel(*s.edge, scope_->name("w" + letter), s.plan, siteKeys, *relayTunnel_,
                                     "[2001:db8:ffff::1]:" + std::to_string(kPlanRelayWgPort), scope_->workDir());

    // The LAN: one veth from the edge to the server. The server's end runs
    // an XDP pass program so the edge's XDP_TX errors can reach it.
    const std::string lan = scope_->name("lan"), eth = scope_->name("eth");
    addVethPair(*s.edge, lan, *s.server, eth);
    s.edge->ip("addr add " + s.edgeLanAddr().str() + "/64 dev " + lan + " nodad");
    s.edge->ip("link set " + lan + " up");
    s.edge->sysctl("net.ipv6.conf.all.forwarding", "1");
    dropKernelForwarding(*s.edge);

    s.server->ip("addr add " + s.serverAddr().str() + "/64 dev " + eth + " nodad");
    s.server->ip("link set " + eth + " up");
    s.server->ip(std::string("route add ") + kPlanMeshPrefix + " via " + s.edgeLanAddr().str() + " dev " + eth);
    attachXdpPass(s.server->name(), eth);
  }

  // The servers' own WireGuard mesh: endpoint = the other server's ULA,
  // MTU = routing tunnel MTU - 80.
  void buildServerMesh() {
    WgKeyPair keysA = generateWgKeyPair(), keysB = generateWgKeyPair();
    a_.meshTunnel = std::make_unique<WireguardInterface>(*a_.server, scope_->name("ma"), keysA, a_.meshListenPort,
                                                         scope_->workDir());
    b_.meshTunnel = std::make_unique<WireguardInterface>(*b_.server, scope_->name("mb"), keysB, b_.meshListenPort,
                                                         scope_->workDir());
    for (auto [self, peer] : {std::pair{&a_, &b_}, std::pair{&b_, &a_}}) {
      self->meshTunnel->addPeer({peer->meshTunnel->keys().publicKey,
                                 "[" + peer->serverAddr().str() + "]:" + std::to_string(peer->meshListenPort),
                                 {peer->meshAddr().str() + "/128"},
                                 0});
      self->meshTunnel->up({self->meshAddr().str() + "/128"}, kPlanMeshMtu);
      self->server->ip("route add " + peer->meshAddr().str() + "/128 dev " + self->meshTunnel->name());
    }
  }

  void TearDown() override {
    for (Site* s : {&a_, &b_}) {
      s->meshfwd.reset();
      s->meshTunnel.reset();
      s->routingTunnel.reset();
    }
    relayMeshfwd_.reset();
    relayTunnel_.reset();
    for (Site* s : {&a_, &b_}) {
      s->server.reset();
      s->edge.reset();
    }
    relay_.reset();
    internet_.reset();
    scope_.reset();
  }

  MeshfwdCli cli_{MESHFWD_BINARY};
  std::unique_ptr<TestScope> scope_;
  std::unique_ptr<Internet> internet_;
  std::unique_ptr<NetNs> relay_;
  std::unique_ptr<RelayTunnel> relayTunnel_;
  std::unique_ptr<MeshfwdAttachment> relayMeshfwd_;
  Site a_, b_;
};

TEST_F(EdgeMeshTest, ServerAReachesServerBsUlaWithPingAndUdp) {
  // The first ping also resolves each LAN neighbour: bpf_redirect_neigh
  // queues that packet rather than losing it, but allow retries anyway.
  ASSERT_TRUE(waitForPing(*a_.server, a_.serverAddr(), b_.serverAddr(), kHandshake))
      << "server A never got an echo reply from server B";
  PingSocket fromB(b_.server->name(), b_.serverAddr());
  EXPECT_TRUE(fromB.ping(a_.serverAddr(), kArrives)) << "server B -> server A echo got no reply";

  UdpSocket atB(b_.server->name(), b_.serverAddr(), kMeshPort);
  UdpSocket atA(a_.server->name(), a_.serverAddr());
  Bytes hello = payloadBytes(300, 3);
  atA.sendTo(b_.serverAddr(), kMeshPort, hello);
  auto got = atB.receive(kArrives);
  ASSERT_TRUE(got) << "UDP from server A never reached server B";
  EXPECT_EQ(got->from, a_.serverAddr());
  EXPECT_EQ(got->payload, hello);
}

TEST_F(EdgeMeshTest, ServerToServerWireguardMeshCarriesTrafficEndToEnd) {
  buildServerMesh();
  MeshfwdStats relayBefore = cli_.stats(*relay_);

  ASSERT_TRUE(waitForPing(*a_.server, a_.meshAddr(), b_.meshAddr(), kHandshake))
      << "no echo reply over the servers' WireGuard mesh\n" << a_.meshTunnel->show();
  EXPECT_NE(a_.meshTunnel->latestHandshake(b_.meshTunnel->keys().publicKey), 0u);

  UdpSocket atB(b_.server->name(), b_.meshAddr(), 7000);  // inside the mesh any port goes
  UdpSocket atA(a_.server->name(), a_.meshAddr());
  constexpr int kInner = 5;
  for (int i = 0; i < kInner; ++i) {
    atA.sendTo(b_.meshAddr(), 7000, payloadBytes(500));
    ASSERT_TRUE(atB.receive(kArrives)) << "datagram " << i << " over the mesh never arrived";
  }

  // The relay saw only the outer mesh UDP (each inner packet is one, plus
  // the handshake), never the servers' ICMPv6 inside it.
  MeshfwdStats delta = relayBefore.deltaTo(cli_.stats(*relay_));
  SCOPED_TRACE("relay counters that moved:\n" + delta.nonZero());
  EXPECT_GE(delta.packets("relay_tc/fwd_mesh_udp"), uint64_t(2 + 2 + kInner));  // handshake, echo pair, data
  EXPECT_EQ(delta.packets("relay_tc/fwd_icmp"), 0u);
  EXPECT_EQ(delta.packets("relay_tc/reject_policy"), 0u);
}

TEST_F(EdgeMeshTest, HairpinAttemptGetsPortUnreachableFromTheEdge) {
  // A /128 in server A's own /64, routed via the edge (a neighbour that
  // does not exist): the edge must not send it into the tunnel.
  const In6 ghost = a_.plan.host(0x99);
  a_.server->ip("route add " + ghost.str() + "/128 via " + a_.edgeLanAddr().str() + " dev " + scope_->name("eth"));
  MeshfwdStats before = cli_.stats(*a_.edge);

  UdpSocket atA(a_.server->name(), a_.serverAddr());
  PacketCapture onEth(a_.server->name(), scope_->name("eth"));
  atA.sendTo(ghost, kMeshPort, payloadBytes(40));
  auto report = atA.receiveError(kArrives);
  ASSERT_TRUE(report) << "server A's socket never got an ICMPv6 error for the hairpin";
  EXPECT_EQ(report->type, 1);
  EXPECT_EQ(report->code, 4);
  EXPECT_EQ(report->error, ECONNREFUSED);
  EXPECT_EQ(report->offender, a_.edgeLanAddr());

  auto frame = onEth.next([](const Bytes& p) { return p.size() > 48 && p[6] == kProtoIcmp6 && p[40] == 1; }, kArrives);
  ASSERT_TRUE(frame) << "no ICMPv6 error seen on server A's LAN interface";
  std::string why;
  auto error = parseIcmp6Error(*frame, 0, why);
  ASSERT_TRUE(error) << why << "\n" << hexdump(*frame);
  EXPECT_EQ(error->src, a_.edgeLanAddr());
  EXPECT_EQ(error->dst, a_.serverAddr());

  MeshfwdStats delta = before.deltaTo(cli_.stats(*a_.edge));
  SCOPED_TRACE("edge A counters that moved:\n" + delta.nonZero());
  EXPECT_EQ(delta.packets("edge_xdp/reject_hairpin"), 1u);
  EXPECT_EQ(delta.packets("edge_tc/fwd_lan_to_tunnel"), 0u);
}

TEST_F(EdgeMeshTest, SpoofedSourceIsDroppedAndCounted) {
  // Server A sends from an address outside its site /64 (BCP 38).
  a_.server->ip("addr add " + kForeignSource.str() + "/128 dev " + scope_->name("eth") + " nodad");
  ASSERT_TRUE(waitForPing(*a_.server, a_.serverAddr(), b_.serverAddr(), kHandshake));
  MeshfwdStats before = cli_.stats(*a_.edge);

  UdpSocket spoofTarget(b_.server->name(), b_.serverAddr(), kMeshPort + 1);
  UdpSocket markerTarget(b_.server->name(), b_.serverAddr(), kMeshPort);
  UdpSocket spoofer(a_.server->name(), kForeignSource);
  UdpSocket honest(a_.server->name(), a_.serverAddr());
  spoofer.sendTo(b_.serverAddr(), kMeshPort + 1, payloadBytes(20));
  // Sent after it over the same path: once it is in, the spoofed one would be too.
  honest.sendTo(b_.serverAddr(), kMeshPort, payloadBytes(20));
  ASSERT_TRUE(markerTarget.receive(kArrives)) << "the honest datagram never arrived";
  EXPECT_FALSE(spoofTarget.receive(0ms)) << "a datagram with a spoofed source crossed the edge";

  MeshfwdStats delta = before.deltaTo(cli_.stats(*a_.edge));
  SCOPED_TRACE("edge A counters that moved:\n" + delta.nonZero());
  EXPECT_EQ(delta.packets("edge_xdp/drop_spoofed_source"), 1u);
  EXPECT_EQ(delta.packets("edge_tc/fwd_lan_to_tunnel"), 1u);
}

TEST_F(EdgeMeshTest, CountersOnEachBoxMatchTheTraffic) {
  // Neighbours resolved and tunnels up first, so the counted traffic is
  // exactly what is sent below.
  ASSERT_TRUE(waitForPing(*a_.server, a_.serverAddr(), b_.serverAddr(), kHandshake));
  MeshfwdStats relayBefore = cli_.stats(*relay_), edgeABefore = cli_.stats(*a_.edge),
               edgeBBefore = cli_.stats(*b_.edge);

  constexpr int kDatagrams = 8, kPings = 3, kPayload = 100;
  UdpSocket atB(b_.server->name(), b_.serverAddr(), kMeshPort);
  UdpSocket atA(a_.server->name(), a_.serverAddr());
  for (int i = 0; i < kDatagrams; ++i) {
    atA.sendTo(b_.serverAddr(), kMeshPort, payloadBytes(kPayload));
    ASSERT_TRUE(atB.receive(kArrives)) << "datagram " << i << " never arrived";
  }
  PingSocket fromA(a_.server->name(), a_.serverAddr());
  for (int i = 0; i < kPings; ++i) ASSERT_TRUE(fromA.ping(b_.serverAddr(), kArrives)) << "ping " << i;

  const uint64_t towardsB = kDatagrams + kPings, towardsA = kPings;
  {
    MeshfwdStats d = relayBefore.deltaTo(cli_.stats(*relay_));
    SCOPED_TRACE("relay:\n" + d.nonZero());
    EXPECT_EQ(d.packets("relay_tc/fwd_mesh_udp"), uint64_t(kDatagrams));
    EXPECT_EQ(d.reasons["relay_tc/fwd_mesh_udp"].bytes, uint64_t(kDatagrams) * (40 + 8 + kPayload));
    EXPECT_EQ(d.packets("relay_tc/fwd_icmp"), uint64_t(2 * kPings));
    EXPECT_EQ(d.site(b_.plan.prefix()).toSite.packets, towardsB);
    EXPECT_EQ(d.site(a_.plan.prefix()).toSite.packets, towardsA);
  }
  {
    MeshfwdStats d = edgeABefore.deltaTo(cli_.stats(*a_.edge));
    SCOPED_TRACE("edge A:\n" + d.nonZero());
    EXPECT_EQ(d.packets("edge_xdp/pass_mesh_to_tc"), towardsB);
    EXPECT_EQ(d.packets("edge_tc/fwd_lan_to_tunnel"), towardsB);
    EXPECT_EQ(d.packets("edge_tc/fwd_tunnel_to_lan"), towardsA);
    EXPECT_EQ(d.site(a_.plan.prefix()).fromSite.packets, towardsB);
    EXPECT_EQ(d.site(a_.plan.prefix()).toSite.packets, towardsA);
  }
  {
    MeshfwdStats d = edgeBBefore.deltaTo(cli_.stats(*b_.edge));
    SCOPED_TRACE("edge B:\n" + d.nonZero());
    EXPECT_EQ(d.packets("edge_tc/fwd_tunnel_to_lan"), towardsB);
    EXPECT_EQ(d.packets("edge_tc/fwd_lan_to_tunnel"), towardsA);
    EXPECT_EQ(d.site(b_.plan.prefix()).toSite.packets, towardsB);
    EXPECT_EQ(d.site(b_.plan.prefix()).fromSite.packets, towardsA);
  }
}

TEST_F(EdgeMeshTest, EverythingCleansUp) {
  buildServerMesh();
  const std::string lan = scope_->name("lan");
  for (Site* s : {&a_, &b_}) {
    auto detached = s->meshfwd->detach();
    ASSERT_TRUE(detached.ok()) << detached.describe();
    for (const auto& dev : {lan, s->routingTunnel->name()}) {
      EXPECT_EQ(s->edge->must({"tc", "filter", "show", "dev", dev, "ingress"}).out, "") << dev;
      EXPECT_EQ(s->edge->must({"tc", "qdisc", "show", "dev", dev}).out.find("clsact"), std::string::npos) << dev;
      EXPECT_EQ(s->edge->must({"ip", "-d", "link", "show", "dev", dev}).out.find("xdp"), std::string::npos) << dev;
    }
  }
  auto detached = relayMeshfwd_->detach();
  ASSERT_TRUE(detached.ok()) << detached.describe();
  EXPECT_EQ(relay_->must({"tc", "filter", "show", "dev", relayTunnel_->name(), "ingress"}).out, "");

  // Tear the whole topology down now and look for anything left.
  TearDown();
  auto namespaces = runCommand({"ip", "netns", "list"});
  EXPECT_EQ(namespaces.out.find("nsem-"), std::string::npos) << namespaces.out;
  std::error_code noDirectory;  // no wireguard-go ever ran: nothing left either
  for (const auto& entry : std::filesystem::directory_iterator("/var/run/wireguard", noDirectory)) {
    EXPECT_NE(entry.path().filename().string().rfind("nsem-", 0), 0u) << "left behind: " << entry.path();
  }
  auto wireguardGo = runCommand({"pgrep", "-af", "wireguard-go -f nsem-"});
  EXPECT_EQ(wireguardGo.out, "") << "wireguard-go still running";
}

}  // namespace
}  // namespace meshfwd::test
