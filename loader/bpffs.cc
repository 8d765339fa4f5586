#include "loader/bpffs.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace meshfwd::loader {

std::string ensureBpffs(bool* mounted) {
  *mounted = false;
  struct statfs fs {};
  if (statfs(kBpffsMount, &fs) == 0 && static_cast<unsigned long>(fs.f_type) == BPF_FS_MAGIC) return "";
  // Mode 0700 as systemd mounts it: pins are root's business.
  if (mount("bpf", kBpffsMount, "bpf", 0, "mode=0700") != 0) {
    int err = errno;
    return std::string("bpffs is not mounted at ") + kBpffsMount + " and mounting it failed: " +
           std::strerror(err) + (err == EPERM ? " (needs root)" : "");
  }
  *mounted = true;
  return "";
}

std::string makePinDirs(const std::string& path) {
  for (size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
    std::string prefix = path.substr(0, slash);
    if (mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST)
      return "cannot create " + prefix + ": " + std::strerror(errno);
    if (slash == std::string::npos) return "";
  }
}

std::string removePinTree(const std::string& path) {
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) {
    if (errno == ENOENT) return "";
    if (errno == ENOTDIR) return unlink(path.c_str()) == 0 ? "" : "cannot remove " + path + ": " + std::strerror(errno);
    return "cannot open " + path + ": " + std::strerror(errno);
  }
  std::vector<std::pair<std::string, bool>> entries;
  while (dirent* e = readdir(dir)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    entries.emplace_back(path + "/" + name, e->d_type == DT_DIR);
  }
  closedir(dir);
  std::string error;
  for (const auto& [child, isDir] : entries) {
    std::string e = isDir ? removePinTree(child)
                          : (unlink(child.c_str()) == 0 ? "" : "cannot remove " + child + ": " + std::strerror(errno));
    if (!e.empty() && error.empty()) error = e;
  }
  if (rmdir(path.c_str()) != 0 && errno != ENOENT && error.empty())
    error = "cannot remove " + path + ": " + std::strerror(errno);
  return error;
}

PinLock::PinLock() {
  if (std::string e = makePinDirs(kMeshfwdPinDir); !e.empty()) {
    error_ = e;
    return;
  }
  fd_ = open(kMeshfwdPinDir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd_ < 0 || flock(fd_, LOCK_EX) != 0) error_ = std::string("cannot lock ") + kMeshfwdPinDir + ": " + std::strerror(errno);
}

PinLock::~PinLock() {
  if (fd_ >= 0) close(fd_);  // releases the flock
}

}  // namespace meshfwd::loader
