// The failover benchmark's figures: median, min and max of the loss
// windows per router and event, and keepalived's against meshfwd's as the
// median of the per-round ratios (each pair measured back to back). Pure.
#pragma once

#include <optional>
#include <ostream>
#include <vector>

#include "tools/bench/failover_bench.h"

namespace meshfwd::bench {

struct FailoverRow {
  lab::Router router;
  FailoverEvent event;
  unsigned runs = 0;        // attempted
  unsigned recovered = 0;   // with a window
  double medianMs = 0, minMs = 0, maxMs = 0;
};

struct FailoverRatio {
  FailoverEvent event;
  std::optional<double> medianRatio;  // keepalived / meshfwd, per round
  unsigned pairs = 0;
};

std::vector<FailoverRow> failoverRows(const std::vector<FailoverSample>& samples);
std::vector<FailoverRatio> failoverRatios(const std::vector<FailoverSample>& samples);

void printFailoverTable(std::ostream& out, const FailoverOptions& options, const std::vector<FailoverSample>& samples);
void printFailoverJson(std::ostream& out, const FailoverOptions& options, const std::vector<FailoverSample>& samples);

}  // namespace meshfwd::bench
