// The names the VRRP router and the RA sender both derive from the config.
#include <gtest/gtest.h>

#include "userspace/vrrp_names.h"

namespace meshfwd::vrrp {
namespace {

TEST(VrrpNames, VirtualMacIsTheIpv6VrrpMacOfTheVrid) {
  EXPECT_EQ(formatMac(virtualMac(51)), "00:00:5e:00:02:33");
  EXPECT_EQ(formatMac(virtualMac(1)), "00:00:5e:00:02:01");
  EXPECT_EQ(formatMac(virtualMac(255)), "00:00:5e:00:02:ff");
}

TEST(VrrpNames, MacvlanNameCarriesTheLanAndTheVrid) {
  EXPECT_EQ(vrrpMacvlanName("eth1", 51), "eth1.vr51");
  EXPECT_EQ(vrrpMacvlanName("lan", 7), "lan.vr7");
}

TEST(VrrpNames, MacvlanNameFitsIfnamsizWithTheVridIntact) {
  std::string longLan = "enp3s0f1np1x";  // 12 characters
  std::string name = vrrpMacvlanName(longLan, 255);
  EXPECT_EQ(name.size(), 15u);
  EXPECT_EQ(name, "enp3s0f1n.vr255");
  // Different VRIDs on the same long LAN stay distinct.
  EXPECT_NE(vrrpMacvlanName(longLan, 25), vrrpMacvlanName(longLan, 255));
}

}  // namespace
}  // namespace meshfwd::vrrp
