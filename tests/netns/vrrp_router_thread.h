// The VRRP router component on its own event loop, on a test-owned thread
// that entered an edge namespace (setns), as `meshfwd run --role edge`
// would run it, with the RA sender beside it when the config has [ra] (in
// the daemon's order: VRRP, then RA; stopped in reverse). Stopping it is
// the SIGTERM path: RaSender::stop(), VrrpRouter::stop().
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "userspace/event_loop.h"
#include "userspace/netlink_watch.h"
#include "userspace/ra_sender.h"
#include "userspace/vrrp_router.h"

namespace meshfwd::test {

class VrrpRouterThread {
 public:
  VrrpRouterThread(const std::string& netns, const Config& config) {
    std::promise<std::string> started;
    auto startedFuture = started.get_future();
    thread_ = std::thread([this, netns, config, &started] { body(netns, config, started); });
    std::string error = startedFuture.get();
    if (!error.empty()) {
      thread_.join();
      throw std::runtime_error("VRRP router in " + netns + ": " + error);
    }
  }
  ~VrrpRouterThread() { stop(); }
  VrrpRouterThread(const VrrpRouterThread&) = delete;
  VrrpRouterThread& operator=(const VrrpRouterThread&) = delete;

  // The SIGTERM path: priority 0 if master, VIP and macvlan removed.
  void stop() {
    stopRequested_ = true;
    if (thread_.joinable()) thread_.join();
  }

  std::string statusJson() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return status_;
  }
  std::string metrics() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return metrics_;
  }
  bool isMaster() const { return statusJson().find("\"state\":\"master\"") != std::string::npos; }
  bool isBackup() const { return statusJson().find("\"state\":\"backup\"") != std::string::npos; }

 private:
  void body(const std::string& netns, const Config& config, std::promise<std::string>& started) {
    int fd = ::open(("/var/run/netns/" + netns).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0) {
      if (fd >= 0) ::close(fd);
      started.set_value("cannot enter the namespace");
      return;
    }
    ::close(fd);
    EventLoop loop;
    VrrpRouter router([netns](VrrpRouter::LogLevel, const std::string& line) {
      std::fprintf(stderr, "[%s] vrrp: %s\n", netns.c_str(), line.c_str());
    });
    ra::RaSender ra;
    NetlinkWatch watch([&router, &ra](const NetlinkEvent& e) {
      router.onNetlink(e);
      ra.onNetlink(e);
    });
    if (auto e = watch.open(); !e.empty()) return started.set_value(e);
    loop.addReadable(watch.fd(), [&watch] { watch.drain(); });
    if (auto e = router.start(loop, config); !e.empty()) return started.set_value(e);
    if (auto e = ra.start(loop, config); !e.empty()) {
      router.stop();
      return started.set_value(e);
    }
    snapshot(router);
    started.set_value("");
    while (!stopRequested_) {
      loop.runOnce(std::chrono::milliseconds(5));
      snapshot(router);
    }
    ra.stop();
    router.stop();
    snapshot(router);
  }

  void snapshot(const VrrpRouter& router) {
    std::string status = router.statusJson();
    std::string metrics;
    router.renderMetrics(metrics);
    std::lock_guard<std::mutex> lock(mutex_);
    status_ = std::move(status);
    metrics_ = std::move(metrics);
  }

  std::thread thread_;
  std::atomic<bool> stopRequested_{false};
  mutable std::mutex mutex_;
  std::string status_;
  std::string metrics_;
};

}  // namespace meshfwd::test
