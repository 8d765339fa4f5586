#include "userspace/ra_socket.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "userspace/ipv6_send.h"

namespace meshfwd::ra {

namespace {

constexpr int kNdHopLimit = 255;  // RFC 4861: receivers drop anything else

std::string errnoText(const char* step) { return std::string(step) + ": " + std::strerror(errno); }

in6_addr toIn6(const Ipv6Addr& a) {
  in6_addr out{};
  std::memcpy(out.s6_addr, a.bytes.data(), 16);
  return out;
}

}  // namespace

RaSocket::~RaSocket() { close(); }

void RaSocket::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::string RaSocket::open() {
  fd_ = ::socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
  if (fd_ < 0) return errnoText("socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6)");
  icmp6_filter filter;
  ICMP6_FILTER_SETBLOCKALL(&filter);
  ICMP6_FILTER_SETPASS(ND_ROUTER_SOLICIT, &filter);
  if (::setsockopt(fd_, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter) < 0) return errnoText("ICMP6_FILTER");
  int on = 1, off = 0, hops = kNdHopLimit;
  if (::setsockopt(fd_, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof on) < 0) return errnoText("IPV6_RECVHOPLIMIT");
  if (::setsockopt(fd_, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on) < 0) return errnoText("IPV6_RECVPKTINFO");
  if (::setsockopt(fd_, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops) < 0)
    return errnoText("IPV6_MULTICAST_HOPS");
  if (::setsockopt(fd_, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof hops) < 0) return errnoText("IPV6_UNICAST_HOPS");
  // Our own adverts are of no interest to us (and the filter drops them anyway).
  if (::setsockopt(fd_, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off, sizeof off) < 0)
    return errnoText("IPV6_MULTICAST_LOOP");
  return "";
}

std::string RaSocket::joinAllRouters(int ifindex) {
  ipv6_mreq mreq{};
  mreq.ipv6mr_multiaddr = toIn6(*Ipv6Addr::parse("ff02::2"));
  mreq.ipv6mr_interface = static_cast<unsigned>(ifindex);
  if (::setsockopt(fd_, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mreq, sizeof mreq) < 0 && errno != EADDRINUSE)
    return errnoText("IPV6_ADD_MEMBERSHIP ff02::2");
  return "";
}

void RaSocket::leaveAllRouters(int ifindex) {
  ipv6_mreq mreq{};
  mreq.ipv6mr_multiaddr = toIn6(*Ipv6Addr::parse("ff02::2"));
  mreq.ipv6mr_interface = static_cast<unsigned>(ifindex);
  // The interface may already be gone, and with it the membership.
  (void)::setsockopt(fd_, IPPROTO_IPV6, IPV6_DROP_MEMBERSHIP, &mreq, sizeof mreq);
}

int RaSocket::send(const Bytes& message, const Ipv6Addr& src, const Ipv6Addr& dst, int ifindex) {
  return sendFromSource(fd_, ifindex, message, src, dst);
}

std::optional<ReceivedIcmp6> RaSocket::receive() {
  auto d = receiveWithInfo(fd_);
  if (!d) return std::nullopt;
  ReceivedIcmp6 r;
  r.message = std::move(d->payload);
  r.source = d->source;
  r.hopLimit = d->hopLimit.value_or(0);  // 0 fails the RS hop-limit check
  r.ifindex = d->arrivalIfindex.value_or(d->sourceScope);
  return r;
}

std::optional<MacAddr> interfaceMac(const std::string& ifname) {
  int fd = ::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  ifreq req{};
  std::strncpy(req.ifr_name, ifname.c_str(), IFNAMSIZ - 1);
  int rc = ::ioctl(fd, SIOCGIFHWADDR, &req);
  ::close(fd);
  if (rc < 0 || req.ifr_hwaddr.sa_family != ARPHRD_ETHER) return std::nullopt;
  MacAddr mac;
  std::memcpy(mac.data(), req.ifr_hwaddr.sa_data, 6);
  return mac;
}

bool interfaceHasAddress(const std::string& ifname, const Ipv6Addr& addr) {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) < 0) return false;
  bool found = false;
  for (ifaddrs* i = list; i && !found; i = i->ifa_next) {
    if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET6 || ifname != i->ifa_name) continue;
    auto* sin6 = reinterpret_cast<const sockaddr_in6*>(i->ifa_addr);
    found = std::memcmp(sin6->sin6_addr.s6_addr, addr.bytes.data(), 16) == 0;
  }
  ::freeifaddrs(list);
  return found;
}

}  // namespace meshfwd::ra
