// Text pieces every meshfwd-bench report shares, so that all its tables and
// JSON print figures the same way: "median (min..max)", padded columns,
// spreads as JSON objects, and the kernel the figures were measured on.
#pragma once

#include <cstddef>
#include <string>

#include "tools/bench/measure.h"

namespace meshfwd::bench {

// printf-formats one number (`format` takes exactly one double).
std::string formatNumber(double value, const char* format);

// "median (min..max)", each part printed with `format`.
std::string formatSpread(const Spread& spread, const char* format);

// `text` followed by spaces up to `width` columns (never truncated).
std::string padRight(std::string text, size_t width);

// {"median": m, "min": a, "max": b}
std::string jsonSpread(const Spread& spread, const char* format = "%.3f");

// uname's release, or "unknown".
std::string kernelRelease();

}  // namespace meshfwd::bench
