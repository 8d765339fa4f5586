#include "userspace/neighbor_advert.h"

namespace meshfwd {

namespace {

constexpr uint8_t kIcmp6NeighborAdvert = 136;
constexpr uint8_t kIcmp6Proto = 58;
constexpr uint8_t kFlagRouter = 0x80;
constexpr uint8_t kFlagOverride = 0x20;
constexpr uint8_t kOptTargetLinkLayer = 2;

uint16_t icmp6Checksum(const std::vector<uint8_t>& msg, const Ipv6Addr& src, const Ipv6Addr& dst) {
  uint64_t sum = 0;
  auto add = [&sum](const uint8_t* d, size_t n) {
    for (size_t i = 0; i + 1 < n; i += 2) sum += (uint32_t(d[i]) << 8) | d[i + 1];
    if (n % 2) sum += uint32_t(d[n - 1]) << 8;
  };
  add(src.bytes.data(), 16);
  add(dst.bytes.data(), 16);
  sum += msg.size();
  sum += kIcmp6Proto;
  add(msg.data(), msg.size());
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum & 0xffff);
}

}  // namespace

std::vector<uint8_t> buildUnsolicitedNa(const Ipv6Addr& target, const vrrp::MacAddr& mac, const Ipv6Addr& source) {
  // Solicited stays 0: nobody asked (RFC 4861 7.2.6). Router: hosts keep
  // it in their default router list only if they already had it.
  std::vector<uint8_t> m{kIcmp6NeighborAdvert, 0, 0, 0, kFlagRouter | kFlagOverride, 0, 0, 0};
  m.insert(m.end(), target.bytes.begin(), target.bytes.end());
  m.push_back(kOptTargetLinkLayer);
  m.push_back(1);  // length in units of 8 bytes
  m.insert(m.end(), mac.begin(), mac.end());
  uint16_t c = icmp6Checksum(m, source, kAllNodes);
  m[2] = static_cast<uint8_t>(c >> 8);
  m[3] = static_cast<uint8_t>(c);
  return m;
}

}  // namespace meshfwd
