// Where the router's time goes (issue 9: profile a goal that is not met):
// the kernel's own accounting of BPF program run time (BPF_ENABLE_STATS),
// read for the programs on the router's ingress hooks around each window.
// Router ns/packet minus BPF ns/packet is the kernel's part of the path
// (skb, GRO, the TC hook, redirect and transmit). Stats cost two clock
// reads per run, so they are only on with --profile.
#pragma once

#include <cstdint>
#include <string>

#include "loader/unique_fd.h"

namespace meshfwd::bench {

// Keeps run-time stats on while the fd is open. Invalid fd on failure.
loader::UniqueFd enableBpfRunStats();

struct BpfRunSample {
  uint64_t runTimeNs = 0;
  uint64_t runCount = 0;
};

// Sum over the XDP program and meshfwd's TC-slot program on `ifname` in
// netns `netns` (whichever are attached).
BpfRunSample sampleIngressPrograms(const std::string& netns, const std::string& ifname);

}  // namespace meshfwd::bench
