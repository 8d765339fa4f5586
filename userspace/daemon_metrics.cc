#include "userspace/daemon_metrics.h"

#include <algorithm>
#include <cstdio>

namespace meshfwd {

std::string renderDaemonMetrics(const DaemonStatus& status, int64_t lastSuccessUnix) {
  char duration[32];
  std::snprintf(duration, sizeof duration, "%.6f", status.lastReloadMs / 1000.0);
  std::string out;
  out += "# HELP meshfwd_config_reload_success Whether the last configuration reload succeeded (1) or was refused (0).\n";
  out += "# TYPE meshfwd_config_reload_success gauge\n";
  out += "meshfwd_config_reload_success " + std::string(status.lastReload == ReloadResult::Failed ? "0" : "1") + "\n";
  out += "# HELP meshfwd_config_reload_timestamp_seconds Unix time of the last successful configuration load.\n";
  out += "# TYPE meshfwd_config_reload_timestamp_seconds gauge\n";
  out += "meshfwd_config_reload_timestamp_seconds " + std::to_string(lastSuccessUnix) + "\n";
  out += "# HELP meshfwd_config_reload_duration_seconds Time from the last reload request to the new policy being live.\n";
  out += "# TYPE meshfwd_config_reload_duration_seconds gauge\n";
  out += "meshfwd_config_reload_duration_seconds " + std::string(duration) + "\n";
  return out;
}

std::chrono::milliseconds metricsRefreshDelay(std::chrono::milliseconds period, std::chrono::nanoseconds lastRefresh) {
  auto busyBound = std::chrono::duration_cast<std::chrono::milliseconds>(lastRefresh * 10);
  return std::max(period, busyBound);
}

}  // namespace meshfwd
