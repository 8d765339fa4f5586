#include "tools/bench/measure.h"

#include <algorithm>
#include <map>
#include <utility>

#include "loader/map_ops.h"
#include "loader/test_run.h"
#include "maps/meshfwd_abi.h"
#include "userspace/reasons.h"

namespace meshfwd::bench {

namespace {

uint32_t rowRepeat(const BenchRow& row, uint32_t repeat) { return row.rewritesPacket ? 1 : repeat; }

std::string reasonLabel(uint32_t reason) {
  auto info = reasonById(reason);
  return info ? std::string(info->name) : "reason " + std::to_string(reason);
}

// mf_counters[reason].packets summed over CPUs, or -1 when unreadable.
int64_t countedPackets(const loader::BpfObject& object, uint32_t reason) {
  std::vector<mf_counter> perCpu;
  if (loader::lookupPerCpu(object.mapFd("mf_counters"), reason, perCpu) != 0) return -1;
  int64_t sum = 0;
  for (const auto& c : perCpu) sum += static_cast<int64_t>(c.packets);
  return sum;
}

// Mean ns per program run over one pass through `packets`, one test-run
// call per packet. The kernel reports each call's time per repeat.
double timePass(int progFd, const std::vector<Packet>& packets, uint32_t repeat, std::string& error) {
  loader::TestRunOptions options;
  options.repeat = repeat;
  double total = 0;
  for (const Packet& packet : packets) {
    loader::TestRunResult r = loader::testRun(progFd, packet, options);
    if (r.error != 0) {
      error = "BPF_PROG_TEST_RUN failed: errno " + std::to_string(-r.error);
      return -1;
    }
    total += r.durationNs;
  }
  return total / static_cast<double>(packets.size());
}

}  // namespace

Spread spreadOf(std::vector<double> samples) {
  Spread s;
  if (samples.empty()) return s;
  std::sort(samples.begin(), samples.end());
  size_t n = samples.size();
  s.min = samples.front();
  s.max = samples.back();
  s.median = n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
  return s;
}

std::string verifyRow(const BenchRow& row) {
  const std::string where = row.group + "/" + row.path + ": ";
  if (!row.object) return where + "no program object";
  int fd = row.object->progFd(row.program);
  if (fd < 0) return where + "no program named " + row.program;
  if (row.packets.empty()) return where + "no packets";
  if (row.prepare) {
    if (std::string err = row.prepare(); !err.empty()) return where + err;
  }
  int64_t before = row.reason ? countedPackets(*row.object, *row.reason) : 0;
  for (size_t i = 0; i < row.packets.size(); ++i) {
    loader::TestRunResult r = loader::testRun(fd, row.packets[i]);
    if (r.error != 0) return where + "BPF_PROG_TEST_RUN failed: errno " + std::to_string(-r.error);
    if (r.retval != row.verdict)
      return where + "packet " + std::to_string(i) + " got verdict " + std::to_string(r.retval) + ", expected " +
             std::to_string(row.verdict);
  }
  if (row.reason) {
    int64_t after = countedPackets(*row.object, *row.reason);
    int64_t expected = static_cast<int64_t>(row.packets.size());
    if (before < 0 || after < 0) return where + "cannot read mf_counters";
    if (after - before != expected)
      return where + "counted " + std::to_string(after - before) + " runs under " + reasonLabel(*row.reason) +
             ", expected " + std::to_string(expected) + ": the packets take another path";
  }
  return "";
}

std::vector<RowResult> measureRows(const std::vector<BenchRow>& rows, const loader::BpfObject& bench,
                                   const std::vector<Packet>& floorPackets, const MeasureOptions& options,
                                   std::string& error) {
  using FloorKey = std::pair<Hook, uint32_t>;
  std::map<FloorKey, int> floorPrograms;
  for (const BenchRow& row : rows) {
    FloorKey key{row.hook, rowRepeat(row, options.repeat)};
    floorPrograms[key] = bench.progFd(row.hook == Hook::Xdp ? "bench_empty_xdp" : "bench_empty_tc");
    if (floorPrograms[key] < 0) {
      error = "the bench object has no empty program for " + std::string(hookName(row.hook));
      return {};
    }
  }

  std::vector<std::vector<double>> ns(rows.size()), floors(rows.size()), above(rows.size());
  for (uint32_t run = 0; run < options.runs; ++run) {
    std::map<FloorKey, double> floorThisRun;
    for (const auto& [key, fd] : floorPrograms) {
      floorThisRun[key] = timePass(fd, floorPackets, key.second, error);
      if (floorThisRun[key] < 0) return {};
    }
    for (size_t i = 0; i < rows.size(); ++i) {
      const BenchRow& row = rows[i];
      if (row.prepare) {
        if (std::string err = row.prepare(); !err.empty()) {
          error = row.group + "/" + row.path + ": " + err;
          return {};
        }
      }
      uint32_t n = rowRepeat(row, options.repeat);
      double t = timePass(row.object->progFd(row.program), row.packets, n, error);
      if (t < 0) return {};
      double f = floorThisRun[{row.hook, n}];
      ns[i].push_back(t);
      floors[i].push_back(f);
      above[i].push_back(t - f);
    }
  }

  std::vector<RowResult> results;
  for (size_t i = 0; i < rows.size(); ++i) {
    results.push_back({&rows[i], rowRepeat(rows[i], options.repeat), spreadOf(ns[i]), spreadOf(floors[i]),
                       spreadOf(above[i])});
  }
  return results;
}

}  // namespace meshfwd::bench
