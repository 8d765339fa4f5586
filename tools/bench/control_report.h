// `meshfwd-bench control` output: a table for people, JSON for scripts,
// and the goal line.
#pragma once

#include <ostream>

#include "tools/bench/reload_latency.h"

namespace meshfwd::bench {

void printReloadTable(std::ostream& out, const ReloadResult& result);
void printReloadJson(std::ostream& out, const ReloadResult& result);

}  // namespace meshfwd::bench
