// Re-resolving the relay's name: what is applied to the routing tunnel and
// when, with a scripted resolver and a recording endpoint setter.
#include <gtest/gtest.h>

#include <map>

#include "userspace/vrrp_relay_endpoint.h"

namespace meshfwd::vrrp {
namespace {

TEST(RelayEndpoint, ParsesNamePortAndBracketedIpv6) {
  auto a = parseHostPort("relay.example.net:51820");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "relay.example.net");
  EXPECT_EQ(a->port, "51820");
  auto b = parseHostPort("[2001:db8::1]:443");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "2001:db8::1");
  EXPECT_EQ(b->port, "443");
}

TEST(RelayEndpoint, RefusesWhatWgCouldNotUse) {
  for (const char* bad : {"relay.example.net", "2001:db8::1:51820", "[2001:db8::1]51820", ":51820", "relay:",
                          "relay:0", "relay:65536", "relay:80a", "[]:1"})
    EXPECT_FALSE(parseHostPort(bad)) << bad;
}

TEST(RelayEndpoint, FormatsIpv6InBrackets) {
  EXPECT_EQ(formatEndpoint("2001:db8::1", "51820"), "[2001:db8::1]:51820");
  EXPECT_EQ(formatEndpoint("192.0.2.7", "51820"), "192.0.2.7:51820");
}

TEST(RelayEndpoint, KeepsTheCurrentAddressWhileTheNameStillResolvesToIt) {
  EXPECT_EQ(nextEndpoint({"192.0.2.1", "192.0.2.2"}, "51820", "192.0.2.2:51820"), std::nullopt);
}

TEST(RelayEndpoint, MovesToTheFirstAddressWhenTheCurrentOneIsGone) {
  EXPECT_EQ(nextEndpoint({"2001:db8::9", "192.0.2.3"}, "51820", "192.0.2.2:51820"), "[2001:db8::9]:51820");
}

TEST(RelayEndpoint, KeepsTheEndpointWhenTheNameDoesNotResolve) {
  EXPECT_EQ(nextEndpoint({}, "51820", "192.0.2.2:51820"), std::nullopt);
}

class ScriptedResolver : public Resolver {
 public:
  std::vector<std::string> answer;
  int calls = 0;
  std::vector<std::string> resolve(const std::string& host) override {
    ++calls;
    lastHost = host;
    return answer;
  }
  std::string lastHost;
};

class RecordingSetter : public EndpointSetter {
 public:
  std::vector<std::string> applied;
  std::string failWith;
  std::string setEndpoint(const std::string& endpoint) override {
    if (!failWith.empty()) return failWith;
    applied.push_back(endpoint);
    return "";
  }
};

TEST(RelayEndpointRefresher, AppliesOnlyChanges) {
  ScriptedResolver resolver;
  RecordingSetter setter;
  RelayEndpointRefresher refresher(*parseHostPort("relay.test:51820"), resolver, setter);

  resolver.answer = {"192.0.2.1"};
  EXPECT_EQ(refresher.refresh(), "");
  EXPECT_EQ(resolver.lastHost, "relay.test");
  EXPECT_EQ(refresher.refresh(), "");  // same answer: no `wg set`
  resolver.answer = {};                 // DNS down for a moment: keep it
  EXPECT_EQ(refresher.refresh(), "");
  resolver.answer = {"198.51.100.4", "192.0.2.1"};  // a second address, the current one stays valid
  EXPECT_EQ(refresher.refresh(), "");
  resolver.answer = {"198.51.100.4"};  // the relay moved
  EXPECT_EQ(refresher.refresh(), "");

  EXPECT_EQ(resolver.calls, 5);
  EXPECT_EQ(setter.applied, (std::vector<std::string>{"192.0.2.1:51820", "198.51.100.4:51820"}));
  EXPECT_EQ(refresher.applied(), "198.51.100.4:51820");
  EXPECT_EQ(refresher.updates(), 2u);
}

TEST(RelayEndpointRefresher, RetriesAfterAFailedSet) {
  ScriptedResolver resolver;
  RecordingSetter setter;
  RelayEndpointRefresher refresher(*parseHostPort("relay.test:51820"), resolver, setter);
  resolver.answer = {"192.0.2.1"};
  setter.failWith = "wg: no such device";
  EXPECT_EQ(refresher.refresh(), "wg: no such device");
  EXPECT_EQ(refresher.applied(), "");
  setter.failWith.clear();
  EXPECT_EQ(refresher.refresh(), "");
  EXPECT_EQ(setter.applied, (std::vector<std::string>{"192.0.2.1:51820"}));
}

}  // namespace
}  // namespace meshfwd::vrrp
