// The bpffs side of an instance: mounting bpffs where systemd would, the
// pin directories, and the lock that serialises attach/detach/re-attach
// of every instance on the machine (the daemon and the CLI may race).
#pragma once

#include <string>

namespace meshfwd::loader {

inline constexpr const char* kBpffsMount = "/sys/fs/bpf";
inline constexpr const char* kMeshfwdPinDir = "/sys/fs/bpf/meshfwd";

// Mounts bpffs at /sys/fs/bpf when something else (or nothing) is there.
// "" or an error; *mounted tells whether this call mounted it.
std::string ensureBpffs(bool* mounted);

// mkdir -p for a directory below bpffs. "" or an error.
std::string makePinDirs(const std::string& path);

// Removes every pin below path and the directories, path included.
// Missing path is not an error. "" or an error.
std::string removePinTree(const std::string& path);

// Holds an exclusive flock on /sys/fs/bpf/meshfwd while alive.
class PinLock {
 public:
  PinLock();
  ~PinLock();
  PinLock(const PinLock&) = delete;
  PinLock& operator=(const PinLock&) = delete;
  const std::string& error() const { return error_; }

 private:
  int fd_ = -1;
  std::string error_;
};

}  // namespace meshfwd::loader
