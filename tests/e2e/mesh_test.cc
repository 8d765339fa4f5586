// End-to-end cases 1-3 of issue 8 on the lab (`meshfwd lab up`): the
// servers' own WireGuard mesh across both sites, the relay's port policy,
// and the edge's hairpin reject. Every assertion is on real traffic sent
// from sockets inside the lab's server namespaces.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sys/time.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>

#include "tests/e2e/lab_client.h"
#include "tests/e2e/pcap_reader.h"
#include "tests/support/ns_poll.h"
#include "tests/support/ns_socket.h"

namespace meshfwd::test {
namespace {

constexpr auto kPathDeadline = 30s;  // a first packet may wait for a mesh handshake (5 s retries)
constexpr auto kArrives = 3s;
constexpr uint16_t kUdpPort = 5001;  // inside the mesh tunnel: any port
constexpr uint16_t kTcpPort = 5002;
const std::string kSecret = "meshfwd-e2e: this payload must never be readable on the relay";

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A TCP listener on [addr]:port inside a namespace; accept() with a deadline.
class TcpListener {
 public:
  TcpListener(const std::string& netns, const In6& addr, uint16_t port) {
    runInNetns(netns, [&] {
      fd_ = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
      int one = 1;
      ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      sockaddr_in6 sa{};
      sa.sin6_family = AF_INET6;
      sa.sin6_port = htons(port);
      std::memcpy(&sa.sin6_addr, addr.b.data(), 16);
      if (::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(fd_, 4) != 0)
        throw std::runtime_error("tcp listen [" + addr.str() + "]:" + std::to_string(port) + ": " + std::strerror(errno));
    });
  }
  ~TcpListener() { ::close(fd_); }
  bool accepted(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return false;
    int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) return false;
    ::close(c);
    return true;
  }

 private:
  int fd_ = -1;
};

// Sends `bytes` over one TCP connection from src to dst; returns how many
// arrived before the deadline.
size_t tcpTransfer(const std::string& srcNs, const In6& src, const std::string& dstNs, const In6& dst, uint16_t port,
                   size_t bytes, std::chrono::milliseconds timeout) {
  auto sockaddrOf = [](const In6& a, uint16_t p) {
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    sa.sin6_port = htons(p);
    std::memcpy(&sa.sin6_addr, a.b.data(), 16);
    return sa;
  };
  int listenFd = -1, clientFd = -1;
  runInNetns(dstNs, [&] { listenFd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0); });
  runInNetns(srcNs, [&] { clientFd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0); });
  int one = 1;
  ::setsockopt(listenFd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  auto at = sockaddrOf(dst, port), from = sockaddrOf(src, 0);
  if (::bind(listenFd, reinterpret_cast<sockaddr*>(&at), sizeof at) != 0 || ::listen(listenFd, 1) != 0 ||
      ::bind(clientFd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) {
    ::close(listenFd), ::close(clientFd);
    throw std::runtime_error(std::string("tcpTransfer set-up: ") + std::strerror(errno));
  }
  timeval tv{static_cast<time_t>(timeout.count() / 1000), 0};
  ::setsockopt(clientFd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  std::atomic<size_t> received{0};
  std::thread reader([&] {
    pollfd p{listenFd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return;
    int c = ::accept4(listenFd, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) return;
    ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::vector<char> buf(65536);
    for (ssize_t n; (n = ::read(c, buf.data(), buf.size())) > 0;) received += static_cast<size_t>(n);
    ::close(c);
  });
  if (::connect(clientFd, reinterpret_cast<sockaddr*>(&at), sizeof at) == 0) {
    std::vector<char> chunk(65536, 'x');
    for (size_t sent = 0; sent < bytes;) {
      ssize_t n = ::write(clientFd, chunk.data(), std::min(chunk.size(), bytes - sent));
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
    ::shutdown(clientFd, SHUT_WR);
  }
  reader.join();
  ::close(clientFd);
  ::close(listenFd);
  return received.load();
}

// tcpdump on the relay's routing tunnel, through `meshfwd lab exec`, into a
// pcap file; stopped (SIGTERM reaches tcpdump: the lab execs all the way).
// --immediate-mode: otherwise packets wait in the capture ring's block
// until a timeout and are lost when tcpdump stops.
class RelayTcpdump {
 public:
  RelayTcpdump(const LabClient& lab, const std::string& pcap) : pcap_(pcap) {
    std::filesystem::remove(pcap);
    log_ = pcap + ".log";
    process_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{MESHFWD_BINARY, "lab", "exec", "relay", "tcpdump", "-i", lab.routingTunnel("relay"),
                                 "-n", "-U", "--immediate-mode", "-s", "0", "-w", pcap},
        "", log_);
    if (!pollUntil([&] { return readFile(log_).find("listening on") != std::string::npos; }, 10s, 20ms))
      throw std::runtime_error("tcpdump did not start on the relay: " + readFile(log_));
  }
  std::vector<PcapPacket> stop() {
    process_->stop();
    return readPcap(pcap_);
  }
  std::string bytes() const { return readFile(pcap_); }

 private:
  std::string pcap_, log_;
  std::unique_ptr<BackgroundProcess> process_;
};

// Sends up to three datagrams until an ICMPv6 error comes back (5 s for
// the last): one datagram lost on the loaded machine is not a missing
// error. A path that delivers instead draws no error from any of them.
std::optional<IcmpErrorReport> sendUntilError(UdpSocket& tx, const In6& dst, uint16_t port, const Bytes& payload) {
  std::optional<IcmpErrorReport> error;
  for (int attempt = 0; attempt < 3 && !error; ++attempt) {
    tx.sendTo(dst, port, payload);
    error = tx.receiveError(attempt == 2 ? 5s : 1s);
  }
  return error;
}

bool inPrefix48(const In6& a, const In6& prefix) { return std::memcmp(a.b.data(), prefix.b.data(), 6) == 0; }

// Case 1. Every server reaches every other over the mesh by ping, UDP and
// TCP; the relay counts the routing-tunnel packets; a capture on the
// relay's tunnel holds only WireGuard UDP in the port range, and the
// payload never appears in it.
TEST(E2eMesh, EveryServerReachesEveryOtherByPingUdpAndTcpAndTheRelaySeesOnlyWireguard) {
  LabClient lab;
  auto before = lab.stats("relay");
  // The pid in the name: a fixed path would be shared with a run of the
  // suite from another build directory. Kept only when the case fails.
  std::filesystem::create_directories("/tmp/meshfwd-e2e");
  const std::string pcap = "/tmp/meshfwd-e2e/relay-tunnel-" + std::to_string(::getpid()) + ".pcap";
  RelayTcpdump capture(lab, pcap);

  int crossSitePairs = 0;
  for (const auto& src : LabClient::servers()) {
    for (const auto& dst : LabClient::servers()) {
      if (src == dst) continue;
      SCOPED_TRACE(src + " -> " + dst);
      if (src[7] != dst[7]) ++crossSitePairs;
      const In6 from = lab.serverMesh(src), to = lab.serverMesh(dst);
      ASSERT_TRUE(waitForPath(lab, src, from, to, kPathDeadline)) << "no mesh ping " << src << " -> " << dst;

      UdpSocket rx(lab.ns(dst), to, kUdpPort);
      UdpSocket tx(lab.ns(src), from);
      // A full-size datagram for the mesh MTU: the routing tunnel then
      // carries a packet of exactly its own MTU, the size a length check
      // on the relay got wrong once (guard_test data_1452).
      Bytes payload(kSecret.begin(), kSecret.end());
      payload.resize(static_cast<size_t>(std::stoi(lab.plan("MESH_MTU"))) - 40 - 8, '.');
      // Up to three datagrams a second apart: one lost on the loaded
      // machine is not a broken mesh (the suite's udpArrives does the same).
      std::optional<Datagram> got;
      for (int attempt = 0; attempt < 3 && !got; ++attempt) {
        tx.sendTo(to, kUdpPort, payload);
        got = rx.receive(attempt == 2 ? kArrives : 1s);
      }
      ASSERT_TRUE(got) << "UDP over the mesh did not arrive";
      EXPECT_EQ(got->payload, payload);
      EXPECT_EQ(got->from.str(), from.str());

      TcpListener listener(lab.ns(dst), to, kTcpPort);
      EXPECT_EQ(tcpConnect(lab.ns(src), from, to, kTcpPort, 5s), 0) << "TCP connect over the mesh";
      EXPECT_TRUE(listener.accepted(kArrives)) << "TCP connection never reached " << dst;
    }
  }

  // Bulk TCP both ways between the sites: full-size segments through
  // every hop.
  for (auto [src, dst] : {std::pair{"server-a1", "server-b1"}, std::pair{"server-b1", "server-a1"}}) {
    constexpr size_t kBulk = 4 << 20;
    size_t got = tcpTransfer(lab.ns(src), lab.serverMesh(src), lab.ns(dst), lab.serverMesh(dst), kTcpPort + 1, kBulk,
                             30s);
    EXPECT_EQ(got, kBulk) << "bulk TCP " << src << " -> " << dst;
  }

  auto packets = capture.stop();
  auto delta = before.deltaTo(lab.stats("relay"));
  // Each cross-site pair sent at least a ping, its reply, a datagram and a
  // TCP handshake through the relay, all as mesh WireGuard UDP.
  EXPECT_GE(delta.packets("relay_tc/fwd_mesh_udp"), static_cast<uint64_t>(crossSitePairs * 4)) << delta.nonZero();
  // Into each site's tunnel. (The relay's per-site from_site counter is
  // never incremented by its datapath: only to_site can be checked.)
  for (char site : {'a', 'b'})
    EXPECT_GE(delta.site(lab.sitePrefix(site)).toSite.packets, static_cast<uint64_t>(crossSitePairs))
        << "site " << site << "\n" << delta.nonZero();

  const In6 mesh = lab.meshPrefixAddr();
  size_t meshPackets = 0;
  for (const auto& p : packets) {
    auto ip = parseIpv6Udp(p.data);
    if (!ip || !(inPrefix48(ip->src, mesh) || inPrefix48(ip->dst, mesh))) continue;  // the tunnel's own link-local chatter
    ++meshPackets;
    SCOPED_TRACE(ip->describe());
    EXPECT_EQ(ip->nextHeader, IPPROTO_UDP) << "only UDP may cross the relay";
    EXPECT_GE(ip->dstPort, 58000);
    EXPECT_LE(ip->dstPort, 60000);
    EXPECT_TRUE(ip->looksLikeWireguard) << "not a WireGuard message";
  }
  EXPECT_GE(meshPackets, static_cast<size_t>(crossSitePairs * 4)) << "the capture missed the traffic";
  EXPECT_EQ(capture.bytes().find(kSecret), std::string::npos) << "the payload is readable on the relay";
  if (!::testing::Test::HasFailure()) {
    std::filesystem::remove(pcap);
    std::filesystem::remove(pcap + ".log");
  }
}

// Case 2. A server sending to a remote ULA on a port outside the range gets
// the relay's ICMPv6 destination unreachable (1/3), and the relay counts it.
TEST(E2ePolicy, PortOutsideTheRangeGetsTheRelaysAddressUnreachableAndIsCounted) {
  LabClient lab;
  const In6 a1 = lab.serverAddr("server-a1"), b1 = lab.serverAddr("server-b1");
  ASSERT_TRUE(waitForPath(lab, "server-a1", a1, b1, kPathDeadline)) << "no path server-a1 -> server-b1";
  auto before = lab.stats("relay");

  constexpr uint16_t kRefusedPort = 9000;
  UdpSocket rx(lab.ns("server-b1"), b1, kRefusedPort);
  UdpSocket tx(lab.ns("server-a1"), a1);
  auto error = sendUntilError(tx, b1, kRefusedPort, {'n', 'o'});
  ASSERT_TRUE(error) << "no ICMPv6 error came back";
  EXPECT_EQ(error->type, 1);
  EXPECT_EQ(error->code, 3);
  EXPECT_EQ(error->error, EHOSTUNREACH);
  EXPECT_EQ(error->offender.str(), In6::parse(lab.plan("RELAY_TUNNEL_ADDR")).str()) << "the relay answers";
  EXPECT_FALSE(rx.receive(1s)) << "the refused datagram reached server-b1";

  auto delta = before.deltaTo(lab.stats("relay"));
  EXPECT_GE(delta.packets("relay_tc/reject_policy"), 1u) << delta.nonZero();
}

// Case 3. A hairpin (a server sending a packet for its own /64 to the edge)
// is rejected at the edge (1/4 from XDP), counted there, and never reaches
// the relay.
TEST(E2eHairpin, IsRejectedAndCountedAtTheActiveEdgeAndNeverReachesTheRelay) {
  LabClient lab;
  const std::string edge = lab.masterOf('a');
  ASSERT_FALSE(edge.empty()) << "site A has no VRRP master";
  const In6 a1 = lab.serverAddr("server-a1"), a2 = lab.serverAddr("server-a2");
  // Only a host with a route for a neighbour through the router sends a
  // hairpin: give server-a1 one, removed again whatever happens.
  const std::string route = a2.str() + "/128";
  lab.must("server-a1", {"ip", "-6", "route", "replace", route, "via", lab.plan("VIP"), "dev", "eth0"});
  struct RouteGuard {
    const LabClient& lab;
    std::string route;
    ~RouteGuard() { lab.exec("server-a1", {"ip", "-6", "route", "del", route}); }
  } guard{lab, route};

  auto edgeBefore = lab.stats(edge);
  PacketCapture relayTunnel(lab.ns("relay"), lab.routingTunnel("relay"));
  constexpr uint16_t kPort = 58200;  // in the mesh range: only the hairpin rule can refuse it
  UdpSocket rx(lab.ns("server-a2"), a2, kPort);
  UdpSocket tx(lab.ns("server-a1"), a1);
  auto error = sendUntilError(tx, a2, kPort, {'h', 'p'});
  ASSERT_TRUE(error) << "no ICMPv6 error for the hairpin";
  EXPECT_EQ(error->type, 1);
  EXPECT_EQ(error->code, 4);
  EXPECT_FALSE(rx.receive(500ms)) << "the hairpin was delivered";

  auto edgeDelta = edgeBefore.deltaTo(lab.stats(edge));
  EXPECT_GE(edgeDelta.packets("edge_xdp/reject_hairpin") + edgeDelta.packets("edge_tc/reject_hairpin"), 1u)
      << edge << ":\n" << edgeDelta.nonZero();
  auto atRelay = relayTunnel.next(
      [&](const Bytes& pkt) {
        auto ip = parseIpv6Udp(pkt);
        return ip && ip->dst.str() == a2.str();
      },
      1s);
  EXPECT_FALSE(atRelay) << "the hairpin reached the relay's tunnel";
}

}  // namespace
}  // namespace meshfwd::test
