#include "userspace/daemon.h"

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "userspace/daemon_datapath.h"
#include "userspace/daemon_log.h"
#include "userspace/daemon_metrics.h"
#include "userspace/daemon_notify.h"
#include "userspace/daemon_signals.h"
#include "userspace/ra_sender.h"
#include "userspace/vrrp_router.h"

namespace meshfwd {

namespace {

constexpr auto kMetricsRefresh = std::chrono::seconds(1);

int64_t nowUnix() { return static_cast<int64_t>(std::time(nullptr)); }

const char* roleText(Role r) { return r == Role::Relay ? "relay" : "edge"; }

void logVrrp(VrrpRouter::LogLevel level, const std::string& text) {
  switch (level) {
    case VrrpRouter::LogLevel::Debug:
      if (std::getenv("MESHFWD_DEBUG")) logLine(LogPriority::Debug, "vrrp: " + text);
      break;
    case VrrpRouter::LogLevel::Info: logInfo("vrrp: " + text); break;
    case VrrpRouter::LogLevel::Warning: logWarning("vrrp: " + text); break;
  }
}

std::vector<std::string> errorLines(const ConfigLoad& load) {
  std::vector<std::string> out;
  for (const auto& e : load.errors) out.push_back(e.str());
  return out;
}

}  // namespace

Daemon::Daemon(DaemonOptions options) : options_(std::move(options)) {}

Daemon::~Daemon() {
  if (signalFd_ >= 0) ::close(signalFd_);
}

int Daemon::run() {
  // Before any thread exists, so the HTTP threads inherit the blocked mask
  // and every signal reaches the loop through the fd.
  signalFd_ = openDaemonSignalFd();
  if (signalFd_ < 0) {
    logError("cannot open a signalfd: " + std::string(strerror(-signalFd_)));
    return 1;
  }
  status_.pid = static_cast<int>(::getpid());
  status_.configPath = options_.configPath;
  status_.startedUnix = nowUnix();

  ConfigLoad load = loadConfigFile(options_.configPath, options_.overrides);
  if (!load.ok()) {
    for (const auto& line : errorLines(load)) logError(line);
    logError("not started: " + std::to_string(load.errors.size()) + " error(s) in " + options_.configPath);
    return 1;
  }
  lastLoadUnix_ = nowUnix();
  std::string statusError;
  statusPath_ = daemonStatusPath(&statusError);
  if (statusPath_.empty()) logWarning("no status file: " + statusError);

  if (std::string error = startUp(*load.config); !error.empty()) {
    logError("not started: " + error);
    shutDown();
    return 1;
  }
  config_ = load.config;
  status_.role = roleText(config_->role);
  status_.state = "running";
  status_.generation = datapath_->generation();
  writeStatus();
  refreshMetrics();
  scheduleMetricsRefresh();
  std::string ready = std::string(roleText(config_->role)) + " on " + config_->tunnel + ", policy generation " +
                      std::to_string(status_.generation);
  notifySystemd(readyMessage(ready));
  logInfo("running: " + ready + "; metrics on http://" + config_->metricsListen + "/metrics");

  int rc = loop_.run();
  if (rc < 0) logError("event loop failed: " + std::string(strerror(-rc)));
  shutDown();
  return rc < 0 ? 1 : 0;
}

std::string Daemon::startUp(const Config& config) {
  auto datapath = std::make_unique<DatapathKeeper>(options_.force);
  datapath_ = datapath.get();
  components_.push_back(std::move(datapath));
  // Edge: VRRP after the datapath (it writes the master flag into the
  // datapath's maps and downs the tunnel until it wins), RA last (it sends
  // from the VIP that VRRP adds). Stopping runs backwards: the RA sender
  // falls silent first (never a lifetime-0 advert from the VIP), then VRRP
  // sends priority 0 and removes the VIP, the macvlan and the tunnel.
  // The RA sender is there even without [ra], so a reload can add it.
  if (config.role == Role::Edge && config.vrrp) {
    auto vrrp = std::make_unique<VrrpRouter>(logVrrp);
    vrrp->setTransitionListener([this] { writeStatus(); });
    components_.push_back(std::move(vrrp));
  }
  if (config.role == Role::Edge) components_.push_back(std::make_unique<ra::RaSender>());

  for (size_t i = 0; i < components_.size(); ++i) {
    if (std::string error = components_[i]->start(loop_, config); !error.empty()) {
      components_.resize(i);  // only the started ones are stopped
      if (i == 0) datapath_ = nullptr;
      return std::string(components_.empty() ? "datapath" : "component") + ": " + error;
    }
  }

  watch_ = std::make_unique<NetlinkWatch>([this](const NetlinkEvent& event) {
    for (auto& c : components_) c->onNetlink(event);
  });
  if (std::string error = watch_->open(); !error.empty()) return "netlink: " + error;
  loop_.addReadable(watch_->fd(), [this] {
    if (int n = watch_->drain(); n < 0) logWarning("netlink: " + std::string(strerror(-n)));
    // Components react to the kernel at once (the RA sender starts or stops
    // with the VIP): the status file follows (rewritten only if it changed).
    if (status_.state == "running") writeStatus();
  });
  loop_.addReadable(signalFd_, [this] { onSignal(); });

  if (std::string error = metrics_.start(config.metricsListen); !error.empty()) return error;
  return "";
}

void Daemon::onSignal() {
  while (int signo = readSignal(signalFd_)) {
    switch (actionForSignal(signo)) {
      case SignalAction::Reload: reload(); break;
      case SignalAction::Stop:
        logInfo(std::string("stopping on ") + (signo == SIGINT ? "SIGINT" : "SIGTERM"));
        loop_.stop();
        return;
      case SignalAction::Ignore: break;
    }
  }
}

void Daemon::reload() {
  auto begin = std::chrono::steady_clock::now();
  notifySystemd(reloadingMessage(monotonicUsec()));
  status_.state = "reloading";
  status_.lastReloadUnix = nowUnix();
  status_.lastReloadErrors.clear();

  ConfigLoad load = loadConfigFile(options_.configPath, options_.overrides);
  std::vector<std::string> errors = errorLines(load);
  if (load.ok()) {
    // Every component says whether it can take the new config before any
    // applies it: a refused reload changes nothing.
    bool vrrpRunning = false;
    for (const auto& c : components_) {
      vrrpRunning = vrrpRunning || std::string(c->name()) == "vrrp";
      if (std::string error = c->checkReload(*load.config); !error.empty()) errors.push_back(error);
    }
    if (load.config->role == Role::Edge && load.config->vrrp && !vrrpRunning)
      errors.push_back("vrrp: [vrrp] was added: restart meshfwd to join the group");
  }
  if (load.ok() && errors.empty()) {
    if (load.config->metricsListen != config_->metricsListen)
      logWarning("metrics_listen changed to " + load.config->metricsListen + ": takes effect at the next restart");
    for (auto& c : components_)
      if (std::string error = c->reload(*load.config); !error.empty())
        errors.push_back(error.rfind(std::string(c->name()) + ":", 0) == 0 ? error
                                                                            : std::string(c->name()) + ": " + error);
  }
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count();

  if (errors.empty()) {
    config_ = load.config;
    lastLoadUnix_ = nowUnix();
    status_.lastReload = ReloadResult::Ok;
    status_.lastReloadMs = ms;
    status_.generation = datapath_->generation();
    char text[160];
    std::snprintf(text, sizeof text, "reloaded %s: policy generation %u live %.2f ms after the request",
                  options_.configPath.c_str(), status_.generation, ms);
    logInfo(text);
  } else {
    for (const auto& e : errors) logError(e);
    logError("reload refused (" + std::to_string(errors.size()) + " error(s)); still running generation " +
             std::to_string(datapath_->generation()));
    status_.lastReload = ReloadResult::Failed;
    status_.lastReloadErrors = errors;
    status_.generation = datapath_->generation();
  }
  status_.state = "running";
  writeStatus();
  // The reload gauges now; the datapath's counters at the next tick:
  // reading every site's counters takes seconds on 65,535 sites, and the
  // loop would not answer the next SIGHUP meanwhile.
  publishMetrics();
  notifySystemd(readyMessage(errors.empty() ? "reloaded, policy generation " + std::to_string(status_.generation)
                                            : "last reload failed; running generation " +
                                                  std::to_string(status_.generation)));
}

void Daemon::shutDown() {
  notifySystemd(stoppingMessage());
  status_.state = "stopping";
  writeStatus();
  for (auto it = components_.rbegin(); it != components_.rend(); ++it) (*it)->stop();
  metrics_.stop();
  if (options_.detachOnStop && datapath_) {
    if (std::string error = datapath_->detach(); !error.empty())
      logError("detach: " + error);
    else
      logInfo("datapath detached (--detach-on-stop)");
  } else if (datapath_) {
    logInfo("stopped; the datapath stays attached and pinned (generation " +
            std::to_string(datapath_->generation()) + ")");
  }
  components_.clear();
  datapath_ = nullptr;
  status_.state = "stopped";
  writeStatus();
}

void Daemon::writeStatus() {
  if (statusPath_.empty()) return;
  status_.components.clear();
  for (const auto& c : components_) status_.components.emplace_back(c->name(), c->statusJson());
  std::string text = renderDaemonStatus(status_);
  if (text == lastStatusText_) return;
  if (std::string error = writeFileAtomically(statusPath_, text); !error.empty())
    logWarning("status file: " + error);
  else
    lastStatusText_ = std::move(text);
}

void Daemon::refreshMetrics() {
  componentMetrics_.clear();
  for (const auto& c : components_) c->renderMetrics(componentMetrics_);
  publishMetrics();
}

void Daemon::publishMetrics() { metrics_.publish(componentMetrics_ + renderDaemonMetrics(status_, lastLoadUnix_)); }

void Daemon::scheduleMetricsRefresh() {
  auto period = std::chrono::duration_cast<std::chrono::milliseconds>(kMetricsRefresh);
  loop_.runAfter(metricsRefreshDelay(period, lastRefreshTook_), [this] {
    auto begin = std::chrono::steady_clock::now();
    refreshMetrics();
    writeStatus();  // components' counters; rewritten only when it changed
    lastRefreshTook_ = std::chrono::steady_clock::now() - begin;
    scheduleMetricsRefresh();
  });
}

}  // namespace meshfwd
