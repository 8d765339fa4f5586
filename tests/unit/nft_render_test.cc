// The rendered input policy: the seed's intent kept, its bugs gone, and
// every printed ruleset accepted by the real nft (`nft -c`, which needs
// CAP_NET_ADMIN: CI runs the unit tests as root).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <regex>
#include <sstream>
#include <set>
#include <stdexcept>

#include "tests/support/scratch_file.h"
#include "userspace/config_file.h"
#include "userspace/nft_render.h"

namespace meshfwd {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Config load(std::string_view text) {
  ConfigLoad l = parseConfig(text, "t.toml");
  if (!l.ok()) throw std::runtime_error("test config invalid: " + l.errors.front().str());
  return *l.config;
}

Config relay() {
  return load(R"(role = "relay"
[interfaces]
uplink = "ens3"
tunnel = "wgvpnr01"
tunnel_listen_port = 51820
[mesh]
prefix = "fd00:1:2::/48"
)");
}

Config edge(bool singleNic = false) {
  return load(std::string("role = \"edge\"\n[interfaces]\nlan = \"eth1\"\n") + (singleNic ? "" : "uplink = \"eth0\"\n") +
              "tunnel = \"wgvpnr01\"\ntunnel_listen_port = 51821\n[mesh]\nprefix = \"fd00:1:2::/48\"\n"
              "site_prefix = \"fd00:1:2:a::/64\"\n");
}

// The rules only, comments stripped: golden checks must not pass because
// a comment happens to mention a rule.
std::string rulesOf(const std::string& ruleset) {
  std::string out;
  std::istringstream in(ruleset);
  for (std::string line; std::getline(in, line);) {
    auto hash = line.find('#');
    // '#' never appears inside a rule of ours (prefix strings included).
    out += (hash == std::string::npos ? line : line.substr(0, hash)) + "\n";
  }
  return out;
}

// The seed's relay bug, generalised: each $variable used is defined.
void expectEveryVariableDefined(const std::string& ruleset) {
  std::string rules = rulesOf(ruleset);
  std::set<std::string> defined;
  std::regex define(R"(define\s+([A-Za-z_][A-Za-z0-9_]*)\s*=)");
  for (std::sregex_iterator it(rules.begin(), rules.end(), define), end; it != end; ++it) defined.insert((*it)[1]);
  std::regex use(R"(\$([A-Za-z_][A-Za-z0-9_]*))");
  int uses = 0;
  for (std::sregex_iterator it(rules.begin(), rules.end(), use), end; it != end; ++it, ++uses)
    EXPECT_TRUE(defined.count((*it)[1])) << "$" << (*it)[1] << " is used but never defined";
  EXPECT_GT(uses, 3);
}

struct NftResult {
  int status = -1;
  std::string output;
};

// `nft -c -f -`: the kernel checks the whole transaction, nothing is applied.
NftResult nftCheck(const std::string& ruleset) {
  const char* nft = access("/usr/sbin/nft", X_OK) == 0 ? "/usr/sbin/nft" : nullptr;
  if (!nft) ADD_FAILURE() << "nft is not installed (apt-get install nftables): the ruleset cannot be checked";
  if (!nft) return {};
  test::ScratchFile file("nft_render_test", ".nft");
  file.write(ruleset);
  std::string command = std::string(nft) + " -c -f - < " + file.path() + " 2>&1";
  NftResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return result;
  char buffer[512];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) result.output.append(buffer, n);
  int status = pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

TEST(NftRender, RelayKeepsTheSeedsIntent) {
  std::string text = renderInputRuleset(relay());
  std::string rules = rulesOf(text);
  EXPECT_THAT(rules, HasSubstr("define uplink_interface = \"ens3\"\n"));
  EXPECT_THAT(rules, HasSubstr("define vpn_routing_wireguard_port = 51820\n"));
  EXPECT_THAT(rules, HasSubstr("type filter hook input priority filter; policy drop;"));
  EXPECT_THAT(rules, HasSubstr("ct state established,related accept"));
  EXPECT_THAT(rules, HasSubstr("iif lo accept"));
  EXPECT_THAT(rules, HasSubstr("iifname $uplink_interface meta nfproto ipv4 udp dport 68 accept"));
  EXPECT_THAT(rules, HasSubstr("iifname $uplink_interface meta nfproto ipv6 udp dport 546 accept"));
  EXPECT_THAT(rules, HasSubstr("udp dport $vpn_routing_wireguard_port accept"));
  EXPECT_THAT(rules, HasSubstr("udp dport $traceroute_ports reject"));
  EXPECT_THAT(rules, HasSubstr("define traceroute_ports = 33434-33474"));
  EXPECT_THAT(rules, HasSubstr("icmp type { echo-request, echo-reply, destination-unreachable, time-exceeded } accept"));
  EXPECT_THAT(rules, HasSubstr("icmpv6 type { nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert } ip6 "
                               "hoplimit 255 accept"));
  EXPECT_THAT(rules, HasSubstr("log prefix \"meshfwd input drop: \"\n        drop\n"));
  // The relay has no LAN, no VRRP and no RA companion.
  EXPECT_THAT(rules, Not(HasSubstr("lan_interface")));
  EXPECT_THAT(rules, Not(HasSubstr("nexthdr 112")));
  EXPECT_THAT(rules, Not(HasSubstr("nd-router-solicit")));
  expectEveryVariableDefined(text);
}

TEST(NftRender, WireGuardPortIsAcceptedBeforeTheTracerouteReject) {
  std::string rules = rulesOf(renderInputRuleset(relay()));
  EXPECT_LT(rules.find("udp dport $vpn_routing_wireguard_port accept"), rules.find("udp dport $traceroute_ports"));
}

TEST(NftRender, NoForwardChainAndTheOutputSaysWhy) {
  for (const Config& c : {relay(), edge()}) {
    std::string text = renderInputRuleset(c);
    EXPECT_THAT(rulesOf(text), Not(HasSubstr("hook forward")));
    EXPECT_THAT(text, HasSubstr("# No forward chain, deliberately."));
    EXPECT_THAT(text, HasSubstr("bpf_redirect"));
  }
}

TEST(NftRender, EdgeAddsTheCompanionsTraffic) {
  std::string text = renderInputRuleset(edge());
  std::string rules = rulesOf(text);
  EXPECT_THAT(rules, HasSubstr("define lan_interface = \"eth1\"\n"));
  EXPECT_THAT(rules, HasSubstr("define uplink_interface = \"eth0\"\n"));
  EXPECT_THAT(rules, HasSubstr("define vpn_routing_wireguard_port = 51821\n"));
  EXPECT_THAT(rules, HasSubstr("define vrrp_multicast = ff02::12\n"));
  EXPECT_THAT(rules, HasSubstr("ip6 daddr $vrrp_multicast ip6 nexthdr 112 ip6 hoplimit 255 accept"));
  EXPECT_THAT(rules, HasSubstr("icmpv6 type nd-router-solicit ip6 hoplimit 255 accept"));
  EXPECT_THAT(rules, HasSubstr("icmpv6 type mld-listener-query ip6 saddr fe80::/10 accept"));
  expectEveryVariableDefined(text);
}

TEST(NftRender, SingleNicEdgeTakesDhcpOnTheLan) {
  EXPECT_THAT(rulesOf(renderInputRuleset(edge(true))), HasSubstr("define uplink_interface = \"eth1\"\n"));
}

TEST(NftRender, OwnTableRecreatedOnEveryLoad) {
  std::string rules = rulesOf(renderInputRuleset(relay()));
  EXPECT_THAT(rules, HasSubstr("table inet meshfwd\ndelete table inet meshfwd\n\ntable inet meshfwd {\n"));
  // Never the seed's `flush ruleset`, which would take other tools' tables.
  EXPECT_THAT(rules, Not(HasSubstr("flush ruleset")));
}

TEST(NftRender, NonLoopbackMetricsGetAHint) {
  Config c = relay();
  EXPECT_THAT(renderInputRuleset(c), Not(HasSubstr("/metrics listens on")));
  c.metricsListen = "[fd00::1]:9469";
  EXPECT_THAT(renderInputRuleset(c), HasSubstr("# /metrics listens on [fd00::1]:9469, which is not loopback."));
}

TEST(NftRender, RefusesToRenderWithAHole) {
  Config c = relay();
  c.guard.listenPort = 0;
  EXPECT_EQ(inputRulesetProblem(c),
            "the WireGuard listen port is left to run time; set [interfaces] tunnel_listen_port or pass --listen-port");
  EXPECT_THROW(renderInputRuleset(c), std::invalid_argument);
  c = relay();
  c.uplink.clear();
  EXPECT_EQ(inputRulesetProblem(c),
            "the relay's uplink ([interfaces] uplink or --uplink) is not set; DHCP replies are accepted on it only");
  EXPECT_FALSE(inputRulesetProblem(relay()).has_value());
}

TEST(NftRender, NftAcceptsTheRelayRuleset) {
  NftResult r = nftCheck(renderInputRuleset(relay()));
  EXPECT_EQ(r.status, 0) << r.output;
}

TEST(NftRender, NftAcceptsTheEdgeRulesets) {
  for (bool singleNic : {false, true}) {
    NftResult r = nftCheck(renderInputRuleset(edge(singleNic)));
    EXPECT_EQ(r.status, 0) << r.output;
  }
}

TEST(NftRender, NftAcceptsTheExamplesRulesets) {
  for (const char* name : {"relay", "edge"}) {
    ConfigLoad l = loadConfigFile(std::string(MESHFWD_SOURCE_DIR) + "/tools/examples/" + name + ".toml");
    ASSERT_TRUE(l.ok()) << name;
    NftResult r = nftCheck(renderInputRuleset(*l.config));
    EXPECT_EQ(r.status, 0) << name << ": " << r.output;
  }
}

// The check is real: the seed's relay bug (an undefined variable) fails it.
TEST(NftRender, NftCheckCatchesAnUndefinedVariable) {
  std::string text = renderInputRuleset(relay());
  text.replace(text.find("iifname $uplink_interface"), 25, "iifname $lan_interface");
  NftResult r = nftCheck(text);
  EXPECT_NE(r.status, 0);
  EXPECT_THAT(r.output, HasSubstr("lan_interface"));
}

}  // namespace
}  // namespace meshfwd
