// The daemon's own metrics (beside the datapath counters and each
// component's): whether the last config reload succeeded and when it ran.
// Pure; HELP and TYPE included, clean under `promtool check metrics`.
#pragma once

#include <chrono>
#include <string>

#include "userspace/daemon_status.h"

namespace meshfwd {

// meshfwd_config_reload_success (1 also before any reload: the config the
// daemon started with loaded), meshfwd_config_reload_timestamp_seconds
// (the last successful load, start-up included),
// meshfwd_config_reload_duration_seconds (the last reload, SIGHUP to live).
std::string renderDaemonMetrics(const DaemonStatus& status, int64_t lastSuccessUnix);

// When to refresh /metrics and the status file next, given how long the
// last refresh took: every `period`, but never spending more than a tenth
// of the loop on it. At 65,536 sites a refresh reads 65,536 egress entries
// and 131,074 per-CPU site counters: ~0.25 s here in batches, ~1.5 s when it
// took a syscall per key (then /metrics moved every ~15 s). Refreshed every
// second regardless, a slow read would keep the loop busy, and a SIGHUP or
// a netlink event would wait behind it.
std::chrono::milliseconds metricsRefreshDelay(std::chrono::milliseconds period, std::chrono::nanoseconds lastRefresh);

}  // namespace meshfwd
