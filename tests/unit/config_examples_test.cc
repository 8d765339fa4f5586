// The example configs installed with meshfwd load without a single error,
// have the role their name says, and document every key they set.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "userspace/config_file.h"

namespace meshfwd {
namespace {

using ::testing::IsEmpty;

std::string examplePath(const std::string& name) {
  return std::string(MESHFWD_SOURCE_DIR) + "/tools/examples/" + name + ".toml";
}

TEST(ConfigExamples, RelayLoadsWithZeroErrors) {
  ConfigLoad load = loadConfigFile(examplePath("relay"));
  ASSERT_THAT(load.errors, IsEmpty()) << load.errors.front().str();
  EXPECT_EQ(load.config->role, Role::Relay);
  EXPECT_EQ(load.config->tunnel, "wgvpnr01");  // the seed's name
  EXPECT_EQ(load.config->meshPrefix.length, 48);
  EXPECT_NE(load.config->guard.listenPort, 0);  // so render-nft works from it as is
}

TEST(ConfigExamples, EdgeLoadsWithZeroErrors) {
  ConfigLoad load = loadConfigFile(examplePath("edge"));
  ASSERT_THAT(load.errors, IsEmpty()) << load.errors.front().str();
  EXPECT_EQ(load.config->role, Role::Edge);
  ASSERT_TRUE(load.config->sitePrefix.has_value());
  EXPECT_TRUE(load.config->meshPrefix.contains(*load.config->sitePrefix));
  EXPECT_NE(load.config->guard.listenPort, 0);
}

// A key line must carry a comment, or follow a comment directly (possibly
// through other key lines of the same block): nothing set without a word
// on what it does.
TEST(ConfigExamples, EveryKeyIsDocumented) {
  const std::regex keyLine(R"(^\s*([A-Za-z_]+)\s*=)");
  for (const char* name : {"relay", "edge"}) {
    std::ifstream in(examplePath(name));
    ASSERT_TRUE(in) << name;
    bool documented = false;  // the block the current line is in has a comment
    int lineNumber = 0;
    int keys = 0;
    for (std::string line; std::getline(in, line);) {
      ++lineNumber;
      std::smatch m;
      std::string trimmed = line.substr(std::min(line.find_first_not_of(' '), line.size()));
      if (trimmed.rfind("#", 0) == 0) {
        documented = true;
      } else if (std::regex_search(line, m, keyLine)) {
        ++keys;
        EXPECT_TRUE(documented || line.find('#') != std::string::npos)
            << name << ".toml:" << lineNumber << ": key '" << m[1] << "' has no comment";
      } else if (trimmed.empty() || trimmed.front() == '[') {
        documented = false;  // a blank line or a section ends the block
      }
    }
    EXPECT_GT(keys, 10) << name;
  }
}

}  // namespace
}  // namespace meshfwd
