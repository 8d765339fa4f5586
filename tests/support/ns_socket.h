// Sending and receiving real traffic from inside a namespace: sockets are
// opened on a thread that joined the namespace (runInNetns), so they stay
// bound to it while the test thread drives them. Errors the sender's kernel
// receives (ICMPv6) are read the way an application would: IPV6_RECVERR on
// UDP, the connect() errno on TCP.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "tests/support/packet.h"

namespace meshfwd::test {

struct Datagram {
  In6 from;
  uint16_t fromPort = 0;
  Bytes payload;
};

// What the kernel queued on the socket's error queue for an ICMPv6 error.
struct IcmpErrorReport {
  int error = 0;  // the errno the application sees (EHOSTUNREACH for 1/3, ...)
  uint8_t type = 0;
  uint8_t code = 0;
  uint32_t info = 0;  // MTU for packet too big
  In6 offender;       // the router (or host) that sent the error
};

class UdpSocket {
 public:
  // Bound to [bindAddr]:port (port 0: ephemeral), IPV6_RECVERR on.
  UdpSocket(const std::string& netns, const In6& bindAddr, uint16_t port = 0);
  ~UdpSocket();
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  uint16_t port() const { return port_; }
  void sendTo(const In6& dst, uint16_t dstPort, const Bytes& payload);
  std::optional<Datagram> receive(std::chrono::milliseconds timeout);
  std::optional<IcmpErrorReport> receiveError(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// ICMPv6 echo over a raw socket (no ping binary, no ping_group_range).
class PingSocket {
 public:
  PingSocket(const std::string& netns, const In6& src);
  ~PingSocket();
  PingSocket(const PingSocket&) = delete;
  PingSocket& operator=(const PingSocket&) = delete;

  // One echo request; true when the matching reply arrives in time.
  bool ping(const In6& dst, std::chrono::milliseconds timeout, size_t payloadBytes = 56);
  uint32_t sent() const { return seq_; }

 private:
  int fd_ = -1;
  uint16_t id_ = 0;
  uint16_t seq_ = 0;
};

// A TCP connect from src to [dst]:port; returns 0 when connected, else the
// errno (EHOSTUNREACH after an ICMPv6 1/3, ECONNREFUSED, ETIMEDOUT at the
// deadline).
int tcpConnect(const std::string& netns, const In6& src, const In6& dst, uint16_t port,
               std::chrono::milliseconds timeout);

// Every IPv6 packet received on one interface (AF_PACKET, link header
// stripped), for checking an ICMPv6 error byte by byte with icmp6_check.
class PacketCapture {
 public:
  PacketCapture(const std::string& netns, const std::string& ifname);
  ~PacketCapture();
  PacketCapture(const PacketCapture&) = delete;
  PacketCapture& operator=(const PacketCapture&) = delete;

  std::optional<Bytes> next(const std::function<bool(const Bytes&)>& wanted, std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
};

}  // namespace meshfwd::test
