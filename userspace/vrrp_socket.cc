#include "userspace/vrrp_socket.h"

#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "userspace/ipv6_send.h"
#include "userspace/neighbor_advert.h"
#include "userspace/vrrp_packet.h"

namespace meshfwd::vrrp {

namespace {

constexpr int kHopLimit = 255;
constexpr int kTrafficClass = 0xc0;  // network control, as keepalived and FRR send

std::string sysError(const std::string& what) { return what + ": " + std::strerror(errno); }

std::string setInt(int fd, int level, int opt, int value, const char* name) {
  if (::setsockopt(fd, level, opt, &value, sizeof value) != 0) return sysError(name);
  return "";
}

std::string openRaw(int& fd, int protocol, const std::string& ifname) {
  fd = ::socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  if (fd < 0) return sysError("socket(AF_INET6, SOCK_RAW, " + std::to_string(protocol) + ")");
  if (::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname.c_str(), static_cast<socklen_t>(ifname.size())) != 0)
    return sysError("SO_BINDTODEVICE " + ifname);
  return "";
}

std::string sendFrom(int fd, int ifindex, std::span<const uint8_t> message, const Ipv6Addr& source,
                     const Ipv6Addr& destination) {
  if (int err = sendFromSource(fd, ifindex, message, source, destination); err < 0)
    return "sendmsg from " + source.str() + " to " + destination.str() + ": " + std::strerror(-err);
  return "";
}

}  // namespace

AdvertSocket::~AdvertSocket() { close(); }

void AdvertSocket::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::string AdvertSocket::open(const std::string& ifname, int ifindex) {
  close();
  ifindex_ = ifindex;
  if (auto e = openRaw(fd_, kProtoVrrp, ifname); !e.empty()) return close(), e;
  for (auto e : {setInt(fd_, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, kHopLimit, "IPV6_MULTICAST_HOPS"),
                 setInt(fd_, IPPROTO_IPV6, IPV6_UNICAST_HOPS, kHopLimit, "IPV6_UNICAST_HOPS"),
                 setInt(fd_, IPPROTO_IPV6, IPV6_TCLASS, kTrafficClass, "IPV6_TCLASS"),
                 // Our own adverts are of no interest; the other routers' are.
                 setInt(fd_, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0, "IPV6_MULTICAST_LOOP"),
                 setInt(fd_, IPPROTO_IPV6, IPV6_MULTICAST_IF, ifindex, "IPV6_MULTICAST_IF"),
                 setInt(fd_, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT"),
                 setInt(fd_, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO")}) {
    if (!e.empty()) return close(), e;
  }
  ipv6_mreq group{};
  std::memcpy(&group.ipv6mr_multiaddr, kVrrpGroup.bytes.data(), 16);
  group.ipv6mr_interface = static_cast<unsigned>(ifindex);
  if (::setsockopt(fd_, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &group, sizeof group) != 0) {
    auto e = sysError("joining ff02::12 on " + ifname);
    return close(), e;
  }
  return "";
}

std::string AdvertSocket::send(std::span<const uint8_t> message, const Ipv6Addr& source) {
  return sendFrom(fd_, ifindex_, message, source, kVrrpGroup);
}

std::optional<ReceivedPacket> AdvertSocket::receive() {
  auto d = receiveWithInfo(fd_);
  // RFC 9568 §7.1 checks need both: hop limit 255 and the ff02::12 group.
  if (!d || !d->hopLimit || !d->destination) return std::nullopt;
  ReceivedPacket p;
  p.message = std::move(d->payload);
  p.hopLimit = *d->hopLimit;
  p.source = d->source;
  p.destination = *d->destination;
  return p;
}

NeighborAdvertSocket::~NeighborAdvertSocket() { close(); }

void NeighborAdvertSocket::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::string NeighborAdvertSocket::open(const std::string& ifname, int ifindex) {
  close();
  ifindex_ = ifindex;
  if (auto e = openRaw(fd_, IPPROTO_ICMPV6, ifname); !e.empty()) return close(), e;
  for (auto e : {setInt(fd_, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, kHopLimit, "IPV6_MULTICAST_HOPS"),
                 setInt(fd_, IPPROTO_IPV6, IPV6_MULTICAST_IF, ifindex, "IPV6_MULTICAST_IF")}) {
    if (!e.empty()) return close(), e;
  }
  // Send only: an empty ICMPv6 filter keeps the receive queue from filling.
  uint32_t blockAll[8];
  std::memset(blockAll, 0xff, sizeof blockAll);
  ::setsockopt(fd_, IPPROTO_ICMPV6, 1 /* ICMP6_FILTER */, blockAll, sizeof blockAll);
  return "";
}

std::string NeighborAdvertSocket::send(std::span<const uint8_t> message, const Ipv6Addr& source) {
  return sendFrom(fd_, ifindex_, message, source, kAllNodes);
}

}  // namespace meshfwd::vrrp
