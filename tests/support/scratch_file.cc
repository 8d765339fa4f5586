#include "tests/support/scratch_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace meshfwd::test {

ScratchFile::ScratchFile(std::string_view stem, std::string_view suffix) {
  std::string pattern = ::testing::TempDir() + "/" + std::string(stem) + "-XXXXXX" + std::string(suffix);
  int fd = ::mkstemps(pattern.data(), static_cast<int>(suffix.size()));
  if (fd < 0) {
    ADD_FAILURE() << "cannot create " << pattern;
    return;
  }
  ::close(fd);
  path_ = pattern;
}

ScratchFile::~ScratchFile() {
  if (!path_.empty()) ::unlink(path_.c_str());
}

void ScratchFile::write(std::string_view text) const {
  std::ofstream out(path_, std::ios::trunc);
  out << text;
  out.flush();
  EXPECT_TRUE(out.good()) << "cannot write " << path_;
}

std::string ScratchFile::read() const {
  std::ifstream in(path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace meshfwd::test
