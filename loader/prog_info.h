// What the kernel says about a loaded program, by fd or by id.
#pragma once

#include <cstdint>
#include <string>

#include "loader/unique_fd.h"

namespace meshfwd::loader {

struct ProgramInfo {
  uint32_t id = 0;   // 0: no such program
  std::string name;  // as the kernel keeps it: at most 15 characters
};

ProgramInfo programInfoByFd(int fd);
// Needs CAP_SYS_ADMIN (BPF_PROG_GET_FD_BY_ID).
ProgramInfo programInfoById(uint32_t id);
UniqueFd programFdById(uint32_t id);

}  // namespace meshfwd::loader
