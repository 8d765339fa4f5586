#include "userspace/ipv6_send.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace meshfwd {

int sendFromSource(int fd, int ifindex, std::span<const uint8_t> message, const Ipv6Addr& source,
                   const Ipv6Addr& destination) {
  sockaddr_in6 to{};
  to.sin6_family = AF_INET6;
  std::memcpy(&to.sin6_addr, destination.bytes.data(), 16);
  // Link-local destinations need the scope; harmless for the others.
  to.sin6_scope_id = static_cast<uint32_t>(ifindex);
  iovec iov{const_cast<uint8_t*>(message.data()), message.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(in6_pktinfo))] = {};
  msghdr msg{};
  msg.msg_name = &to;
  msg.msg_namelen = sizeof to;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = IPPROTO_IPV6;
  c->cmsg_type = IPV6_PKTINFO;
  c->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
  in6_pktinfo info{};
  std::memcpy(&info.ipi6_addr, source.bytes.data(), 16);
  info.ipi6_ifindex = static_cast<unsigned>(ifindex);
  std::memcpy(CMSG_DATA(c), &info, sizeof info);
  return ::sendmsg(fd, &msg, 0) < 0 ? -errno : 0;
}

std::optional<ReceivedDatagram> receiveWithInfo(int fd) {
  // RA and VRRP messages fit one Ethernet MTU; a longer one is cut and then
  // fails its own length checks.
  uint8_t buffer[1500];
  sockaddr_in6 from{};
  iovec iov{buffer, sizeof buffer};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(in6_pktinfo)) + CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_name = &from;
  msg.msg_namelen = sizeof from;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n = ::recvmsg(fd, &msg, 0);
  if (n < 0) return std::nullopt;
  ReceivedDatagram d;
  d.payload.assign(buffer, buffer + n);
  std::memcpy(d.source.bytes.data(), from.sin6_addr.s6_addr, 16);
  d.sourceScope = static_cast<int>(from.sin6_scope_id);
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != IPPROTO_IPV6) continue;
    if (c->cmsg_type == IPV6_HOPLIMIT) {
      int hops = 0;
      std::memcpy(&hops, CMSG_DATA(c), sizeof hops);
      d.hopLimit = static_cast<uint8_t>(hops);
    } else if (c->cmsg_type == IPV6_PKTINFO) {
      in6_pktinfo info{};
      std::memcpy(&info, CMSG_DATA(c), sizeof info);
      Ipv6Addr destination;
      std::memcpy(destination.bytes.data(), &info.ipi6_addr, 16);
      d.destination = destination;
      d.arrivalIfindex = static_cast<int>(info.ipi6_ifindex);
    }
  }
  return d;
}

}  // namespace meshfwd
