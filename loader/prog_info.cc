#include "loader/prog_info.h"

#include <bpf/bpf.h>
#include <linux/bpf.h>

namespace meshfwd::loader {

ProgramInfo programInfoByFd(int fd) {
  bpf_prog_info info{};
  __u32 len = sizeof info;
  if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) != 0) return {};
  return ProgramInfo{info.id, info.name};
}

UniqueFd programFdById(uint32_t id) { return UniqueFd(id == 0 ? -1 : bpf_prog_get_fd_by_id(id)); }

ProgramInfo programInfoById(uint32_t id) {
  UniqueFd fd = programFdById(id);
  return programInfoByFd(fd.get());
}

}  // namespace meshfwd::loader
