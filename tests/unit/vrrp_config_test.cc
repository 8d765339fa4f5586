// [vrrp] in meshfwd.toml: keepalived's vocabulary, every value checked,
// unknown keys (the seed's `nopreemt`) refused with the nearest key.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "userspace/config_file.h"

namespace meshfwd {
namespace {

using ::testing::ElementsAre;

const std::string kEdge = R"(role = "edge"
[interfaces]
lan = "eth1"
tunnel = "wg0"
[mesh]
prefix = "fd00::/48"
site_prefix = "fd00:0:0:1::/64"
)";

std::vector<std::string> errorsOf(const std::string& vrrp) {
  std::vector<std::string> out;
  for (const auto& e : parseConfig(kEdge + vrrp, "t.toml").errors) out.push_back(e.str());
  return out;
}

TEST(VrrpConfig, ReadsEveryKey) {
  auto load = parseConfig(kEdge + R"([vrrp]
virtual_router_id = 51
priority = 200
advert_int = 0.1
preempt = false
virtual_address = "fe80::51"
na_burst = 5
relay_endpoint = "relay.example.net:51820"
resolve_interval = 60
)",
                          "t.toml");
  ASSERT_TRUE(load.config) << (load.errors.empty() ? "" : load.errors[0].str());
  ASSERT_TRUE(load.config->vrrp);
  const VrrpConfig& v = *load.config->vrrp;
  EXPECT_EQ(v.vrid, 51);
  EXPECT_EQ(v.priority, 200);
  EXPECT_EQ(v.advertIntervalCs, 10);
  EXPECT_FALSE(v.preempt);
  EXPECT_EQ(v.virtualAddress, *Ipv6Addr::parse("fe80::51"));
  EXPECT_EQ(v.naBurst, 5u);
  EXPECT_EQ(v.relayEndpoint, "relay.example.net:51820");
  EXPECT_EQ(v.resolveIntervalS, 60u);
}

TEST(VrrpConfig, DefaultsAreTheRfcsAndPreemptionIsOn) {
  auto load = parseConfig(kEdge + "[vrrp]\nvirtual_router_id = 7\nvirtual_address = \"fe80::1\"\n", "t.toml");
  ASSERT_TRUE(load.config);
  ASSERT_TRUE(load.config->vrrp);
  EXPECT_EQ(load.config->vrrp->priority, 100);
  EXPECT_EQ(load.config->vrrp->advertIntervalCs, 100);
  EXPECT_TRUE(load.config->vrrp->preempt);
  EXPECT_FALSE(parseConfig(kEdge, "t.toml").config->vrrp);  // no section, no VRRP
}

TEST(VrrpConfig, AdvertIntTakesWholeSecondsAndCentiseconds) {
  for (auto [text, cs] : std::vector<std::pair<std::string, int>>{{"1", 100}, {"0.01", 1}, {"2.5", 250}, {"40.95", 4095}}) {
    auto load = parseConfig(kEdge + "[vrrp]\nvirtual_router_id = 7\nvirtual_address = \"fe80::1\"\nadvert_int = " +
                                text + "\n",
                            "t.toml");
    ASSERT_TRUE(load.config) << text;
    EXPECT_EQ(load.config->vrrp->advertIntervalCs, cs) << text;
  }
}

TEST(VrrpConfig, RefusesIntervalsTheWireCannotCarry) {
  for (std::string text : {"0", "0.005", "41", "0.125", "-1", "\"1\""})
    EXPECT_EQ(errorsOf("[vrrp]\nvirtual_router_id = 7\nvirtual_address = \"fe80::1\"\nadvert_int = " + text + "\n")
                  .size(),
              1u)
        << text;
}

TEST(VrrpConfig, SeedTypoIsRefusedWithTheRealKey) {
  EXPECT_THAT(errorsOf("[vrrp]\nvirtual_router_id = 7\nvirtual_address = \"fe80::1\"\nnopreemt = true\n"),
              ElementsAre("t.toml:11:1: unknown key 'nopreemt' in [vrrp]; did you mean 'preempt'?"));
}

TEST(VrrpConfig, RequiresTheVridAndALinkLocalVip) {
  EXPECT_THAT(errorsOf("[vrrp]\npriority = 100\n"),
              ElementsAre("t.toml:8:1: [vrrp] virtual_router_id is missing (1-255, the same on every edge of the site)",
                          "t.toml:8:1: [vrrp] virtual_address is missing (the link-local VIP, e.g. \"fe80::1\")"));
  EXPECT_THAT(errorsOf("[vrrp]\nvirtual_router_id = 7\nvirtual_address = \"fd00::1\"\n"),
              ElementsAre("t.toml:10:19: [vrrp] virtual_address: 'fd00::1' is not an IPv6 link-local address (hosts "
                          "need a link-local router)"));
}

TEST(VrrpConfig, RangesOfVridPriorityAndBurst) {
  EXPECT_EQ(errorsOf("[vrrp]\nvirtual_router_id = 0\nvirtual_address = \"fe80::1\"\n").size(), 1u);
  EXPECT_EQ(errorsOf("[vrrp]\nvirtual_router_id = 256\nvirtual_address = \"fe80::1\"\n").size(), 1u);
  EXPECT_EQ(errorsOf("[vrrp]\nvirtual_router_id = 1\npriority = 0\nvirtual_address = \"fe80::1\"\n").size(), 1u);
  EXPECT_EQ(errorsOf("[vrrp]\nvirtual_router_id = 1\nna_burst = 101\nvirtual_address = \"fe80::1\"\n").size(), 1u);
  EXPECT_EQ(errorsOf("[vrrp]\nvirtual_router_id = 1\npreempt = \"no\"\nvirtual_address = \"fe80::1\"\n").size(), 1u);
}

}  // namespace
}  // namespace meshfwd
