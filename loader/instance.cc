#include "loader/instance.h"

#include <bpf/bpf.h>
#include <dirent.h>

#include "loader/datapath.h"
#include "loader/netns.h"
#include "loader/prog_info.h"
#include "loader/role_hooks.h"
#include "loader/unique_fd.h"

namespace meshfwd::loader {

std::string pinRoot() {
  uint64_t inode = netnsInode(nullptr);
  if (inode == 0) return "";
  return "/sys/fs/bpf/meshfwd/net" + std::to_string(inode);
}

std::string mapsDir(const std::string& pinRoot) { return pinRoot + "/maps"; }
std::string progsDir(const std::string& pinRoot) { return pinRoot + "/progs"; }

std::set<uint32_t> pinnedProgramIds(const std::string& pinRoot) {
  std::set<uint32_t> ids;
  std::string dir = progsDir(pinRoot);
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return ids;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    UniqueFd fd(bpf_obj_get((dir + "/" + e->d_name).c_str()));
    if (uint32_t id = programInfoByFd(fd.get()).id; id != 0) ids.insert(id);
  }
  closedir(d);
  return ids;
}

bool isMeshfwdProgram(uint32_t progId, const std::set<uint32_t>& pinnedIds, std::string* program) {
  if (program) program->clear();
  if (progId == 0) return false;
  ProgramInfo info = programInfoById(progId);
  std::string_view fullName;
  bool namedLikeOurs = isMeshfwdProgramName(info.name, &fullName);
  if (!namedLikeOurs && !pinnedIds.count(progId)) return false;
  if (program) *program = namedLikeOurs ? std::string(fullName) : info.name;
  return true;
}

}  // namespace meshfwd::loader
