// [ra] in meshfwd.toml -> the RA sender's settings: radvd's vocabulary,
// RFC 4861 6.2.1 ranges, and the defaults the seed's radvd.conf relied on.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "userspace/config_file.h"
#include "userspace/ra_config.h"

namespace meshfwd::ra {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::string kEdge = R"(role = "edge"
[interfaces]
lan = "eth1"
tunnel = "wg0"
[mesh]
prefix = "fd00:1:2::/48"
site_prefix = "fd00:1:2:a::/64"
)";

// The seed's radvd.conf, key by key.
const std::string kSeedRa = R"([ra]
source = "fe80::1"
min_rtr_adv_interval = 10
max_rtr_adv_interval = 30
adv_default_lifetime = 0
adv_reachable_time = 600000
adv_router_addr = true
adv_route_preference = "high"
)";

Config load(const std::string& text) {
  ConfigLoad l = parseConfig(text, "t.toml");
  std::string errors;
  for (const auto& e : l.errors) errors += e.str() + "\n";
  EXPECT_TRUE(l.ok()) << errors;
  return l.config.value_or(Config{});
}

std::vector<std::string> errorsOf(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& e : parseConfig(text, "t.toml").errors) out.push_back(e.str());
  return out;
}

TEST(RaConfig, SeedRadvdConfTranslatesFieldByField) {
  Config c = load(kEdge + kSeedRa);
  ASSERT_TRUE(c.ra);
  MacAddr mac{0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
  AdvertSettings s = advertSettings(c, *c.ra, mac);
  EXPECT_EQ(s.curHopLimit, 64);
  EXPECT_FALSE(s.managed);
  EXPECT_FALSE(s.otherConfig);
  EXPECT_EQ(s.routerLifetime, 0);
  EXPECT_EQ(s.reachableTimeMs, 600000u);
  EXPECT_EQ(s.retransTimerMs, 0u);
  EXPECT_EQ(s.sourceLinkLayer, mac);
  EXPECT_FALSE(s.mtu);
  ASSERT_EQ(s.prefixes.size(), 1u);
  EXPECT_EQ(s.prefixes[0].prefix.str(), "fd00:1:2:a::/64");
  EXPECT_TRUE(s.prefixes[0].onLink);
  EXPECT_TRUE(s.prefixes[0].autonomous);
  EXPECT_TRUE(s.prefixes[0].routerAddress);
  EXPECT_EQ(s.prefixes[0].validLifetime, 86400u);
  EXPECT_EQ(s.prefixes[0].preferredLifetime, 14400u);
  ASSERT_EQ(s.routes.size(), 1u);
  EXPECT_EQ(s.routes[0].prefix.str(), "fd00:1:2::/48");
  EXPECT_EQ(s.routes[0].preference, RoutePreference::High);
  EXPECT_EQ(s.routes[0].lifetime, 90u) << "3 x MaxRtrAdvInterval, as radvd and the seed's rdisc6 output show";
  EXPECT_EQ(s.routes[0].forcedLength, 0) << "the shortest RIO (length 2 for a /48), as radvd >= 2.20";
  EXPECT_FALSE(s.rdnss);
  EXPECT_FALSE(s.dnssl);

  ScheduleSettings t = scheduleSettings(*c.ra);
  EXPECT_EQ(t.minInterval, Millis(10000));
  EXPECT_EQ(t.maxInterval, Millis(30000));
  EXPECT_EQ(t.initialAdverts, 3u);

  EXPECT_EQ(raInterface(c, *c.ra), "eth1") << "without [vrrp], the LAN";
  EXPECT_EQ(raSource(c, *c.ra), Ipv6Addr::parse("fe80::1"));
  EXPECT_FALSE(sourceIsShared(c, *c.ra));
}

TEST(RaConfig, EveryOptionalKeyReachesTheWire) {
  Config c = load(kEdge + R"([ra]
source = "fe80::1"
interface = "lan0"
max_rtr_adv_interval = 600
adv_default_lifetime = 1800
adv_retrans_timer = 1000
adv_cur_hop_limit = 255
adv_managed_flag = true
adv_other_config_flag = true
adv_link_mtu = 1420
adv_valid_lifetime = 7200
adv_preferred_lifetime = 3600
adv_route_lifetime = 1200
adv_route_preference = "low"
rdnss = ["fd00:1:2:a::53", "fd00:1:2:a::54"]
dnssl = ["mesh.example"]
adv_dnssl_lifetime = 900
remove_adv_on_exit = true
)");
  ASSERT_TRUE(c.ra);
  EXPECT_EQ(raInterface(c, *c.ra), "lan0");
  AdvertSettings s = advertSettings(c, *c.ra, std::nullopt);
  EXPECT_EQ(s.curHopLimit, 255);
  EXPECT_TRUE(s.managed);
  EXPECT_TRUE(s.otherConfig);
  EXPECT_EQ(s.routerLifetime, 1800);
  EXPECT_EQ(s.retransTimerMs, 1000u);
  EXPECT_EQ(s.mtu, 1420u);
  EXPECT_FALSE(s.sourceLinkLayer);
  EXPECT_EQ(s.prefixes.at(0).validLifetime, 7200u);
  EXPECT_EQ(s.prefixes.at(0).preferredLifetime, 3600u);
  EXPECT_FALSE(s.prefixes.at(0).routerAddress);
  EXPECT_EQ(s.routes.at(0).lifetime, 1200u);
  EXPECT_EQ(s.routes.at(0).preference, RoutePreference::Low);
  ASSERT_TRUE(s.rdnss);
  EXPECT_THAT(s.rdnss->servers, ElementsAre(*Ipv6Addr::parse("fd00:1:2:a::53"), *Ipv6Addr::parse("fd00:1:2:a::54")));
  EXPECT_EQ(s.rdnss->lifetime, 1200u) << "unset: 2 x MaxRtrAdvInterval, radvd's default";
  ASSERT_TRUE(s.dnssl);
  EXPECT_THAT(s.dnssl->domains, ElementsAre("mesh.example"));
  EXPECT_EQ(s.dnssl->lifetime, 900u);
  EXPECT_EQ(scheduleSettings(*c.ra).minInterval, Millis(200000)) << "unset: 0.33 x max";
  EXPECT_TRUE(c.ra->removeAdvOnExit);
  // The bytes build (an over-long label or RIO would throw).
  EXPECT_GT(buildRouterAdvert(s).size(), 16u);
}

TEST(RaConfig, UnderVrrpTheMacvlanAndTheVipAreTheDefaults) {
  Config c = load(kEdge + R"([vrrp]
virtual_router_id = 51
virtual_address = "fe80::51"
[ra]
max_rtr_adv_interval = 30
)");
  ASSERT_TRUE(c.ra);
  EXPECT_EQ(raInterface(c, *c.ra), "eth1.vr51") << "the VIP lives on the macvlan; the lower interface gives EINVAL";
  EXPECT_EQ(raSource(c, *c.ra), Ipv6Addr::parse("fe80::51"));
  EXPECT_TRUE(sourceIsShared(c, *c.ra));
}

TEST(RaConfig, FinalAdvertWithdrawsRouterAndRouteOnly) {
  Config c = load(kEdge + kSeedRa);
  AdvertSettings periodic = advertSettings(c, *c.ra, std::nullopt);
  AdvertSettings last = finalAdvertSettings(periodic);
  EXPECT_EQ(last.routerLifetime, 0);
  EXPECT_EQ(last.routes.at(0).lifetime, 0u);
  EXPECT_EQ(last.prefixes.at(0).validLifetime, 86400u) << "addresses stay; only the route goes";
}

TEST(RaConfig, RefusesValuesOutsideRfc4861WithTheirPosition) {
  EXPECT_THAT(errorsOf(kEdge + "[ra]\nsource = \"fe80::1\"\nmax_rtr_adv_interval = 3\n"),
              ElementsAre("t.toml:10:24: [ra] max_rtr_adv_interval must be between 4 and 1800, not 3"));
  EXPECT_THAT(errorsOf(kEdge + "[ra]\nsource = \"fe80::1\"\nmax_rtr_adv_interval = 30\nmin_rtr_adv_interval = 25\n"),
              ElementsAre(HasSubstr("t.toml:11:24: [ra] min_rtr_adv_interval: must be at most 0.75 x")));
  EXPECT_THAT(errorsOf(kEdge + "[ra]\nsource = \"fe80::1\"\nmin_rtr_adv_interval = 2\n"),
              ElementsAre(HasSubstr("min_rtr_adv_interval must be between 3 and")));
  EXPECT_THAT(errorsOf(kEdge + "[ra]\nsource = \"fe80::1\"\nadv_default_lifetime = 10\n"),
              ElementsAre(HasSubstr("adv_default_lifetime: must be 0 or at least max_rtr_adv_interval")));
  EXPECT_THAT(errorsOf(kEdge + "[ra]\nsource = \"fe80::1\"\nadv_reachable_time = 3600001\n"),
              ElementsAre(HasSubstr("adv_reachable_time must be between 0 and 3600000")));
  EXPECT_THAT(errorsOf(kEdge + "[ra]\nsource = \"fe80::1\"\nadv_link_mtu = 1000\n"),
              ElementsAre(HasSubstr("adv_link_mtu must be between 1280")));
  EXPECT_THAT(errorsOf(kEdge + "[ra]\nsource = \"fe80::1\"\nadv_preferred_lifetime = 90000\n"),
              ElementsAre(HasSubstr("must not exceed adv_valid_lifetime")));
  EXPECT_THAT(errorsOf(kEdge + "[ra]\nsource = \"fe80::1\"\nadv_route_lifetime = 0\n"),
              ElementsAre(HasSubstr("0 would withdraw the mesh route")));
  EXPECT_THAT(errorsOf(kEdge + "[ra]\nsource = \"fe80::1\"\nadv_route_preference = \"urgent\"\n"),
              ElementsAre(HasSubstr("must be \"low\", \"medium\" or \"high\", not \"urgent\"")));
}

TEST(RaConfig, RefusesBadSourcesAndDnsEntries) {
  EXPECT_THAT(errorsOf(kEdge + "[ra]\nsource = \"fd00:1:2:a::1\"\n"),
              ElementsAre("t.toml:9:10: [ra] source: 'fd00:1:2:a::1' is not link-local (hosts accept RAs only from "
                          "a link-local router)"));
  EXPECT_THAT(errorsOf(kEdge + "[ra]\nmax_rtr_adv_interval = 30\n"),
              ElementsAre(HasSubstr("[ra] source is missing")));
  EXPECT_THAT(errorsOf(kEdge + "[ra]\nsource = \"fe80::1\"\nrdnss = [\"not-an-address\"]\n"),
              ElementsAre(HasSubstr("t.toml:10:10: [ra] rdnss: 'not-an-address' is not an IPv6 address")));
  EXPECT_THAT(errorsOf(kEdge + "[ra]\nsource = \"fe80::1\"\nrdnss = \"fd00::53\"\n"),
              ElementsAre(HasSubstr("[ra] rdnss: must be an array of strings")));
}

TEST(RaConfig, NeverAFinalAdvertFromTheSharedVip) {
  EXPECT_THAT(errorsOf(kEdge + "[vrrp]\nvirtual_router_id = 1\nvirtual_address = \"fe80::51\"\n[ra]\n"
                               "remove_adv_on_exit = true\n"),
              ElementsAre(HasSubstr("[ra] remove_adv_on_exit: a lifetime-0 RA from the shared VRRP address")));
  // The router's own address may withdraw itself.
  Config own = load(kEdge + "[ra]\nsource = \"fe80::1\"\nremove_adv_on_exit = true\n");
  ASSERT_TRUE(own.ra);
  EXPECT_TRUE(own.ra->removeAdvOnExit);
  EXPECT_FALSE(sourceIsShared(own, *own.ra));
}

TEST(RaConfig, UnknownKeysAreRefusedWithTheNearestRadvdName) {
  EXPECT_THAT(errorsOf(kEdge + "[ra]\nsource = \"fe80::1\"\nmax_rtr_adv_intervall = 30\n"),
              ElementsAre("t.toml:10:1: unknown key 'max_rtr_adv_intervall' in [ra]; did you mean "
                          "'max_rtr_adv_interval'?"));
}

}  // namespace
}  // namespace meshfwd::ra
