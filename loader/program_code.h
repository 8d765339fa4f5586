// Whether the program running on a hook is the same code as one just
// loaded, so a restarted daemon can leave the hook alone (adopt it) rather
// than replace it: same name, type, kernel tag (the instructions with map
// references zeroed) and the same read-only data (.rodata), which the tag
// does not cover. Mutable data (.data, .bss) is state, not code.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace meshfwd::loader {

struct ProgramCode {
  std::string name;
  uint32_t type = 0;
  std::array<uint8_t, 8> tag{};
  std::vector<uint8_t> rodata;  // every .rodata map the program uses, in map id order
};

// nullopt when the program cannot be inspected (then it is never "the same").
std::optional<ProgramCode> programCodeOf(int progFd);

// Pure.
bool sameProgramCode(const ProgramCode& a, const ProgramCode& b);

}  // namespace meshfwd::loader
