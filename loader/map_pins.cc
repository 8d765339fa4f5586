#include "loader/map_pins.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "loader/unique_fd.h"
#include "maps/meshfwd_abi.h"

namespace meshfwd::loader {

namespace {

// .rodata/.bss/.data belong to one object's programs; only the declared
// maps are shared state.
bool isSharedMap(const bpf_map* map) { return !bpf_map__is_internal(map); }

void mixIn(uint64_t& hash, const void* data, size_t size) {
  const auto* bytes = static_cast<const uint8_t*>(data);
  for (size_t i = 0; i < size; ++i) {
    hash ^= bytes[i];
    hash *= 0x100000001b3ULL;  // FNV-1a 64
  }
}

// Why a pinned map cannot stand in for the declared one, or "".
std::string mismatch(const bpf_map* map, int pinnedFd) {
  bpf_map_info info{};
  __u32 len = sizeof info;
  if (bpf_obj_get_info_by_fd(pinnedFd, &info, &len) != 0) return std::string("unreadable: ") + std::strerror(errno);
  if (info.type != bpf_map__type(map)) return "map type differs";
  if (info.key_size != bpf_map__key_size(map)) return "key size differs";
  if (info.value_size != bpf_map__value_size(map)) return "value size differs";
  if (info.max_entries != bpf_map__max_entries(map)) return "entry count differs";
  if (info.map_flags != bpf_map__map_flags(map)) return "flags differ";
  return "";
}

}  // namespace

uint64_t layoutFingerprint(bpf_object* obj) {
  std::map<std::string, const bpf_map*> sorted;
  bpf_map* map = nullptr;
  bpf_object__for_each_map(map, obj) {
    if (isSharedMap(map)) sorted.emplace(bpf_map__name(map), map);
  }
  uint64_t hash = 0xcbf29ce484222325ULL;
  uint32_t abi = MF_ABI_VERSION;
  mixIn(hash, &abi, sizeof abi);
  for (const auto& [name, m] : sorted) {
    mixIn(hash, name.data(), name.size() + 1);
    uint32_t shape[] = {static_cast<uint32_t>(bpf_map__type(m)), bpf_map__key_size(m), bpf_map__value_size(m),
                        bpf_map__max_entries(m), bpf_map__map_flags(m)};
    mixIn(hash, shape, sizeof shape);
  }
  return hash;
}

std::string adoptPinnedMaps(bpf_object* obj, const std::string& mapsDir, bool layoutMatches, MapAdoption& out) {
  out = {};
  bool all = true;
  bpf_map* map = nullptr;
  bpf_object__for_each_map(map, obj) {
    if (!isSharedMap(map)) continue;
    std::string name = bpf_map__name(map);
    std::string path = mapsDir + "/" + name;
    UniqueFd pinned(bpf_obj_get(path.c_str()));
    if (!pinned.valid()) {
      all = false;
      if (errno != ENOENT) out.warnings.push_back("pinned map " + path + " unusable (" + std::strerror(errno) + "): re-created");
      continue;
    }
    if (!layoutMatches) {
      all = false;
      ++out.skippedPins;
      continue;  // the caller says why once, for all maps
    }
    if (std::string why = mismatch(map, pinned.get()); !why.empty()) {
      all = false;
      out.warnings.push_back("pinned map " + name + " has another layout (" + why + "): re-created it, its contents start empty");
      continue;
    }
    if (int rc = bpf_map__reuse_fd(map, pinned.get()); rc != 0)
      return "cannot reuse pinned map " + path + ": " + std::strerror(-rc);
    out.adopted.insert(name);
  }
  out.all = all && !out.adopted.empty();
  return "";
}

std::string pinMaps(bpf_object* obj, const std::string& mapsDir, const MapAdoption& adoption) {
  std::set<std::string> declared;
  bpf_map* map = nullptr;
  bpf_object__for_each_map(map, obj) {
    if (isSharedMap(map)) declared.insert(bpf_map__name(map));
  }
  // Pins of maps this layout no longer has would be read by nobody.
  if (DIR* dir = opendir(mapsDir.c_str())) {
    std::vector<std::string> stale;
    while (dirent* e = readdir(dir)) {
      std::string name = e->d_name;
      if (name != "." && name != ".." && !declared.count(name)) stale.push_back(name);
    }
    closedir(dir);
    for (const std::string& name : stale) unlink((mapsDir + "/" + name).c_str());
  }
  bpf_object__for_each_map(map, obj) {
    if (!isSharedMap(map)) continue;
    std::string name = bpf_map__name(map);
    if (adoption.adopted.count(name)) continue;
    std::string path = mapsDir + "/" + name;
    if (unlink(path.c_str()) != 0 && errno != ENOENT) return "cannot replace pin " + path + ": " + std::strerror(errno);
    if (bpf_obj_pin(bpf_map__fd(map), path.c_str()) != 0) return "cannot pin " + path + ": " + std::strerror(errno);
  }
  return "";
}

}  // namespace meshfwd::loader
