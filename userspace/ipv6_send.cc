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

}  // namespace meshfwd
