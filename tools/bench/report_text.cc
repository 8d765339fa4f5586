#include "tools/bench/report_text.h"

#include <sys/utsname.h>

#include <cstdio>

namespace meshfwd::bench {

std::string formatNumber(double value, const char* format) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

std::string formatSpread(const Spread& spread, const char* format) {
  return formatNumber(spread.median, format) + " (" + formatNumber(spread.min, format) + ".." +
         formatNumber(spread.max, format) + ")";
}

std::string padRight(std::string text, size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

std::string jsonSpread(const Spread& spread, const char* format) {
  return "{\"median\": " + formatNumber(spread.median, format) + ", \"min\": " + formatNumber(spread.min, format) +
         ", \"max\": " + formatNumber(spread.max, format) + "}";
}

std::string kernelRelease() {
  utsname u{};
  return uname(&u) == 0 ? u.release : "unknown";
}

}  // namespace meshfwd::bench
