#include "tests/support/ns_tun.h"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "tests/support/netns.h"

namespace meshfwd::test {

TunDevice::TunDevice(const std::string& netns, const std::string& ifname) : name_(ifname) {
  runInNetns(netns, [&] {
    fd_ = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
    if (fd_ < 0) throw std::runtime_error(std::string("open /dev/net/tun: ") + std::strerror(errno));
    ifreq ifr{};
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    std::strncpy(ifr.ifr_name, ifname.c_str(), IFNAMSIZ - 1);
    if (::ioctl(fd_, TUNSETIFF, &ifr) != 0) {
      int saved = errno;
      ::close(fd_);
      fd_ = -1;
      throw std::runtime_error("TUNSETIFF " + ifname + ": " + std::strerror(saved));
    }
  });
}

TunDevice::~TunDevice() {
  if (fd_ >= 0) ::close(fd_);
}

void TunDevice::write(const Bytes& packet) {
  ssize_t n = ::write(fd_, packet.data(), packet.size());
  if (n != static_cast<ssize_t>(packet.size())) {
    throw std::runtime_error("write to " + name_ + ": " + (n < 0 ? std::strerror(errno) : "short write"));
  }
}

std::optional<Bytes> TunDevice::read(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  Bytes buf(65536);
  while (true) {
    ssize_t n = ::read(fd_, buf.data(), buf.size());
    if (n >= 0) {
      buf.resize(static_cast<size_t>(n));
      return buf;
    }
    if (errno != EAGAIN && errno != EINTR) throw std::runtime_error("read " + name_ + ": " + std::strerror(errno));
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd pfd{fd_, POLLIN, 0};
    ::poll(&pfd, 1, static_cast<int>(left.count()));
  }
}

std::optional<Bytes> TunDevice::readMatching(const std::function<bool(const Bytes&)>& wanted,
                                             std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    auto packet = read(left);
    if (!packet) return std::nullopt;
    if (wanted(*packet)) return packet;
  }
}

void TunDevice::drain() {
  while (read(std::chrono::milliseconds(0))) {
  }
}

namespace {
void requireIpv6(const Bytes& p) {
  if (p.size() < 40 || (p[0] >> 4) != 6) throw std::runtime_error("not an IPv6 packet: " + hexdump(p));
}
}  // namespace

In6 ipv6Src(const Bytes& p) {
  requireIpv6(p);
  In6 a;
  std::memcpy(a.b.data(), p.data() + 8, 16);
  return a;
}

In6 ipv6Dst(const Bytes& p) {
  requireIpv6(p);
  In6 a;
  std::memcpy(a.b.data(), p.data() + 24, 16);
  return a;
}

uint8_t ipv6HopLimit(const Bytes& p) {
  requireIpv6(p);
  return p[7];
}

uint8_t ipv6NextHeader(const Bytes& p) {
  requireIpv6(p);
  return p[6];
}

}  // namespace meshfwd::test
