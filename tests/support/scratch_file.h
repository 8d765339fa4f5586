// A temporary file that belongs to one test process.
//
// ctest runs every test as its own process, two at a time: a fixed name
// under TempDir() is shared between them, and one test reads what another
// just wrote (CI caught NftRender checking the wrong ruleset that way).
#pragma once

#include <string>
#include <string_view>

namespace meshfwd::test {

class ScratchFile {
 public:
  // stem names the test in the path; suffix (".toml") keeps the file readable.
  explicit ScratchFile(std::string_view stem, std::string_view suffix = "");
  ~ScratchFile();
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;

  const std::string& path() const { return path_; }
  // Replaces the content; fails the test if the write does not complete.
  void write(std::string_view text) const;
  std::string read() const;

 private:
  std::string path_;
};

}  // namespace meshfwd::test
