// When a restarted daemon may leave a running program on its hook: only
// when it is the same code as the one just loaded (loader/program_code.h).
#include <gtest/gtest.h>

#include "loader/program_code.h"

namespace meshfwd::loader {
namespace {

ProgramCode relayTc() {
  return ProgramCode{"relay_tunnel_in", 3 /* BPF_PROG_TYPE_SCHED_CLS */, {1, 2, 3, 4, 5, 6, 7, 8}, {0xaa, 0xbb}};
}

TEST(ProgramCode, TheSameCodeIsTheSame) { EXPECT_TRUE(sameProgramCode(relayTc(), relayTc())); }

TEST(ProgramCode, AnyDifferenceMeansReplace) {
  struct Case {
    const char* what;
    void (*change)(ProgramCode&);
  };
  const Case cases[] = {
      {"name", [](ProgramCode& c) { c.name = "relay_uplink_gu"; }},
      {"type", [](ProgramCode& c) { c.type = 6; }},
      {"tag", [](ProgramCode& c) { c.tag[7] ^= 1; }},
      // A changed constant table leaves the tag alone: the tag zeroes map
      // references, and .rodata is a map.
      {"rodata bytes", [](ProgramCode& c) { c.rodata[1] = 0xbc; }},
      {"rodata size", [](ProgramCode& c) { c.rodata.push_back(0); }},
      {"rodata gone", [](ProgramCode& c) { c.rodata.clear(); }},
  };
  for (const Case& c : cases) {
    ProgramCode changed = relayTc();
    c.change(changed);
    EXPECT_FALSE(sameProgramCode(relayTc(), changed)) << c.what;
    EXPECT_FALSE(sameProgramCode(changed, relayTc())) << c.what;
  }
}

TEST(ProgramCode, AnUninspectableProgramIsNeverTheSame) {
  EXPECT_FALSE(sameProgramCode(ProgramCode{}, ProgramCode{}));
}

}  // namespace
}  // namespace meshfwd::loader
