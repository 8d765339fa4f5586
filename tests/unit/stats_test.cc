#include "userspace/stats.h"

#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>

#include "userspace/event_log.h"
#include "userspace/metrics_render.h"

namespace meshfwd {
namespace {

// Per-CPU values as a 2-CPU machine would return them.
class FakeCounters final : public CounterSource {
 public:
  std::optional<std::vector<mf_counter>> reasonPerCpu(uint32_t id) const override {
    if (unreadableReason && id == *unreadableReason) return std::nullopt;
    auto it = reasons.find(id);
    return it == reasons.end() ? std::vector<mf_counter>(2) : it->second;
  }
  int siteTotals(uint32_t first, uint32_t count, std::vector<mf_counter>& totals) const override {
    ranges.emplace_back(first, count);
    if (siteError) return siteError;
    totals.assign(count, mf_counter{});
    for (uint32_t i = 0; i < count; ++i)
      if (auto it = sites.find(first + i); it != sites.end()) totals[i] = sumPerCpu(it->second);
    return 0;
  }
  std::map<uint32_t, std::vector<mf_counter>> reasons;
  std::map<uint32_t, std::vector<mf_counter>> sites;
  std::optional<uint32_t> unreadableReason;
  int siteError = 0;
  mutable std::vector<std::pair<uint32_t, uint32_t>> ranges;  // every siteTotals() asked for
};

Ipv6Prefix pfx(const char* s) { return *Ipv6Prefix::parse(s); }

TEST(StatsCollect, SumsPerCpuValues) {
  std::vector<mf_counter> perCpu = {{3, 300}, {4, 410}, {0, 0}};
  mf_counter sum = sumPerCpu(perCpu);
  EXPECT_EQ(sum.packets, 7u);
  EXPECT_EQ(sum.bytes, 710u);
}

TEST(StatsCollect, RelayReasonsAndSites) {
  FakeCounters src;
  src.reasons[MF_R_FWD_MESH_UDP] = {{10, 1000}, {5, 500}};
  src.reasons[MF_E_REJECT_HAIRPIN] = {{99, 99}, {0, 0}};  // an edge reason: not shown for a relay
  src.sites[1 * MF_DIR_COUNT + MF_DIR_TO_SITE] = {{2, 200}, {1, 100}};
  src.sites[2 * MF_DIR_COUNT + MF_DIR_FROM_SITE] = {{0, 0}, {4, 480}};
  StatsSnapshot s = collectStats(src, hooksOfRole(MF_ROLE_RELAY),
                                 {{1, pfx("fd42:4242:4242:a::/64")}, {2, pfx("fd42:4242:4242:b::/64")}});
  for (const auto& r : s.reasons) EXPECT_TRUE(r.hook == "relay_tc" || r.hook == "relay_guard") << r.hook;
  auto udp = std::find_if(s.reasons.begin(), s.reasons.end(), [](auto& r) { return r.name == "fwd_mesh_udp"; });
  ASSERT_NE(udp, s.reasons.end());
  EXPECT_EQ(udp->packets, 15u);
  EXPECT_EQ(udp->bytes, 1500u);
  ASSERT_EQ(s.sites.size(), 2u);
  EXPECT_EQ(s.sites[0].site, "fd42:4242:4242:a::/64");
  EXPECT_EQ(s.sites[0].toSite.packets, 3u);
  EXPECT_EQ(s.sites[0].fromSite.packets, 0u);
  EXPECT_EQ(s.sites[1].fromSite.bytes, 480u);
}

TEST(StatsCollect, UnreadableKeysAreNamed) {
  FakeCounters src;
  src.unreadableReason = MF_R_PASS_LOCAL;
  std::vector<std::string> unreadable;
  StatsSnapshot s = collectStats(src, {"relay_tc"}, {}, &unreadable);
  EXPECT_EQ(unreadable, std::vector<std::string>{"mf_counters[0]"});
  EXPECT_EQ(s.reasons.front().packets, 0u);
}

TEST(StatsCollect, SitesAreReadAsOneRangeUpToTheLastSlot) {
  FakeCounters src;
  src.sites[MF_MAX_SITES * MF_DIR_COUNT + MF_DIR_FROM_SITE] = {{7, 700}, {1, 100}};  // the boundary site's last slot
  src.sites[3 * MF_DIR_COUNT + MF_DIR_TO_SITE] = {{5, 50}, {0, 0}};
  std::vector<std::string> unreadable;
  StatsSnapshot s = collectStats(src, {"relay_tc"}, {{3, pfx("fd42:4242:4242:3::/64")}, {MF_MAX_SITES, pfx("fd42:4242:4242:ffff::/64")}},
                                 &unreadable);
  ASSERT_EQ(src.ranges.size(), 1u);
  EXPECT_EQ(src.ranges[0].first, 3u * MF_DIR_COUNT);
  EXPECT_EQ(src.ranges[0].first + src.ranges[0].second, uint32_t(MF_SITE_SLOTS * MF_DIR_COUNT));
  EXPECT_TRUE(unreadable.empty());
  ASSERT_EQ(s.sites.size(), 2u);
  EXPECT_EQ(s.sites[0].toSite.packets, 5u);
  EXPECT_EQ(s.sites[1].siteId, uint32_t(MF_MAX_SITES));
  EXPECT_EQ(s.sites[1].fromSite.packets, 8u);
  EXPECT_EQ(s.sites[1].fromSite.bytes, 800u);
}

TEST(StatsCollect, AFailedSiteReadNamesTheRangeAndCountsZero) {
  FakeCounters src;
  src.sites[2 * MF_DIR_COUNT] = {{5, 50}, {0, 0}};
  src.siteError = -EPERM;
  std::vector<std::string> unreadable;
  StatsSnapshot s = collectStats(src, {"relay_tc"}, {{1, pfx("fd42:4242:4242:1::/64")}, {2, pfx("fd42:4242:4242:2::/64")}},
                                 &unreadable);
  ASSERT_EQ(unreadable.size(), 1u);
  EXPECT_EQ(unreadable[0], "mf_site_counters[2..5]: " + std::string(std::strerror(EPERM)));
  ASSERT_EQ(s.sites.size(), 2u);
  EXPECT_EQ(s.sites[1].toSite.packets, 0u);
}

TEST(StatsCollect, ASiteIdBeyondTheArrayIsNamedNotRead) {
  FakeCounters src;
  src.sites[1 * MF_DIR_COUNT] = {{1, 10}, {1, 10}};
  std::vector<std::string> unreadable;
  StatsSnapshot s = collectStats(src, {"relay_tc"}, {{1, pfx("fd42:4242:4242:1::/64")}, {MF_SITE_SLOTS, pfx("fd42:4242:4242:2::/64")}},
                                 &unreadable);
  ASSERT_EQ(src.ranges.size(), 1u);
  EXPECT_EQ(src.ranges[0], std::make_pair(uint32_t(2), uint32_t(2)));
  EXPECT_EQ(unreadable, std::vector<std::string>{"mf_site_counters[" + std::to_string(MF_SITE_SLOTS * MF_DIR_COUNT) + "]"});
  EXPECT_EQ(s.sites[0].toSite.packets, 2u);
}

TEST(StatsCollect, NoSitesReadsNoRange) {
  FakeCounters src;
  collectStats(src, {"relay_tc"}, {});
  EXPECT_TRUE(src.ranges.empty());
}

StatsSnapshot sample() {
  StatsSnapshot s;
  s.generation = 3;
  s.reasons = {{1, "relay_tc", "fwd_mesh_udp", 15, 1500}, {5, "relay_tc", "reject_policy", 2, 160}};
  SiteStat a;
  a.siteId = 1;
  a.site = "fd42:4242:4242:a::/64";
  a.toSite = {3, 300};
  a.fromSite = {4, 400};
  s.sites = {a};
  s.attached = {{"cltun0", "tc-ingress", "tc", "relay_tunnel_ingress", 42},
                {"cl-up0", "xdp", "native", "relay_uplink_guard", 43}};
  return s;
}

TEST(StatsRender, JsonGolden) {
  EXPECT_EQ(renderStatsJson(sample()),
            "{\"generation\":3,\"reasons\":["
            "{\"hook\":\"relay_tc\",\"reason\":\"fwd_mesh_udp\",\"id\":1,\"packets\":15,\"bytes\":1500},"
            "{\"hook\":\"relay_tc\",\"reason\":\"reject_policy\",\"id\":5,\"packets\":2,\"bytes\":160}],"
            "\"sites\":[{\"site\":\"fd42:4242:4242:a::/64\",\"site_id\":1,"
            "\"to_site\":{\"packets\":3,\"bytes\":300},\"from_site\":{\"packets\":4,\"bytes\":400}}]}\n");
}

TEST(StatsRender, JsonStringEscapes) {
  EXPECT_EQ(jsonString("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
}

TEST(StatsRender, TableGolden) {
  EXPECT_EQ(renderStatsTable(sample()),
            "HOOK         REASON                              PACKETS            BYTES\n"
            "relay_tc     fwd_mesh_udp                             15             1500\n"
            "relay_tc     reject_policy                             2              160\n"
            "\n"
            "SITE                                           ID     TO_PACKETS         TO_BYTES   FROM_PACKETS       "
            "FROM_BYTES\n"
            "fd42:4242:4242:a::/64                           1              3              300              4          "
            "    400\n");
}

const char* kPrometheusGolden =
    "# HELP meshfwd_packets_total Packets counted by a meshfwd program, by hook and verdict reason.\n"
    "# TYPE meshfwd_packets_total counter\n"
    "meshfwd_packets_total{hook=\"relay_tc\",reason=\"fwd_mesh_udp\"} 15\n"
    "meshfwd_packets_total{hook=\"relay_tc\",reason=\"reject_policy\"} 2\n"
    "# HELP meshfwd_bytes_total Bytes counted by a meshfwd program, by hook and verdict reason.\n"
    "# TYPE meshfwd_bytes_total counter\n"
    "meshfwd_bytes_total{hook=\"relay_tc\",reason=\"fwd_mesh_udp\"} 1500\n"
    "meshfwd_bytes_total{hook=\"relay_tc\",reason=\"reject_policy\"} 160\n"
    "# HELP meshfwd_site_packets_total Packets forwarded per site prefix and direction.\n"
    "# TYPE meshfwd_site_packets_total counter\n"
    "meshfwd_site_packets_total{site=\"fd42:4242:4242:a::/64\",direction=\"to_site\"} 3\n"
    "meshfwd_site_packets_total{site=\"fd42:4242:4242:a::/64\",direction=\"from_site\"} 4\n"
    "# HELP meshfwd_site_bytes_total Bytes forwarded per site prefix and direction.\n"
    "# TYPE meshfwd_site_bytes_total counter\n"
    "meshfwd_site_bytes_total{site=\"fd42:4242:4242:a::/64\",direction=\"to_site\"} 300\n"
    "meshfwd_site_bytes_total{site=\"fd42:4242:4242:a::/64\",direction=\"from_site\"} 400\n"
    "# HELP meshfwd_attached 1 for each program meshfwd has attached, by interface, hook and mode.\n"
    "# TYPE meshfwd_attached gauge\n"
    "meshfwd_attached{iface=\"cltun0\",hook=\"tc-ingress\",mode=\"tc\"} 1\n"
    "meshfwd_attached{iface=\"cl-up0\",hook=\"xdp\",mode=\"native\"} 1\n"
    "# HELP meshfwd_config_generation Generation of the live datapath policy (0: none).\n"
    "# TYPE meshfwd_config_generation gauge\n"
    "meshfwd_config_generation 3\n";

TEST(StatsRender, PrometheusGolden) { EXPECT_EQ(renderPrometheus(sample()), kPrometheusGolden); }

// promtool is the judge of the exposition format; it is installed here
// (Debian package prometheus), so the test runs it rather than trusting
// the golden text alone. "No warnings" means empty output and exit 0.
std::string promtoolCheck(const std::string& text) {
  char path[] = "/tmp/meshfwd-metrics-XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  close(fd);
  std::string cmd = std::string("promtool check metrics < ") + path + " 2>&1; echo \"exit=$?\"";
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[512];
    while (fgets(buf, sizeof buf, p)) out += buf;
    pclose(p);
  }
  unlink(path);
  return out;
}

TEST(StatsRender, PromtoolAcceptsTheOutputWithoutWarnings) {
  ASSERT_EQ(access("/usr/bin/promtool", X_OK), 0) << "promtool (Debian package prometheus) is part of the toolchain";
  EXPECT_EQ(promtoolCheck(renderPrometheus(sample())), "exit=0\n");
  // The real shape: every reason of both relay hooks, no sites, nothing attached.
  FakeCounters src;
  StatsSnapshot full = collectStats(src, hooksOfRole(MF_ROLE_RELAY), {});
  EXPECT_EQ(promtoolCheck(renderPrometheus(full)), "exit=0\n");
}

TEST(StatsRender, PromtoolWouldCatchABrokenExposition) {
  // Guards the check above: promtool really rejects a counter without _total.
  ASSERT_EQ(access("/usr/bin/promtool", X_OK), 0);
  std::string bad = "# HELP meshfwd_packets Packets.\n# TYPE meshfwd_packets counter\nmeshfwd_packets 1\n";
  EXPECT_NE(promtoolCheck(bad), "exit=0\n");
}

TEST(StatsEventLog, FormatsUdpAndIcmpEvents) {
  mf_event e{};
  e.ts_ns = 5'000'000'123;  // 5 s after boot
  e.reason = MF_R_REJECT_POLICY;
  e.ifindex = 7;
  auto a = Ipv6Addr::parse("fd42:4242:4242:a::10")->bytes;
  auto b = Ipv6Addr::parse("fd42:4242:4242:b::20")->bytes;
  std::memcpy(e.saddr, a.data(), 16);
  std::memcpy(e.daddr, b.data(), 16);
  e.l4proto = 17;
  e.sport = htons(40000);
  e.dport = htons(53);
  e.len = 80;
  // Boot at 2026-01-01T00:00:00Z.
  const int64_t boot = 1767225600LL * 1000000000LL;
  EXPECT_EQ(formatEvent(e, boot, "wg0"),
            "2026-01-01T00:00:05.000Z reject_policy wg0 fd42:4242:4242:a::10 -> fd42:4242:4242:b::20 udp 40000 -> 53 "
            "len 80");
  e.l4proto = 58;
  e.sport = htons(0x8000);  // echo request, code 0
  e.reason = MF_R_DROP_ICMP_TYPE;
  EXPECT_EQ(formatEvent(e, boot, ""),
            "2026-01-01T00:00:05.000Z drop_icmp_type ifindex 7 fd42:4242:4242:a::10 -> fd42:4242:4242:b::20 icmpv6 "
            "type 128 code 0 len 80");
}

TEST(StatsEventLog, RateLimiterAllowsBurstThenRateAndCountsTheRest) {
  LineRateLimiter limiter(2, 3);  // 2 lines/s, burst 3
  uint64_t t = 1'000'000'000;
  EXPECT_TRUE(limiter.allow(t));
  EXPECT_TRUE(limiter.allow(t));
  EXPECT_TRUE(limiter.allow(t));
  EXPECT_FALSE(limiter.allow(t));
  EXPECT_FALSE(limiter.allow(t + 100'000'000));  // 0.2 tokens refilled: still no
  EXPECT_EQ(limiter.takeSuppressed(), 2u);
  EXPECT_EQ(limiter.takeSuppressed(), 0u);
  EXPECT_TRUE(limiter.allow(t + 500'000'000));  // 1 token after 0.5 s
  EXPECT_FALSE(limiter.allow(t + 500'000'000));
}

}  // namespace
}  // namespace meshfwd
