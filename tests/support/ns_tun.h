// A TUN device inside a namespace that the test holds open: what the test
// writes is what a tunnel peer would have sent to the router, and what the
// router sends into the tunnel comes back out of read(). The device lives
// as long as the object (no TUNSETPERSIST), so nothing outlives the test.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "tests/support/packet.h"

namespace meshfwd::test {

class TunDevice {
 public:
  // Opens /dev/net/tun from a thread inside `netns` (IFF_TUN | IFF_NO_PI:
  // bare IPv6 packets, as wireguard-go's TUN carries them).
  TunDevice(const std::string& netns, const std::string& ifname);
  ~TunDevice();
  TunDevice(const TunDevice&) = delete;
  TunDevice& operator=(const TunDevice&) = delete;

  const std::string& name() const { return name_; }

  void write(const Bytes& packet);
  // The next packet the kernel sends into the tunnel, or nullopt at the deadline.
  std::optional<Bytes> read(std::chrono::milliseconds timeout);
  // The next packet for which `wanted` is true; others (the kernel's own
  // router solicitations, MLD reports) are skipped.
  std::optional<Bytes> readMatching(const std::function<bool(const Bytes&)>& wanted,
                                    std::chrono::milliseconds timeout);
  // Discards whatever is queued now.
  void drain();

 private:
  std::string name_;
  int fd_ = -1;
};

// Field readers for bare IPv6 packets (TUN framing), for matching.
In6 ipv6Src(const Bytes& packet);
In6 ipv6Dst(const Bytes& packet);
uint8_t ipv6HopLimit(const Bytes& packet);
uint8_t ipv6NextHeader(const Bytes& packet);  // of the fixed header only

}  // namespace meshfwd::test
