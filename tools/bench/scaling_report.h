// `meshfwd-bench scaling`'s output: a table for people, the same as JSON.
#pragma once

#include <ostream>

#include "tools/bench/scaling_bench.h"

namespace meshfwd::bench {

void printScalingTable(std::ostream& out, const ScalingResult& result);
void printScalingJson(std::ostream& out, const ScalingResult& result);

}  // namespace meshfwd::bench
