// The daemon component that owns the datapath: attaches at start-up
// (adopting pinned state, so a restart has no forwarding gap), re-applies
// the policy on reload, and follows the kernel: a burst of netlink events
// becomes one debounced re-sync of tunnels, egress and local addresses, and
// a recreated tunnel (new ifindex, no clsact) is re-attached.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "loader/datapath.h"
#include "userspace/daemon_component.h"
#include "userspace/daemon_debounce.h"
#include "userspace/reload_plan.h"

namespace meshfwd {

class DatapathKeeper final : public DaemonComponent {
 public:
  // `force`: replace a foreign XDP program, as `meshfwd attach --force`.
  explicit DatapathKeeper(bool force = false);

  const char* name() const override { return "datapath"; }
  std::string start(EventLoop& loop, const Config& config) override;
  std::string reload(const Config& config) override;
  void onNetlink(const NetlinkEvent& event) override;
  void stop() override;
  void renderMetrics(std::string& out) const override;
  std::string statusJson() const override;

  uint32_t generation() const { return generation_; }
  // Removes the datapath (`run --detach-on-stop`). "" or an error.
  std::string detach();

 private:
  void resync();
  // The maps as the last complete sync left them; nullopt while they may
  // lag the kernel.
  std::optional<MapsInStep> mapsInStep() const;
  // A reload that planReload() finds needs only the policy: "" or an
  // error; nullopt when it needs the full re-sync instead.
  std::optional<std::string> reloadPolicyOnly(const Config& config);
  // "" or an error; fills generation_ and lastSync_.
  std::string syncNow(const Config& config);

  bool force_;
  EventLoop* loop_ = nullptr;
  std::optional<Config> config_;
  std::optional<loader::PinnedMaps> maps_;  // open once attached
  Debounce debounce_{std::chrono::milliseconds(100)};
  std::optional<EventLoop::TimerId> resyncTimer_;
  uint32_t generation_ = 0;
  uint32_t tunnelIfindex_ = 0;  // where the tunnel program is attached
  bool tunnelMissing_ = false;
  uint64_t resyncs_ = 0;
  uint64_t resyncErrors_ = 0;
  uint64_t reattaches_ = 0;
  std::string lastError_;
  std::optional<SyncTargets> syncedTargets_;  // of the last complete sync; reset when one fails
};

}  // namespace meshfwd
