// `meshfwd-bench forward`'s output: a table for people, the same as JSON.
#pragma once

#include <ostream>

#include "tools/bench/forward_bench.h"

namespace meshfwd::bench {

void printForwardTable(std::ostream& out, const ForwardResult& result);
void printForwardJson(std::ostream& out, const ForwardResult& result);

}  // namespace meshfwd::bench
