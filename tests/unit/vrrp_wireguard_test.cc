// Reading the relay peer from `wg show TUNNEL dump` (the format of
// wireguard-tools 1.0.20210914, as this machine prints it): what the
// takeover's peer re-add needs, in one `wg` spawn.
#include <gtest/gtest.h>

#include "userspace/vrrp_wireguard.h"

namespace meshfwd {
namespace {

const std::string kRelay = "OzpvrCQD0F50JhlOJpf3Eart58EXDFb1jz+wkuizqXo=";
const std::string kOther = "RwroRKheHXe76kpvWlod66mBFgn/QzBTm9OnL3RubCw=";

TEST(WgPeerDump, ReadsTheRelayPeersLine) {
  std::string dump =
      "cHJpdmF0ZS1rZXktbm90LXJlYWwtMDAwMDAwMDAwMDA=\tcHVibGljLWtleS1ub3QtcmVhbC0wMDAwMDAwMDAwMDA=\t51820\toff\n" +
      kOther + "\t(none)\t[2001:db8:b::11]:51820\tfd00:b::/64\t0\t0\t0\toff\n" + kRelay +
      "\tcHNrLW5vdC1yZWFsLTAwMDAwMDAwMDAwMDAwMDAwMDA=\t203.0.113.1:51820\tfddb:2994:c04f::/48,fdfb:175:634d::1/128\t"
      "1795650237\t68456\t69896\t25\n";
  auto peer = vrrp::parsePeerDump(dump, kRelay);
  ASSERT_TRUE(peer);
  EXPECT_EQ(peer->presharedKey, "cHNrLW5vdC1yZWFsLTAwMDAwMDAwMDAwMDAwMDAwMDA=");
  EXPECT_EQ(peer->endpoint, "203.0.113.1:51820");
  EXPECT_EQ(peer->allowedIps, "fddb:2994:c04f::/48,fdfb:175:634d::1/128");
}

TEST(WgPeerDump, NoneReadsAsEmptyAndAMissingPeerAsNothing) {
  std::string dump = "cHJpdg==\tcHVi\t0\toff\n" + kRelay + "\t(none)\t(none)\t(none)\t0\t0\t0\toff\n";
  auto peer = vrrp::parsePeerDump(dump, kRelay);
  ASSERT_TRUE(peer);
  EXPECT_EQ(peer->presharedKey, "");
  EXPECT_EQ(peer->endpoint, "");
  EXPECT_EQ(peer->allowedIps, "");
  EXPECT_FALSE(vrrp::parsePeerDump(dump, kOther));
  EXPECT_FALSE(vrrp::parsePeerDump("", kRelay));
  // The interface's own line (4 fields) is never a peer, whatever it holds.
  EXPECT_FALSE(vrrp::parsePeerDump(kRelay + "\tcHVi\t51820\toff\n", kRelay));
}

}  // namespace
}  // namespace meshfwd
