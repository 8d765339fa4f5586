#include "tests/support/ns_socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "tests/support/netns.h"

namespace meshfwd::test {

namespace {

using Clock = std::chrono::steady_clock;

sockaddr_in6 sockaddrOf(const In6& addr, uint16_t port) {
  sockaddr_in6 sa{};
  sa.sin6_family = AF_INET6;
  sa.sin6_port = htons(port);
  std::memcpy(&sa.sin6_addr, addr.b.data(), 16);
  return sa;
}

In6 in6Of(const in6_addr& a) {
  In6 out;
  std::memcpy(out.b.data(), &a, 16);
  return out;
}

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what + ": " + std::strerror(errno)); }

// Milliseconds left until `deadline`, at least 0.
int msLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

// Waits for `events` on fd; false at the deadline.
bool waitFor(int fd, short events, Clock::time_point deadline) {
  while (true) {
    pollfd pfd{fd, events, 0};
    int n = ::poll(&pfd, 1, msLeft(deadline));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) fail("poll");
  }
}

int openSocketIn(const std::string& netns, int domain, int type, int protocol) {
  int fd = -1;
  runInNetns(netns, [&] {
    fd = ::socket(domain, type | SOCK_CLOEXEC | SOCK_NONBLOCK, protocol);
    if (fd < 0) fail("socket in " + netns);
  });
  return fd;
}

void bindTo(int fd, const In6& addr, uint16_t port) {
  auto sa = sockaddrOf(addr, port);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) fail("bind [" + addr.str() + "]");
}

}  // namespace

UdpSocket::UdpSocket(const std::string& netns, const In6& bindAddr, uint16_t port) {
  fd_ = openSocketIn(netns, AF_INET6, SOCK_DGRAM, IPPROTO_UDP);
  int on = 1;
  if (::setsockopt(fd_, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof on) != 0) fail("IPV6_RECVERR");
  bindTo(fd_, bindAddr, port);
  sockaddr_in6 sa{};
  socklen_t len = sizeof sa;
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len);
  port_ = ntohs(sa.sin6_port);
}

UdpSocket::~UdpSocket() {
  if (fd_ >= 0) ::close(fd_);
}

void UdpSocket::sendTo(const In6& dst, uint16_t dstPort, const Bytes& payload) {
  auto sa = sockaddrOf(dst, dstPort);
  // A pending error from an earlier datagram makes sendto() return it
  // once; that is not this datagram's failure, so try again.
  for (int attempt = 0; attempt < 3; ++attempt) {
    ssize_t n = ::sendto(fd_, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    if (n == static_cast<ssize_t>(payload.size())) return;
    if (n < 0 && (errno == EHOSTUNREACH || errno == ECONNREFUSED || errno == ENETUNREACH || errno == EACCES)) continue;
    fail("sendto [" + dst.str() + "]:" + std::to_string(dstPort));
  }
  fail("sendto [" + dst.str() + "]:" + std::to_string(dstPort) + " (repeated errors)");
}

std::optional<Datagram> UdpSocket::receive(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    Datagram d;
    d.payload.resize(65536);
    sockaddr_in6 from{};
    socklen_t len = sizeof from;
    ssize_t n = ::recvfrom(fd_, d.payload.data(), d.payload.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n >= 0) {
      d.payload.resize(static_cast<size_t>(n));
      d.from = in6Of(from.sin6_addr);
      d.fromPort = ntohs(from.sin6_port);
      return d;
    }
    // A queued ICMPv6 error surfaces as a recv error; it is read by
    // receiveError(), not here.
    if (errno != EAGAIN && errno != EINTR && errno != EHOSTUNREACH && errno != ECONNREFUSED &&
        errno != ENETUNREACH && errno != EACCES) {
      fail("recvfrom");
    }
    if (!waitFor(fd_, POLLIN, deadline)) return std::nullopt;
  }
}

std::optional<IcmpErrorReport> UdpSocket::receiveError(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    char data[2048];
    char control[512];
    sockaddr_in6 to{};
    iovec iov{data, sizeof data};
    msghdr msg{};
    msg.msg_name = &to;
    msg.msg_namelen = sizeof to;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = ::recvmsg(fd_, &msg, MSG_ERRQUEUE);
    if (n >= 0) {
      for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != IPPROTO_IPV6 || c->cmsg_type != IPV6_RECVERR) continue;
        auto* ee = reinterpret_cast<sock_extended_err*>(CMSG_DATA(c));
        if (ee->ee_origin != SO_EE_ORIGIN_ICMP6) continue;
        IcmpErrorReport report;
        report.error = static_cast<int>(ee->ee_errno);
        report.type = ee->ee_type;
        report.code = ee->ee_code;
        report.info = ee->ee_info;
        auto* offender = reinterpret_cast<sockaddr_in6*>(SO_EE_OFFENDER(ee));
        report.offender = in6Of(offender->sin6_addr);
        return report;
      }
      continue;
    }
    if (errno != EAGAIN && errno != EINTR) fail("recvmsg MSG_ERRQUEUE");
    // The error queue signals POLLERR, which poll() reports unasked.
    if (!waitFor(fd_, 0, deadline)) return std::nullopt;
  }
}

PingSocket::PingSocket(const std::string& netns, const In6& src) {
  fd_ = openSocketIn(netns, AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
  bindTo(fd_, src, 0);
  icmp6_filter filter;
  ICMP6_FILTER_SETBLOCKALL(&filter);
  ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
  if (::setsockopt(fd_, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter) != 0) fail("ICMP6_FILTER");
  id_ = static_cast<uint16_t>(::getpid() ^ fd_);
}

PingSocket::~PingSocket() {
  if (fd_ >= 0) ::close(fd_);
}

bool PingSocket::ping(const In6& dst, std::chrono::milliseconds timeout, size_t payloadBytes) {
  uint16_t seq = ++seq_;
  Bytes request(8 + payloadBytes, 0);
  request[0] = ICMP6_ECHO_REQUEST;
  request[4] = static_cast<uint8_t>(id_ >> 8);
  request[5] = static_cast<uint8_t>(id_);
  request[6] = static_cast<uint8_t>(seq >> 8);
  request[7] = static_cast<uint8_t>(seq);
  for (size_t i = 8; i < request.size(); ++i) request[i] = static_cast<uint8_t>(i);
  auto sa = sockaddrOf(dst, 0);  // the kernel fills the ICMPv6 checksum of raw ICMPv6 sockets
  if (::sendto(fd_, request.data(), request.size(), 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) {
    return false;  // e.g. no route: the ping did not work
  }
  auto deadline = Clock::now() + timeout;
  while (true) {
    uint8_t reply[65536];
    sockaddr_in6 from{};
    socklen_t len = sizeof from;
    ssize_t n = ::recvfrom(fd_, reply, sizeof reply, 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n >= 8 && reply[0] == ICMP6_ECHO_REPLY && in6Of(from.sin6_addr) == dst &&
        reply[4] == request[4] && reply[5] == request[5] && reply[6] == request[6] && reply[7] == request[7]) {
      return true;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) fail("recvfrom (ping)");
    if (n < 0 && !waitFor(fd_, POLLIN, deadline)) return false;
  }
}

int tcpConnect(const std::string& netns, const In6& src, const In6& dst, uint16_t port,
               std::chrono::milliseconds timeout) {
  int fd = openSocketIn(netns, AF_INET6, SOCK_STREAM, IPPROTO_TCP);
  bindTo(fd, src, 0);
  auto sa = sockaddrOf(dst, port);
  int result = 0;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    if (errno != EINPROGRESS) {
      result = errno;
    } else if (!waitFor(fd, POLLOUT, Clock::now() + timeout)) {
      result = ETIMEDOUT;
    } else {
      socklen_t len = sizeof result;
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &result, &len);
    }
  }
  ::close(fd);
  return result;
}

PacketCapture::PacketCapture(const std::string& netns, const std::string& ifname) {
  fd_ = openSocketIn(netns, AF_PACKET, SOCK_DGRAM, htons(ETH_P_IPV6));
  unsigned index = 0;
  runInNetns(netns, [&] { index = ::if_nametoindex(ifname.c_str()); });
  if (index == 0) throw std::runtime_error("no interface " + ifname + " in " + netns);
  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_IPV6);
  sll.sll_ifindex = static_cast<int>(index);
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&sll), sizeof sll) != 0) fail("bind AF_PACKET " + ifname);
}

PacketCapture::~PacketCapture() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<Bytes> PacketCapture::next(const std::function<bool(const Bytes&)>& wanted,
                                         std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    Bytes buf(65536);
    sockaddr_ll from{};
    socklen_t len = sizeof from;
    ssize_t n = ::recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n >= 0) {
      buf.resize(static_cast<size_t>(n));
      // Only what the interface received: our own transmissions are
      // PACKET_OUTGOING.
      if (from.sll_pkttype != PACKET_OUTGOING && wanted(buf)) return buf;
      continue;
    }
    if (errno != EAGAIN && errno != EINTR) fail("recvfrom AF_PACKET");
    if (!waitFor(fd_, POLLIN, deadline)) return std::nullopt;
  }
}

}  // namespace meshfwd::test
