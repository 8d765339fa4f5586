// The relay's egress comes from the exact /64 table first and from the LPM
// trie only on a miss; both must give the same answer, and an exact hit
// still has to name a configured tunnel.
#include <gtest/gtest.h>
#include <linux/pkt_cls.h>

#include "tests/support/datapath_fixture.h"

namespace meshfwd::test {
namespace {

constexpr uint32_t kOtherTunnel = 9;
constexpr uint32_t kSiteIdC = 3;

Bytes meshUdpTo(const In6& dst, uint8_t hopLimit = 64) {
  return withEthernet(udp6({kHostA, dst, hopLimit}, 58000, 58001), kRouterMac, kPeerMac);
}

class RelayEgress64 : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fx.ok()) << fx.error();
    fx.seedRelay();
  }
  DatapathFixture fx{loader::ObjectKind::Relay};
};

TEST_F(RelayEgress64, ExactHitForwardsWithItsSiteWithoutAnLpmEntry) {
  const In6 siteC = In6::parse("fd42:4242:4242:c::");
  fx.addExactSite(siteC, kTunnelIfindex, kTunnelMtu, kSiteIdC);
  Bytes in = meshUdpTo(In6::parse("fd42:4242:4242:c::5"));
  auto r = fx.run("relay_tunnel_ingress", in);
  ASSERT_EQ(r.error, 0);
  EXPECT_EQ(r.retval, static_cast<uint32_t>(TC_ACT_REDIRECT));
  EXPECT_EQ(fx.counter(MF_R_FWD_MESH_UDP).packets, 1u);
  EXPECT_EQ(fx.siteCounter(kSiteIdC, MF_DIR_TO_SITE).packets, 1u);
  ASSERT_EQ(r.output.size(), in.size());
  EXPECT_EQ(r.output[14 + 7], 63);  // hop limit decremented
}

TEST_F(RelayEgress64, ExactHitMustStillNameATunnel) {
  const In6 siteC = In6::parse("fd42:4242:4242:c::");
  fx.addExactSite(siteC, kOtherTunnel, kTunnelMtu, kSiteIdC);
  auto r = fx.run("relay_tunnel_ingress", meshUdpTo(In6::parse("fd42:4242:4242:c::5")));
  ASSERT_EQ(r.error, 0);
  EXPECT_EQ(fx.counter(MF_R_REJECT_NO_EGRESS).packets, 1u);
  EXPECT_EQ(fx.siteCounter(kSiteIdC, MF_DIR_TO_SITE).packets, 0u);
}

TEST_F(RelayEgress64, ExactEntryMtuDecidesPacketTooBig) {
  const In6 siteC = In6::parse("fd42:4242:4242:c::");
  fx.addExactSite(siteC, kTunnelIfindex, 1300, kSiteIdC);
  Ipv6Header ip{kHostA, In6::parse("fd42:4242:4242:c::5"), 64};
  Bytes big = withEthernet(udp6(ip, 58000, 58001, 1300 - 40 - 8 + 1), kRouterMac, kPeerMac);
  auto r = fx.run("relay_tunnel_ingress", big);
  ASSERT_EQ(r.error, 0);
  EXPECT_EQ(fx.counter(MF_R_PACKET_TOO_BIG).packets, 1u);
}

TEST_F(RelayEgress64, MissFallsBackToTheLpmTrie) {
  // Site B is only in the trie (seedRelay): still forwarded, counted for B.
  auto r = fx.run("relay_tunnel_ingress", meshUdpTo(kHostB));
  ASSERT_EQ(r.error, 0);
  EXPECT_EQ(r.retval, static_cast<uint32_t>(TC_ACT_REDIRECT));
  EXPECT_EQ(fx.siteCounter(kSiteIdB, MF_DIR_TO_SITE).packets, 1u);
}

}  // namespace
}  // namespace meshfwd::test
