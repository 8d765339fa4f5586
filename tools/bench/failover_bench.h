// meshfwd-bench failover (issue 7): the loss window a host sees when its
// site's VRRP master goes away, for meshfwd against meshfwd and for
// keepalived against keepalived on the same lab (failover_lab.h) and the
// same UDP stream (loss_probe.h), in one run. Two ways to go away: a
// graceful stop (SIGTERM: priority 0, the backup waits Skew_Time) and a
// cut LAN link (no priority 0: Master_Down_Interval).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tools/bench/failover_lab.h"

namespace meshfwd::bench {

enum class FailoverEvent { GracefulStop, LinkCut };
const char* failoverEventName(FailoverEvent e);

struct FailoverOptions {
  unsigned runs = 5;
  std::chrono::microseconds probeInterval{5000};
  uint16_t advertIntervalCs = 10;
  std::string meshfwdBinary;
  std::string prefix = "bfo";  // namespaces and interfaces of this run
  std::vector<lab::Router> routers{lab::Router::Meshfwd, lab::Router::Keepalived};
  std::function<void(const std::string&)> progress;  // one line per run
};

// One failover: which router pair, which event, which run, and the window
// (nullopt when traffic never came back within the deadline).
struct FailoverSample {
  lab::Router router;
  FailoverEvent event;
  unsigned run = 0;
  std::optional<double> windowMs;
  uint64_t lost = 0;
  std::string note;  // why a run failed
};

// Runs `runs` rounds; in each, every event with every router pair, back to
// back, so each pair of figures is measured under the same load.
// Throws on a broken set-up (the lab's errors).
std::vector<FailoverSample> runFailoverBench(const FailoverOptions& options);

}  // namespace meshfwd::bench
