// The unsolicited NA a new master sends for its VIP, against bytes written
// out by hand; the checksum comes from a separate computation here, not
// from the builder's.
#include <gtest/gtest.h>

#include <vector>

#include "userspace/neighbor_advert.h"

namespace meshfwd {
namespace {

// RFC 1071 sum over the IPv6 pseudo-header (RFC 8200 8.1) and the message.
uint16_t referenceChecksum(const Ipv6Addr& src, const Ipv6Addr& dst, const std::vector<uint8_t>& msg) {
  std::vector<uint8_t> all(src.bytes.begin(), src.bytes.end());
  all.insert(all.end(), dst.bytes.begin(), dst.bytes.end());
  uint32_t len = static_cast<uint32_t>(msg.size());
  for (int shift : {24, 16, 8, 0}) all.push_back(static_cast<uint8_t>(len >> shift));
  all.insert(all.end(), {0, 0, 0, 58});
  all.insert(all.end(), msg.begin(), msg.end());
  if (all.size() % 2) all.push_back(0);
  uint32_t sum = 0;
  for (size_t i = 0; i < all.size(); i += 2) sum += static_cast<uint32_t>(all[i] << 8 | all[i + 1]);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

TEST(NeighborAdvert, UnsolicitedNaForTheVipGoldenBytes) {
  auto vip = *Ipv6Addr::parse("fe80::51");
  auto na = buildUnsolicitedNa(vip, vrrp::virtualMac(51), vip);
  std::vector<uint8_t> expected = {
      136, 0,    0x78, 0xc8,                                // type NA, code 0, checksum (python, by hand)
      0xa0, 0,   0,    0,                                   // R=1 S=0 O=1, reserved
      0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x51,  // target fe80::51
      2,    1,                                              // target link-layer address, 8 bytes
      0x00, 0x00, 0x5e, 0x00, 0x02, 0x33};                  // 00:00:5e:00:02:33
  EXPECT_EQ(na, expected);
}

TEST(NeighborAdvert, ChecksumMatchesAnIndependentComputation) {
  auto target = *Ipv6Addr::parse("fe80::1:2:3:4");
  auto source = *Ipv6Addr::parse("fe80::aaaa");
  auto na = buildUnsolicitedNa(target, vrrp::virtualMac(200), source);
  std::vector<uint8_t> zeroed = na;
  zeroed[2] = zeroed[3] = 0;
  uint16_t want = referenceChecksum(source, kAllNodes, zeroed);
  EXPECT_EQ((na[2] << 8) | na[3], want);
  // Over the whole message the sum verifies to zero, as a receiver checks.
  EXPECT_EQ(referenceChecksum(source, kAllNodes, na), 0);
}

}  // namespace
}  // namespace meshfwd
