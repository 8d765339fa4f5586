// PinnedMaps: the maps of the instance attached in this namespace, opened
// from their pins after checking that their layout is this build's.
#include <bpf/bpf.h>
#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "loader/datapath.h"
#include "loader/instance.h"
#include "loader/instance_state.h"
#include "loader/netns.h"
#include "maps/meshfwd_abi.h"

namespace meshfwd::loader {

PinnedMaps PinnedMaps::open(std::string* error) {
  auto failWith = [error](const std::string& e) {
    if (error) *error = e;
    return PinnedMaps();
  };
  std::string root = pinRoot();
  if (root.empty()) return failWith("cannot identify this network namespace (/proc/thread-self/ns/net)");
  InstanceState state;
  std::string why;
  switch (readState(root, state, &why)) {
    case StateRead::Absent: return failWith("meshfwd is not attached in this network namespace (nothing pinned under " + root + ")");
    case StateRead::Unreadable: return failWith(why + "; run `meshfwd attach` again to re-create it");
    case StateRead::Ok: break;
  }
  if (state.netnsCookie != netnsCookie())
    return failWith("the pins under " + root + " belong to a deleted network namespace; run `meshfwd attach`");
  if (state.abiVersion != MF_ABI_VERSION)
    return failWith("the pinned maps have layout version " + std::to_string(state.abiVersion) +
                    ", this meshfwd reads version " + std::to_string(MF_ABI_VERSION) +
                    "; run `meshfwd attach` to re-create them");

  PinnedMaps maps;
  maps.kind_ = state.role;
  std::string dir = mapsDir(root);
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return failWith("cannot open " + dir + ": " + std::strerror(errno));
  std::vector<std::string> names;
  while (dirent* e = readdir(d))
    if (e->d_name[0] != '.') names.emplace_back(e->d_name);
  closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    int fd = bpf_obj_get((dir + "/" + name).c_str());
    if (fd < 0) {
      std::string e = "cannot open pinned map " + dir + "/" + name + ": " + std::strerror(errno);
      return failWith(e);  // maps' destructor closes what was opened
    }
    maps.fds_.emplace_back(name, fd);
  }
  if (maps.fds_.empty()) return failWith("no maps are pinned under " + dir);
  return maps;
}

PinnedMaps::PinnedMaps(PinnedMaps&& other) noexcept : kind_(other.kind_), fds_(std::move(other.fds_)) {
  other.fds_.clear();
}

PinnedMaps& PinnedMaps::operator=(PinnedMaps&& other) noexcept {
  if (this != &other) {
    for (auto& [name, fd] : fds_) close(fd);
    kind_ = other.kind_;
    fds_ = std::move(other.fds_);
    other.fds_.clear();
  }
  return *this;
}

PinnedMaps::~PinnedMaps() {
  for (auto& [name, fd] : fds_) close(fd);
}

int PinnedMaps::fd(std::string_view name) const {
  for (const auto& [n, fd] : fds_)
    if (n == name) return fd;
  return -1;
}

std::vector<std::string> PinnedMaps::names() const {
  std::vector<std::string> out;
  for (const auto& [n, fd] : fds_) out.push_back(n);
  return out;
}

}  // namespace meshfwd::loader
