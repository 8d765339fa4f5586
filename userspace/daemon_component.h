// A part of `meshfwd run` with its own sockets and timers: the relay or edge
// datapath keeper, the RA sender, the VRRP router. The daemon owns one
// EventLoop and one NetlinkWatch and fans events out to its components, so
// all of them run on one thread and need no locks.
#pragma once

#include <string>

#include "userspace/config.h"
#include "userspace/event_loop.h"
#include "userspace/netlink_watch.h"

namespace meshfwd {

class DaemonComponent {
 public:
  virtual ~DaemonComponent() = default;

  // Short name for logs and metrics labels ("datapath", "ra", "vrrp").
  virtual const char* name() const = 0;

  // Open sockets, register fds and timers on `loop`. "" or an error that
  // stops the daemon's start-up (after the components started before it
  // are stopped again).
  virtual std::string start(EventLoop& loop, const Config& config) = 0;

  // Whether a reload to `config` can be applied live, asked of every
  // component before any of them reloads, so a reload is refused whole
  // rather than applied halfway. "" or why not (what needs a restart).
  virtual std::string checkReload(const Config& /*config*/) const { return ""; }

  // A new, already validated config (SIGHUP) that every component's
  // checkReload() accepted. "" or an error; on error the component keeps
  // running with its previous config.
  virtual std::string reload(const Config& config) = 0;

  // Something changed in the kernel's links, addresses or routes.
  virtual void onNetlink(const NetlinkEvent& event) = 0;

  // Orderly shutdown (SIGTERM): e.g. VRRP sends priority 0 and removes its
  // VIP; never a lifetime-0 RA from a shared address.
  virtual void stop() = 0;

  // Prometheus text exposition of this component's metrics (HELP/TYPE
  // included), appended to `out`.
  virtual void renderMetrics(std::string& out) const = 0;

  // One JSON object (without trailing newline) for `meshfwd status`.
  virtual std::string statusJson() const = 0;
};

}  // namespace meshfwd
