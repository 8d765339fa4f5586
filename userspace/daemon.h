// `meshfwd run`: one event loop with the signal fd (SIGHUP reload,
// SIGTERM/SIGINT orderly stop), the netlink watch fanned out to the
// components (datapath keeper; on the edge VRRP and RA when configured),
// the /metrics server, the status file and systemd notifications.
//
// Stopping leaves the datapath pinned and attached (forwarding continues
// while the daemon is away; a restart adopts it) unless detachOnStop.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "userspace/config_file.h"
#include "userspace/daemon_component.h"
#include "userspace/daemon_status.h"
#include "userspace/event_loop.h"
#include "userspace/metrics_http.h"
#include "userspace/netlink_watch.h"

namespace meshfwd {

class DatapathKeeper;

struct DaemonOptions {
  std::string configPath = kDefaultConfigPath;
  ConfigOverrides overrides;
  bool detachOnStop = false;
  bool force = false;  // replace a foreign XDP program at attach
};

class Daemon {
 public:
  explicit Daemon(DaemonOptions options);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Runs until SIGTERM/SIGINT. 0 after an orderly stop; 1 when start-up
  // failed (the errors are logged, nothing is left half attached).
  int run();

 private:
  std::string startUp(const Config& config);
  void onSignal();
  void reload();
  void shutDown();
  void refreshMetrics();   // every component's metrics, read again, then publishMetrics()
  void publishMetrics();   // the last components' text with the daemon's own metrics as they are now
  void writeStatus();
  void scheduleMetricsRefresh();

  DaemonOptions options_;
  EventLoop loop_;
  std::unique_ptr<NetlinkWatch> watch_;
  MetricsServer metrics_;
  std::vector<std::unique_ptr<DaemonComponent>> components_;  // start order
  DatapathKeeper* datapath_ = nullptr;                          // components_[0]
  std::optional<Config> config_;
  int signalFd_ = -1;
  std::string statusPath_;
  std::string lastStatusText_;  // what the status file holds
  DaemonStatus status_;
  int64_t lastLoadUnix_ = 0;
  std::string componentMetrics_;  // as the last refreshMetrics() rendered them
  std::chrono::nanoseconds lastRefreshTook_{0};  // the periodic metrics and status refresh
};

}  // namespace meshfwd
