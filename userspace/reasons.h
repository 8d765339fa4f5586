// Names of the verdict reasons declared in maps/meshfwd_abi.h, for stats,
// metrics and logs.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace meshfwd {

struct ReasonInfo {
  uint32_t id;
  std::string_view hook;  // relay_tc, relay_guard, edge_xdp, edge_tc
  std::string_view name;  // Prometheus label value
};

// Every reason of the ABI, in id order.
const std::vector<ReasonInfo>& allReasons();
std::optional<ReasonInfo> reasonById(uint32_t id);

}  // namespace meshfwd
