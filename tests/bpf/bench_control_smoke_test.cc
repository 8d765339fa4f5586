// `meshfwd-bench control` must not rot: a --quick run (the real daemon,
// 2 and 256 site routes, 3 reloads each) exits 0 and reports every row, as
// a table and as JSON. A benchmark is not a test: no latency is asserted,
// only that each reload reached the pinned maps (the tool fails otherwise)
// and was reported.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <sstream>
#include <string>
#include <utility>

namespace {

std::pair<int, std::string> runCommand(const std::string& command) {
  std::string out;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (!p) return {-1, "popen failed"};
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  return {pclose(p), out};
}

// A table row: "<sites> <reloads> <median> (<min>..<max>) <median> (<min>..<max>)".
bool tableHasRow(const std::string& table, const std::string& sites) {
  std::istringstream lines(table);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string first, reloads, toMap, toMapRange, reported, reportedRange;
    words >> first >> reloads >> toMap >> toMapRange >> reported >> reportedRange;
    if (first == sites && reloads == "3" && toMapRange.front() == '(' && !reportedRange.empty() &&
        std::stod(toMap) > 0)
      return true;
  }
  return false;
}

const std::string kBench = std::string(MESHFWD_BENCH_BINARY) + " control --quick";

TEST(BenchControlSmoke, QuickRunReportsEveryRowAndTheGoal) {
  auto [status, out] = runCommand(kBench);
  ASSERT_EQ(status, 0) << out;
  EXPECT_TRUE(tableHasRow(out, "2")) << out;
  EXPECT_TRUE(tableHasRow(out, "256")) << out;
  EXPECT_NE(out.find("target: sighup_to_map median <= 50 ms at every row: "), std::string::npos) << out;
}

TEST(BenchControlSmoke, QuickJsonHasEveryRow) {
  auto [status, out] = runCommand(kBench + " --json");
  ASSERT_EQ(status, 0) << out;
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.front(), '{') << out;
  for (const char* sites : {"2", "256"})
    EXPECT_NE(out.find(std::string("{\"row\": \"reload_to_datapath\", \"sites\": ") + sites + ", \"reloads\": 3, "),
              std::string::npos)
        << sites << "\n" << out;
  EXPECT_NE(out.find("\"target\": {\"goal_ms\": 50, \"met\": "), std::string::npos) << out;
}

TEST(BenchControlSmoke, RefusesSiteCountsOutOfOrder) {
  auto [status, out] = runCommand(std::string(MESHFWD_BENCH_BINARY) + " control --sites 256 2");
  EXPECT_NE(status, 0) << out;
  EXPECT_NE(out.find("ascending"), std::string::npos) << out;
}

}  // namespace
