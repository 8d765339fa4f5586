// The benchmark's output: a table for people, the same as JSON (--json)
// for scripts, and the target line.
#pragma once

#include <cstdint>
#include <ostream>
#include <vector>

#include "tools/bench/measure.h"

namespace meshfwd::bench {

// The allowed path may cost at most this much above the empty program.
inline constexpr double kTargetAboveFloorNs = 50.0;

struct RunInfo {
  uint32_t sites = 0;
  uint32_t packetsPerRow = 0;
  uint32_t runs = 0;
  uint32_t repeat = 0;
  uint64_t seed = 0;
};

void printTable(std::ostream& out, const RunInfo& info, const std::vector<RowResult>& results);
void printJson(std::ostream& out, const RunInfo& info, const std::vector<RowResult>& results);

}  // namespace meshfwd::bench
