// The e2e suite's last step (ctest fixture cleanup `e2e.lab_down`, run even
// when a case failed): `meshfwd lab down`, then proof that nothing of the
// lab is left on the machine.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/e2e/lab_client.h"

namespace meshfwd::test {
namespace {

namespace fs = std::filesystem;

// Command lines of running processes that mention `needle`.
std::vector<std::string> processesMentioning(const std::string& needle) {
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    std::string pid = entry.path().filename();
    if (pid.empty() || !std::isdigit(static_cast<unsigned char>(pid[0]))) continue;
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    std::string cmd((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (char& c : cmd)
      if (c == '\0') c = ' ';
    if (cmd.find(needle) != std::string::npos && cmd.find("meshfwd_e2e_tests") == std::string::npos)
      found.push_back(pid + ": " + cmd);
  }
  return found;
}

std::vector<std::string> entriesStartingWith(const std::string& dir, const std::string& prefix) {
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.path().filename().string().rfind(prefix, 0) == 0) found.push_back(entry.path());
  return found;
}

TEST(E2eLabDown, RemovesEveryNamespaceProcessAndFileOfTheLab) {
  const std::string p = LabClient::prefix() + "-";
  auto down = runCommand({MESHFWD_BINARY, "lab", "down"}, CommandOptions{"", 120s, ""});
  EXPECT_TRUE(down.ok()) << down.describe();

  auto netns = runCommand({"ip", "netns", "list"});
  EXPECT_EQ(netns.out.find(p), std::string::npos) << "namespaces left:\n" << netns.out;
  EXPECT_EQ(processesMentioning("wireguard-go -f " + p), std::vector<std::string>{});
  EXPECT_EQ(processesMentioning("/run/meshfwd-lab/" + LabClient::prefix() + "/"), std::vector<std::string>{});
  EXPECT_EQ(entriesStartingWith("/etc/netns", p), std::vector<std::string>{});
  EXPECT_EQ(entriesStartingWith("/var/run/wireguard", p), std::vector<std::string>{});
  EXPECT_FALSE(fs::exists("/run/meshfwd-lab/" + LabClient::prefix()));
}

}  // namespace
}  // namespace meshfwd::test
