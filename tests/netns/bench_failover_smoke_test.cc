// `meshfwd-bench failover --quick` must not rot: one round of each event
// for the meshfwd pair and the keepalived pair on the failover lab, as
// JSON. Every failover must recover (the bench exits 1 otherwise) and be
// measured: a window above zero with packets lost. No timing goal is
// asserted here beyond a bound that only a broken takeover exceeds; the
// figures are the benchmark's (README, issue 7).
#include <gtest/gtest.h>

#include <set>

#include "tests/support/ns_command.h"
#include "tests/support/ns_json.h"

namespace meshfwd::test {
namespace {

constexpr double kBrokenTakeoverMs = 5000;  // WireGuard's ~15 s stale-session outage lies far above

TEST(BenchFailoverSmoke, QuickRunMeasuresEveryEventForBothRouterPairs) {
  auto r = runCommand({MESHFWD_BENCH_BINARY, "failover", "--quick", "--json", "--meshfwd", MESHFWD_BINARY},
                      {"", std::chrono::seconds(400), ""});
  ASSERT_TRUE(r.ok()) << r.describe() << "\n" << r.out;
  JsonValue doc = JsonValue::parse(r.out);
  EXPECT_EQ(doc.at("runs").u64(), 1u);
  EXPECT_EQ(doc.at("advert_interval_ms").u64(), 100u);
  std::set<std::string> seen;
  for (const auto& row : doc.at("rows").array()) {
    std::string name = row.at("event").string() + "/" + row.at("routers").string();
    seen.insert(name);
    EXPECT_EQ(row.at("recovered").u64(), 1u) << name;
    double median = row.at("median_ms").number();
    EXPECT_GT(median, 0) << name << ": a failover that loses nothing measured nothing";
    EXPECT_LT(median, kBrokenTakeoverMs) << name;
  }
  EXPECT_EQ(seen, (std::set<std::string>{"graceful stop/meshfwd", "graceful stop/keepalived", "link cut/meshfwd",
                                         "link cut/keepalived"}));
  ASSERT_EQ(doc.at("ratios").array().size(), 2u);
  for (const auto& ratio : doc.at("ratios").array()) {
    EXPECT_EQ(ratio.at("pairs").u64(), 1u) << ratio.at("event").string();
    EXPECT_GT(ratio.at("keepalived_over_meshfwd").number(), 0) << ratio.at("event").string();
  }
  for (const auto& s : doc.at("samples").array()) EXPECT_GT(s.at("lost").u64(), 0u);
}

}  // namespace
}  // namespace meshfwd::test
