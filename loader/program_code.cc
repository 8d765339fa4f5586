#include "loader/program_code.h"

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include <string_view>

#include "loader/unique_fd.h"

namespace meshfwd::loader {

namespace {

// The value of a single-entry read-only data map ("<obj>.rodata",
// ".rodata.str1.1", ...) appended to `out`; other maps are skipped. False
// when it cannot be read.
bool appendRodata(uint32_t mapId, std::vector<uint8_t>& out) {
  UniqueFd map(bpf_map_get_fd_by_id(mapId));
  if (!map.valid()) return false;
  bpf_map_info info{};
  __u32 len = sizeof info;
  if (bpf_obj_get_info_by_fd(map.get(), &info, &len) != 0) return false;
  if (std::string_view(info.name).find(".rodata") == std::string_view::npos) return true;
  if (info.type != BPF_MAP_TYPE_ARRAY || info.max_entries != 1) return false;
  std::vector<uint8_t> value(info.value_size);
  uint32_t zero = 0;
  if (bpf_map_lookup_elem(map.get(), &zero, value.data()) != 0) return false;
  out.insert(out.end(), value.begin(), value.end());
  return true;
}

}  // namespace

std::optional<ProgramCode> programCodeOf(int progFd) {
  std::vector<uint32_t> mapIds(64);
  bpf_prog_info info{};
  info.nr_map_ids = static_cast<__u32>(mapIds.size());
  info.map_ids = reinterpret_cast<__u64>(mapIds.data());
  __u32 len = sizeof info;
  if (progFd < 0 || bpf_obj_get_info_by_fd(progFd, &info, &len) != 0) return std::nullopt;
  if (info.nr_map_ids > mapIds.size()) return std::nullopt;  // more maps than any meshfwd program has

  ProgramCode code;
  code.name = info.name;
  code.type = info.type;
  for (size_t i = 0; i < code.tag.size(); ++i) code.tag[i] = info.tag[i];
  for (uint32_t i = 0; i < info.nr_map_ids; ++i)
    if (!appendRodata(mapIds[i], code.rodata)) return std::nullopt;
  return code;
}

bool sameProgramCode(const ProgramCode& a, const ProgramCode& b) {
  return !a.name.empty() && a.name == b.name && a.type == b.type && a.tag == b.tag && a.rodata == b.rodata;
}

}  // namespace meshfwd::loader
