#include "userspace/daemon_datapath.h"

#include "loader/libbpf_log.h"
#include "userspace/daemon_log.h"
#include "userspace/datapath_apply.h"
#include "userspace/live_state.h"
#include "userspace/metrics_render.h"
#include "userspace/reload_plan.h"

namespace meshfwd {

namespace {

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += (out.empty() ? "" : "; ") + l;
  return out;
}

void logWarnings(const std::vector<std::string>& warnings) {
  for (const auto& w : warnings) logWarning(w);
}

uint32_t attachedIfindex(const std::vector<loader::Attachment>& attached, const std::string& iface) {
  for (const auto& a : attached)
    if (a.iface == iface && a.hook == "tc-ingress") return a.ifindex;
  return 0;
}

// Interfaces and hooks are chosen at attach time; anything else a reload
// changes is a map write.
bool needsReattach(const Config& a, const Config& b) {
  return a.tunnel != b.tunnel || a.uplink != b.uplink || a.lan != b.lan || a.guard.enabled != b.guard.enabled;
}

}  // namespace

DatapathKeeper::DatapathKeeper(bool force) : force_(force) {}

std::string DatapathKeeper::start(EventLoop& loop, const Config& config) {
  loop_ = &loop;
  std::string error;
  auto net = readNetSnapshot(&error);
  if (!net) return error;
  DatapathApply applied;
  {
    loader::LibbpfLogCapture quiet;  // libbpf's probing chatter is not the operator's business
    applied = attachDatapath(config, *net, force_, /*keepRunningPrograms=*/true);
  }
  logWarnings(applied.warnings);
  if (!applied.configErrors.empty()) return joined(applied.configErrors);
  if (!applied.error.empty()) return applied.error;
  maps_.emplace(loader::PinnedMaps::open(&error));
  if (!maps_->ok()) {
    maps_.reset();
    return "attached, but the pinned maps cannot be opened: " + error;
  }
  config_ = config;
  generation_ = applied.generation;
  tunnelIfindex_ = attachedIfindex(applied.attached, config.tunnel);
  syncedTargets_ = applied.targets;
  logInfo("attached " + std::string(config.role == Role::Relay ? "relay" : "edge") + " on " + config.tunnel +
          ", policy generation " + std::to_string(generation_) +
          (applied.adoptedMaps ? " (pinned maps adopted, counters kept" : " (new maps") +
          (applied.keptHooks ? "; " + std::to_string(applied.keptHooks) + " running program(s) kept on their hooks)"
                             : ")"));
  return "";
}

std::string DatapathKeeper::reload(const Config& config) {
  if (!config_) return "the datapath is not running";
  if (config.role != config_->role) return "the role cannot change on reload: restart the daemon";
  if (needsReattach(*config_, config)) {
    std::string error;
    auto net = readNetSnapshot(&error);
    if (!net) return error;
    DatapathApply applied;
    {
      loader::LibbpfLogCapture quiet;
      applied = attachDatapath(config, *net, force_, /*keepRunningPrograms=*/true);
    }
    logWarnings(applied.warnings);
    if (!applied.ok()) return applied.configErrors.empty() ? applied.error : joined(applied.configErrors);
    generation_ = applied.generation;
    tunnelIfindex_ = attachedIfindex(applied.attached, config.tunnel);
    syncedTargets_ = applied.targets;
    config_ = config;
    return "";
  }
  if (std::optional<std::string> done = reloadPolicyOnly(config)) {
    if (done->empty()) config_ = config;
    return *done;
  }
  if (std::string error = syncNow(config); !error.empty()) return error;
  config_ = config;
  return "";
}

std::optional<MapsInStep> DatapathKeeper::mapsInStep() const {
  if (!syncedTargets_ || debounce_.armed() || !lastError_.empty() || tunnelMissing_) return std::nullopt;
  return MapsInStep{*syncedTargets_, tunnelIfindex_};
}

std::optional<std::string> DatapathKeeper::reloadPolicyOnly(const Config& config) {
  std::string error;
  auto links = readNetSnapshot(&error, /*withRoutes=*/false);
  if (!links) return error;
  ResolvedAttach resolved = resolveOnThisMachine(config, *links);
  // A config that does not resolve gets its errors from the full path.
  if (!resolved.ok() ||
      planReload(mapsInStep(), resolved.sync, resolved.inputs.tunnelIfindex) != ReloadWrite::PolicyOnly)
    return std::nullopt;
  DatapathSync sync = applyPolicy(*maps_, config, resolved);
  logWarnings(sync.warnings);
  if (!sync.ok()) return joined(sync.errors);
  if (sync.policyChanged)
    logInfo("policy generation " + std::to_string(sync.generation) + " live (was " + std::to_string(generation_) +
            "; routes already in step)");
  generation_ = sync.generation;
  return "";
}

void DatapathKeeper::onNetlink(const NetlinkEvent&) {
  if (!loop_ || !config_) return;
  if (auto at = debounce_.note(SteadyClock::now()))
    resyncTimer_ = loop_->runAt(*at, [this] {
      debounce_.fired();
      resyncTimer_.reset();
      resync();
    });
}

std::string DatapathKeeper::syncNow(const Config& config) {
  std::string error;
  auto net = readNetSnapshot(&error);
  if (!net) return error;
  DatapathSync sync = syncDatapath(*maps_, config, *net);
  logWarnings(sync.warnings);
  if (!sync.ok()) {
    syncedTargets_.reset();
    return joined(sync.errors);
  }
  syncedTargets_ = sync.targets;
  if (sync.policyChanged)
    logInfo("policy generation " + std::to_string(sync.generation) + " live (was " + std::to_string(generation_) + ")");
  generation_ = sync.generation;
  return "";
}

void DatapathKeeper::resync() {
  ++resyncs_;
  std::string error;
  auto net = readNetSnapshot(&error);
  if (!net) {
    ++resyncErrors_;
    logWarning("re-sync: " + error);
    return;
  }
  const LinkFacts* tunnel = net->linkByName(config_->tunnel);
  if (!tunnel) {
    if (!tunnelMissing_) logWarning("tunnel " + config_->tunnel + " is gone; its traffic stops until it is back");
    tunnelMissing_ = true;
    return;
  }
  if (tunnelMissing_) logInfo("tunnel " + config_->tunnel + " is back (ifindex " + std::to_string(tunnel->ifindex) + ")");
  tunnelMissing_ = false;
  if (tunnel->ifindex != tunnelIfindex_) {
    std::string why;
    {
      loader::LibbpfLogCapture quiet;
      why = loader::reattachTunnel(config_->tunnel);
    }
    if (!why.empty()) {
      ++resyncErrors_;
      lastError_ = why;
      logError("re-attach to " + config_->tunnel + ": " + why);
      return;
    }
    ++reattaches_;
    logInfo("re-attached the tunnel program to " + config_->tunnel + " (ifindex " + std::to_string(tunnelIfindex_) +
            " -> " + std::to_string(tunnel->ifindex) + ")");
    tunnelIfindex_ = tunnel->ifindex;
  }
  if (std::string why = syncNow(*config_); !why.empty()) {
    // Often transient (a recreated tunnel has no address yet); the next
    // event re-syncs again.
    ++resyncErrors_;
    lastError_ = why;
    logWarning("re-sync: " + why);
    return;
  }
  if (!lastError_.empty())
    logInfo("re-sync complete: " + config_->tunnel + " (ifindex " + std::to_string(tunnelIfindex_) +
            ") and its routes are in the maps again");
  lastError_.clear();
}

void DatapathKeeper::stop() {
  if (resyncTimer_ && loop_) loop_->cancel(*resyncTimer_);
  resyncTimer_.reset();
}

std::string DatapathKeeper::detach() {
  maps_.reset();
  loader::LibbpfLogCapture quiet;
  return loader::detach();
}

void DatapathKeeper::renderMetrics(std::string& out) const {
  if (!maps_) return;
  out += renderPrometheus(liveStats(*maps_));
  out += "# HELP meshfwd_datapath_resyncs_total Re-syncs of tunnels, egress and local addresses after netlink events.\n";
  out += "# TYPE meshfwd_datapath_resyncs_total counter\n";
  out += "meshfwd_datapath_resyncs_total " + std::to_string(resyncs_) + "\n";
  out += "# HELP meshfwd_datapath_resync_errors_total Re-syncs that could not complete (retried on the next event).\n";
  out += "# TYPE meshfwd_datapath_resync_errors_total counter\n";
  out += "meshfwd_datapath_resync_errors_total " + std::to_string(resyncErrors_) + "\n";
  out += "# HELP meshfwd_datapath_tunnel_reattaches_total Times the tunnel program was attached to a recreated tunnel.\n";
  out += "# TYPE meshfwd_datapath_tunnel_reattaches_total counter\n";
  out += "meshfwd_datapath_tunnel_reattaches_total " + std::to_string(reattaches_) + "\n";
}

std::string DatapathKeeper::statusJson() const {
  return "{\"generation\":" + std::to_string(generation_) + ",\"tunnel\":" +
         jsonString(config_ ? config_->tunnel : "") + ",\"tunnel_ifindex\":" + std::to_string(tunnelIfindex_) +
         ",\"tunnel_missing\":" + (tunnelMissing_ ? "true" : "false") + ",\"resyncs\":" + std::to_string(resyncs_) +
         ",\"reattaches\":" + std::to_string(reattaches_) + ",\"last_error\":" + jsonString(lastError_) + "}";
}

}  // namespace meshfwd
