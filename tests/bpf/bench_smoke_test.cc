// The benchmark must not rot: a --quick run of meshfwd-bench (built next to
// the tests; tools/bench/CMakeLists.txt passes its path) exits 0 and prints
// every row, as a table and as JSON. Benchmarks are not tests: no timing is
// asserted here, only that every verdict path was verified and reported.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace {

struct Row {
  const char* group;
  const char* path;
};

// Issue 3 (relay paths and guard) and issue 4 (edge paths), and the FIB
// lookup the egress map replaces.
const std::vector<Row> kRows{
    {"relay_tc", "fwd_mesh_udp"},
    {"relay_tc", "fwd_icmp_echo"},
    {"relay_tc", "fwd_icmp_error_related"},
    {"relay_tc", "reject_policy_build_1_3"},
    {"relay_tc", "flood_wrong_port_ratelimited"},
    {"relay_tc", "flood_wrong_dest_ratelimited"},
    {"relay_tc", "time_exceeded_build"},
    {"relay_tc", "packet_too_big_build"},
    {"relay_tc", "fwd_first_fragment"},
    {"relay_tc", "fwd_later_fragment"},
    {"relay_tc", "drop_fragment_no_first"},
    {"relay_tc", "pass_to_self"},
    {"relay_tc", "drop_ipv4"},
    {"relay_guard", "pass_other_v4"},
    {"relay_guard", "pass_other_v6"},
    {"relay_guard", "pass_handshake_init"},
    {"relay_guard", "pass_handshake_init_limit_on"},
    {"relay_guard", "pass_handshake_response"},
    {"relay_guard", "pass_cookie_reply"},
    {"relay_guard", "pass_transport_data_v4"},
    {"relay_guard", "pass_transport_data_v6"},
    {"relay_guard", "drop_bad_length"},
    {"relay_guard", "drop_handshake_ratelimited"},
    {"reference", "fib_lookup_skip_neigh"},
    {"edge_xdp", "e2_pass_to_tc"},
    {"edge_xdp", "e1_reject_hairpin_build"},
    {"edge_xdp", "drop_spoofed_source"},
    {"edge_tc", "e2_fwd_lan_to_tunnel"},
    {"edge_tc", "e3_fwd_tunnel_to_lan"},
    {"edge_tc", "e4_reject_build"},
};

// Exit status and stdout+stderr of a shell command.
std::pair<int, std::string> runCommand(const std::string& command) {
  std::string out;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (!p) return {-1, "popen failed"};
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  return {pclose(p), out};
}

// The table rows: lines whose first two words are a group and a path.
bool tableHasRow(const std::string& table, const Row& row) {
  std::istringstream lines(table);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string group, path;
    words >> group >> path;
    if (group == row.group && path == row.path) return true;
  }
  return false;
}

TEST(BenchSmoke, QuickRunVerifiesAndPrintsEveryRow) {
  auto [status, out] = runCommand(std::string(MESHFWD_BENCH_BINARY) + " --quick");
  ASSERT_EQ(status, 0) << out;
  for (const Row& row : kRows) EXPECT_TRUE(tableHasRow(out, row)) << row.group << "/" << row.path << "\n" << out;
  EXPECT_NE(out.find("target: relay_tc/fwd_mesh_udp"), std::string::npos) << out;
}

TEST(BenchSmoke, QuickJsonHasEveryRowAndTheTarget) {
  auto [status, out] = runCommand(std::string(MESHFWD_BENCH_BINARY) + " --quick --json");
  ASSERT_EQ(status, 0) << out;
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.front(), '{') << out;
  for (const Row& row : kRows) {
    std::string entry = std::string("\"group\": \"") + row.group + "\", \"path\": \"" + row.path + "\"";
    EXPECT_NE(out.find(entry), std::string::npos) << entry << "\n" << out;
  }
  EXPECT_NE(out.find("\"target\": {\"row\": \"relay_tc/fwd_mesh_udp\""), std::string::npos) << out;
}

TEST(BenchSmoke, RejectsATooSmallSiteCount) {
  auto [status, out] = runCommand(std::string(MESHFWD_BENCH_BINARY) + " --quick --sites 1");
  EXPECT_NE(status, 0) << out;
}

}  // namespace
