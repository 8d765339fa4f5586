#include "loader/instance_state.h"

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include <cerrno>
#include <cstring>

#include "loader/unique_fd.h"

namespace meshfwd::loader {

namespace {

constexpr uint64_t kStateMagic = 0x31647766'6873656dULL;  // "meshfwd1", little-endian
// Bump when StoredState changes shape; value_size alone misses reorders.
constexpr uint32_t kStateVersion = 1;
constexpr size_t kMaxHooks = 8;

struct StoredHook {
  char iface[16];  // IFNAMSIZ
  uint32_t ifindex;
  uint8_t slot;
  uint8_t xdpMode;
  uint8_t createdClsact;
  uint8_t pad;
};

struct StoredState {
  uint64_t magic;
  uint32_t stateVersion;
  uint32_t abiVersion;
  uint64_t layoutFingerprint;
  uint64_t netnsCookie;
  uint32_t role;
  uint32_t programsFrom;
  uint32_t hookCount;
  uint32_t pad;
  StoredHook hooks[kMaxHooks];
};
static_assert(sizeof(StoredHook) == 24);
static_assert(sizeof(StoredState) == 48 + kMaxHooks * sizeof(StoredHook));

std::string statePath(const std::string& pinRoot) { return pinRoot + "/state"; }

}  // namespace

const HookRecord* InstanceState::find(HookSlot slot) const {
  for (const HookRecord& h : hooks)
    if (h.slot == slot) return &h;
  return nullptr;
}

StateRead readState(const std::string& pinRoot, InstanceState& state, std::string* why) {
  UniqueFd fd(bpf_obj_get(statePath(pinRoot).c_str()));
  if (!fd.valid()) {
    if (errno == ENOENT) return StateRead::Absent;
    if (why) *why = "cannot open " + statePath(pinRoot) + ": " + std::strerror(errno);
    return StateRead::Unreadable;
  }
  bpf_map_info info{};
  __u32 len = sizeof info;
  StoredState stored{};
  uint32_t zero = 0;
  if (bpf_obj_get_info_by_fd(fd.get(), &info, &len) != 0 || info.value_size != sizeof stored ||
      bpf_map_lookup_elem(fd.get(), &zero, &stored) != 0 || stored.magic != kStateMagic ||
      stored.stateVersion != kStateVersion || stored.hookCount > kMaxHooks) {
    if (why) *why = statePath(pinRoot) + " was written by another meshfwd version";
    return StateRead::Unreadable;
  }
  state = {};
  state.abiVersion = stored.abiVersion;
  state.layoutFingerprint = stored.layoutFingerprint;
  state.netnsCookie = stored.netnsCookie;
  state.role = static_cast<ObjectKind>(stored.role);
  state.programsFrom = static_cast<ObjectKind>(stored.programsFrom);
  for (uint32_t i = 0; i < stored.hookCount; ++i) {
    const StoredHook& h = stored.hooks[i];
    state.hooks.push_back(HookRecord{std::string(h.iface, strnlen(h.iface, sizeof h.iface)), h.ifindex,
                                     static_cast<HookSlot>(h.slot), static_cast<XdpMode>(h.xdpMode),
                                     h.createdClsact != 0});
  }
  return StateRead::Ok;
}

std::string writeState(const std::string& pinRoot, const InstanceState& state) {
  if (state.hooks.size() > kMaxHooks) return "too many hooks to record";
  StoredState stored{};
  stored.magic = kStateMagic;
  stored.stateVersion = kStateVersion;
  stored.abiVersion = state.abiVersion;
  stored.layoutFingerprint = state.layoutFingerprint;
  stored.netnsCookie = state.netnsCookie;
  stored.role = static_cast<uint32_t>(state.role);
  stored.programsFrom = static_cast<uint32_t>(state.programsFrom);
  stored.hookCount = static_cast<uint32_t>(state.hooks.size());
  for (size_t i = 0; i < state.hooks.size(); ++i) {
    const HookRecord& h = state.hooks[i];
    StoredHook& s = stored.hooks[i];
    std::strncpy(s.iface, h.iface.c_str(), sizeof s.iface - 1);
    s.ifindex = h.ifindex;
    s.slot = static_cast<uint8_t>(h.slot);
    s.xdpMode = static_cast<uint8_t>(h.xdpMode);
    s.createdClsact = h.createdClsact ? 1 : 0;
  }

  std::string path = statePath(pinRoot);
  UniqueFd fd(bpf_obj_get(path.c_str()));
  bpf_map_info info{};
  __u32 len = sizeof info;
  if (fd.valid() && (bpf_obj_get_info_by_fd(fd.get(), &info, &len) != 0 || info.value_size != sizeof stored)) {
    unlink(path.c_str());  // another version's record: replace it
    fd.reset();
  }
  if (!fd.valid()) {
    fd.reset(bpf_map_create(BPF_MAP_TYPE_ARRAY, "mf_loader_state", sizeof(uint32_t), sizeof stored, 1, nullptr));
    if (!fd.valid()) return std::string("cannot create the state map: ") + std::strerror(errno);
    if (bpf_obj_pin(fd.get(), path.c_str()) != 0) return "cannot pin " + path + ": " + std::strerror(errno);
  }
  uint32_t zero = 0;
  if (bpf_map_update_elem(fd.get(), &zero, &stored, BPF_ANY) != 0)
    return "cannot write " + path + ": " + std::strerror(errno);
  return "";
}

}  // namespace meshfwd::loader
