// The systemd units (tools/systemd/): their exposure score under
// `systemd-analyze security --offline=yes` stays at or below 3.5 (issue 5),
// `systemd-analyze verify` finds nothing to say about them, and the command
// lines and privileges they declare are the ones the daemon needs (DESIGN.md
// §5, §6) and the built CLI accepts. No root needed: nothing is started.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/shell_run.h"

namespace {

namespace fs = std::filesystem;

constexpr double kMaxExposure = 3.5;
const std::string kConfig = "/etc/meshfwd/meshfwd.toml";
using Outcome = meshfwd::test::ShellOutcome;

fs::path unitPath(const std::string& name) { return fs::path(MESHFWD_SOURCE_DIR) / "tools/systemd" / name; }

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Key -> every value it is given in [Service] (systemd lets keys repeat).
std::multimap<std::string, std::string> serviceSection(const fs::path& p) {
  std::multimap<std::string, std::string> keys;
  std::istringstream in(slurp(p));
  std::string line, section;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line[0] == '[') {
      section = line;
      continue;
    }
    size_t eq = line.find('=');
    if (section == "[Service]" && eq != std::string::npos) keys.emplace(line.substr(0, eq), line.substr(eq + 1));
  }
  return keys;
}

std::string only(const std::multimap<std::string, std::string>& keys, const std::string& key) {
  auto [b, e] = keys.equal_range(key);
  if (b == e || std::next(b) != e) return "<" + std::to_string(std::distance(b, e)) + " values>";
  return b->second;
}

std::set<std::string> words(const std::string& s) {
  std::set<std::string> out;
  std::istringstream in(s);
  for (std::string w; in >> w;) out.insert(w);
  return out;
}

// The score systemd-analyze prints as "Overall exposure level for X: 2.3 OK".
double exposure(const fs::path& unit, std::string* report) {
  Outcome o = meshfwd::test::runShell("systemd-analyze security --offline=yes --no-pager " + unit.string());
  *report = o.out;
  std::smatch m;
  static const std::regex overall(R"(Overall exposure level for \S+: ([0-9]+\.[0-9]+))");
  if (o.status != 0 || !std::regex_search(o.out, m, overall)) return -1;
  return std::stod(m[1]);
}

class SystemdUnit : public ::testing::TestWithParam<std::string> {};

TEST_P(SystemdUnit, ExposureAtMostThreePointFive) {
  std::string report;
  double score = exposure(unitPath(GetParam()), &report);
  ASSERT_GE(score, 0.0) << "no score from systemd-analyze security (is the systemd package installed?):\n" << report;
  RecordProperty("exposure", std::to_string(score));
  std::printf("%s: exposure %.1f\n", GetParam().c_str(), score);
  EXPECT_LE(score, kMaxExposure) << report;
}

TEST_P(SystemdUnit, ShapeTheDaemonNeeds) {
  auto keys = serviceSection(unitPath(GetParam()));
  EXPECT_EQ(only(keys, "Type"), "notify");  // READY=1 only once the datapath is attached
  EXPECT_EQ(only(keys, "ExecStart"), "/usr/sbin/meshfwd run --config " + kConfig);
  EXPECT_EQ(only(keys, "ExecStartPre"), "/usr/sbin/meshfwd check-config " + kConfig);
  EXPECT_EQ(only(keys, "ExecReload"), "/bin/kill -HUP $MAINPID");
  EXPECT_EQ(only(keys, "Restart"), "on-failure");
  // Pins must be re-adopted by the same UID after a restart.
  EXPECT_EQ(only(keys, "User"), "root");
  EXPECT_EQ(keys.count("DynamicUser"), 0u);
  // Stopping must leave the pinned datapath forwarding (crash safety).
  EXPECT_EQ(only(keys, "ExecStart").find("--detach-on-stop"), std::string::npos);
  EXPECT_EQ(only(keys, "NoNewPrivileges"), "yes");
  EXPECT_EQ(only(keys, "ProtectSystem"), "strict");
  EXPECT_EQ(only(keys, "RuntimeDirectory"), "meshfwd");  // /run/meshfwd: the status file
  EXPECT_TRUE(words(only(keys, "ReadWritePaths")).count("/sys/fs/bpf")) << "pins must stay writable";
  // Netlink for everything, IPv6 for raw VRRP/RA and DNS, AF_UNIX for wireguard-go.
  auto families = words(only(keys, "RestrictAddressFamilies"));
  for (const char* f : {"AF_NETLINK", "AF_INET6", "AF_INET", "AF_UNIX"}) EXPECT_TRUE(families.count(f)) << f;
  auto [b, e] = keys.equal_range("SystemCallFilter");
  ASSERT_NE(b, e);
  EXPECT_TRUE(words(b->second).count("bpf")) << "the allow list must include bpf(2): " << b->second;
}

INSTANTIATE_TEST_SUITE_P(Units, SystemdUnit, ::testing::Values("meshfwd-relay.service", "meshfwd-edge.service"),
                         [](const auto& info) { return info.param.substr(8, info.param.find('.') - 8); });

// Bounding sets are exact: a capability added later must come with a reason.
TEST(SystemdUnits, CapabilitiesPerRole) {
  const std::set<std::string> relay{"CAP_BPF", "CAP_PERFMON", "CAP_NET_ADMIN", "CAP_SYS_ADMIN"};
  std::set<std::string> edge = relay;
  edge.insert("CAP_NET_RAW");  // VRRP and ICMPv6 raw sockets
  EXPECT_EQ(words(only(serviceSection(unitPath("meshfwd-relay.service")), "CapabilityBoundingSet")), relay);
  EXPECT_EQ(words(only(serviceSection(unitPath("meshfwd-edge.service")), "CapabilityBoundingSet")), edge);
}

// DESIGN.md §6: a dead edge daemon's macvlan, VIP and tunnel go with it.
TEST(SystemdUnits, EdgeCleansUpAfterEveryStopRelayHasNothingToClean) {
  auto edge = serviceSection(unitPath("meshfwd-edge.service"));
  EXPECT_EQ(only(edge, "ExecStopPost"), "/usr/sbin/meshfwd cleanup --role edge --config " + kConfig);
  // The tunnel routes saved in the state directory outlive the cleanup's
  // tunnel down and a stop (which removes /run/meshfwd); a restart keeps
  // /run/meshfwd, where an older meshfwd saved them.
  EXPECT_EQ(only(edge, "StateDirectory"), "meshfwd");
  EXPECT_EQ(only(edge, "RuntimeDirectoryPreserve"), "restart");
  EXPECT_EQ(serviceSection(unitPath("meshfwd-relay.service")).count("ExecStopPost"), 0u);
  // The edge writes keep_addr_on_down on its macvlan: with read-only kernel
  // tunables that directory must be writable.
  if (only(edge, "ProtectKernelTunables") == "yes") {
    EXPECT_TRUE(words(only(edge, "ReadWritePaths")).count("/proc/sys/net/ipv6/conf"));
  }
}

// The verbs and flags the units run exist in the built CLI, and the
// pre-start check passes on the shipped examples.
TEST(SystemdUnits, CommandLinesMatchTheBuiltCli) {
  const std::string bin = MESHFWD_BINARY;
  Outcome run = meshfwd::test::runShell(bin + " run --help");
  ASSERT_EQ(run.status, 0) << run.out;
  EXPECT_NE(run.out.find("--config"), std::string::npos) << run.out;
  Outcome cleanup = meshfwd::test::runShell(bin + " cleanup --help");
  ASSERT_EQ(cleanup.status, 0) << cleanup.out;
  EXPECT_NE(cleanup.out.find("--role"), std::string::npos) << cleanup.out;
  EXPECT_NE(cleanup.out.find("--config"), std::string::npos) << cleanup.out;
  for (const char* role : {"relay", "edge"}) {
    Outcome check = meshfwd::test::runShell(bin + " check-config " + MESHFWD_SOURCE_DIR + "/tools/examples/" + role + ".toml");
    EXPECT_EQ(check.status, 0) << check.out;
  }
}

// `systemd-analyze verify` exits 0 even when it warns about unknown keys or
// bad values, so the test wants silence. It also insists the Exec binaries
// exist: copies of the units run the built binary instead of /usr/sbin's.
class VerifyDir {
 public:
  VerifyDir() {
    char tmpl[] = "/tmp/meshfwd-units-XXXXXX";
    dir_ = mkdtemp(tmpl) ? tmpl : "";
  }
  ~VerifyDir() {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  fs::path copy(const std::string& name, const std::string& extraServiceLine = "") {
    std::string text = slurp(unitPath(name));
    for (size_t at; (at = text.find("/usr/sbin/meshfwd")) != std::string::npos;)
      text.replace(at, std::string("/usr/sbin/meshfwd").size(), MESHFWD_BINARY);
    if (!extraServiceLine.empty()) text.replace(text.find("[Service]\n") + 10, 0, extraServiceLine + "\n");
    fs::path out = fs::path(dir_) / name;
    std::ofstream(out) << text;
    return out;
  }
  const std::string& path() const { return dir_; }

 private:
  std::string dir_;
};

TEST(SystemdUnits, VerifyIsSilent) {
  VerifyDir dir;
  ASSERT_FALSE(dir.path().empty());
  fs::path relay = dir.copy("meshfwd-relay.service"), edge = dir.copy("meshfwd-edge.service");
  Outcome o = meshfwd::test::runShell("systemd-analyze verify --man=no " + relay.string() + " " + edge.string());
  EXPECT_EQ(o.status, 0) << o.out;
  EXPECT_EQ(o.out, "");
}

// The silence above means something: the same check hears a misspelt key.
TEST(SystemdUnits, VerifyHearsAMisspeltKey) {
  VerifyDir dir;
  ASSERT_FALSE(dir.path().empty());
  fs::path edge = dir.copy("meshfwd-edge.service", "ProtectSytem=strict");
  dir.copy("meshfwd-relay.service");  // Conflicts= names it
  Outcome o = meshfwd::test::runShell("systemd-analyze verify --man=no " + edge.string());
  EXPECT_NE(o.out.find("ProtectSytem"), std::string::npos) << o.out;
}

}  // namespace
