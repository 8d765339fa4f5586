#include "userspace/reasons.h"

#include "maps/meshfwd_abi.h"

namespace meshfwd {

const std::vector<ReasonInfo>& allReasons() {
  static const std::vector<ReasonInfo> reasons = {
#define MF_REASON_INFO(e, n, hook, name) ReasonInfo{n, hook, name},
      MF_REASONS(MF_REASON_INFO)
#undef MF_REASON_INFO
  };
  return reasons;
}

std::optional<ReasonInfo> reasonById(uint32_t id) {
  for (const auto& r : allReasons())
    if (r.id == id) return r;
  return std::nullopt;
}

}  // namespace meshfwd
