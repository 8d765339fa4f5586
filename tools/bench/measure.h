// Timing rows with BPF_PROG_TEST_RUN: every figure is ns per program run,
// reported next to the empty program of the same hook and the same repeat
// count, measured in the same run (DESIGN.md 7).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "loader/bpf_object.h"
#include "tools/bench/bench_row.h"

namespace meshfwd::bench {

struct Spread {
  double median = 0;
  double min = 0;
  double max = 0;
};

// Median, min and max of `samples` (all 0 when empty).
Spread spreadOf(std::vector<double> samples);

struct RowResult {
  const BenchRow* row = nullptr;
  uint32_t repeat = 0;
  Spread nsPerPacket;
  Spread floor;       // the empty program of the row's hook, same repeat
  Spread aboveFloor;  // row - floor, pair by pair within each run
};

struct MeasureOptions {
  uint32_t runs = 5;
  uint32_t repeat = 64;  // per call, for rows that do not rewrite their packet
};

// Runs every packet of the row once through its program and checks the
// verdict and the reason counter. "" or what differs. Once, not with the
// timing repeat: the rate-limited row's bucket refills a token a second,
// and a slow pass over thousands of packets would see refills. What a
// repeat changes is bounded by construction (see BenchRow::rewritesPacket).
std::string verifyRow(const BenchRow& row);

// The empty programs (bench_empty_tc / bench_empty_xdp) of `bench`, timed
// on `floorPackets` in every run. Each row's result is the median, min and
// max over `runs` passes; rows are interleaved within a run.
std::vector<RowResult> measureRows(const std::vector<BenchRow>& rows, const loader::BpfObject& bench,
                                   const std::vector<Packet>& floorPackets, const MeasureOptions& options,
                                   std::string& error);

}  // namespace meshfwd::bench
