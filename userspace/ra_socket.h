// The RA sender's only contact with the kernel: a raw ICMPv6 socket that
// sees Router Solicitations and sends adverts from a chosen source, plus
// the two interface facts it needs (MAC, whether the source is present).
#pragma once

#include <optional>
#include <string>

#include "userspace/addr.h"
#include "userspace/ra_message.h"

namespace meshfwd::ra {

struct ReceivedIcmp6 {
  Bytes message;     // the ICMPv6 message
  Ipv6Addr source;
  uint8_t hopLimit = 0;
  int ifindex = 0;   // the interface it arrived on
};

class RaSocket {
 public:
  RaSocket() = default;
  ~RaSocket();
  RaSocket(const RaSocket&) = delete;
  RaSocket& operator=(const RaSocket&) = delete;

  // Raw ICMPv6, non-blocking; ICMP6_FILTER passes Router Solicitations
  // only; IPV6_RECVHOPLIMIT (RFC 4861 6.1.1 needs 255) and IPV6_RECVPKTINFO
  // (which interface); hop limit 255 on everything sent. "" or the error.
  std::string open();
  void close();
  int fd() const { return fd_; }

  // ff02::2 on `ifindex`, so solicitations reach us even with forwarding
  // off. "" or the error (already joined is fine).
  std::string joinAllRouters(int ifindex);
  void leaveAllRouters(int ifindex);

  // Sends with IPV6_PKTINFO: source `src` on `ifindex`, which must be the
  // interface that carries `src` (the kernel refuses a VIP that lives on a
  // macvlan when asked to send it on the lower interface: EINVAL). 0 or -errno.
  int send(const Bytes& message, const Ipv6Addr& src, const Ipv6Addr& dst, int ifindex);

  // One pending message; nullopt when there is none (EAGAIN) or on an error.
  std::optional<ReceivedIcmp6> receive();

 private:
  int fd_ = -1;
};

// The interface's MAC (SIOCGIFHWADDR in this network namespace).
std::optional<MacAddr> interfaceMac(const std::string& ifname);

// True when `addr` is configured on `ifname` in this network namespace.
bool interfaceHasAddress(const std::string& ifname, const Ipv6Addr& addr);

}  // namespace meshfwd::ra
