// BPF_PROG_TEST_RUN: run a loaded program on a packet fixture. Used by the
// packet tests and the benchmark; nothing here attaches anything.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace meshfwd::loader {

struct TestRunResult {
  int error = 0;                // 0, or -errno from the syscall
  uint32_t retval = 0;          // the program's verdict (TC_ACT_* / XDP_*)
  uint32_t durationNs = 0;      // average per run, as the kernel reports it
  std::vector<uint8_t> output;  // the packet after the program ran
};

struct TestRunOptions {
  uint32_t repeat = 1;
  uint32_t ingressIfindex = 0;  // ctx ifindex for TC (0 = loopback as the kernel picks)
  bool liveFrames = false;      // XDP: BPF_F_TEST_XDP_LIVE_FRAMES
};

TestRunResult testRun(int progFd, std::span<const uint8_t> packet, const TestRunOptions& options = {});

}  // namespace meshfwd::loader
