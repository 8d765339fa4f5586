// `meshfwd log`: sampled reject events from the mf_events ring buffer, one
// line each, rate-limited again in userspace so a flood of rejects cannot
// flood a terminal or a journal. (The datapath samples with its own
// event_rate bucket; this is the reader's side.)
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "maps/meshfwd_abi.h"

namespace meshfwd {

// "2026-11-25T17:10:03.123Z reject_policy cltun0 fd00::1 -> fd42::20 udp 40000 -> 53 len 80"
// `realtimeMinusMonotonicNs` turns the event's bpf_ktime_get_ns() stamp
// into wall-clock time; `ifname` names the event's ifindex ("" = number).
std::string formatEvent(const mf_event& event, int64_t realtimeMinusMonotonicNs, const std::string& ifname);

// A token bucket over a caller-supplied clock (ns): `allow` says whether a
// line may be printed now; what it refuses it counts, and `takeSuppressed`
// hands that count over once, for a "N events suppressed" line.
class LineRateLimiter {
 public:
  LineRateLimiter(double perSecond, double burst) : rate_(perSecond), burst_(burst), tokens_(burst) {}
  bool allow(uint64_t nowNs);
  uint64_t takeSuppressed();

 private:
  double rate_;
  double burst_;
  double tokens_;
  uint64_t lastNs_ = 0;
  bool started_ = false;
  uint64_t suppressed_ = 0;
};

// Polls the ring buffer map `ringFd`, calling `onEvent` for each complete
// event, until `onEvent` returns false or `keepGoing` does. "" or an error.
std::string readEvents(int ringFd, const std::function<bool(const mf_event&)>& onEvent,
                       const std::function<bool()>& keepGoing);

// CLOCK_REALTIME - CLOCK_MONOTONIC now, in ns.
int64_t realtimeMinusMonotonicNs();

}  // namespace meshfwd
