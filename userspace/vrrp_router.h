// The edge's VRRPv3 router as a daemon component (DESIGN.md §1, §6): the
// state machine of vrrp_state.h driven by the event loop, and what a
// transition means on this box:
//   master: VIP on the macvlan (nodad), unsolicited NAs, the datapath's
//           master flag, the routing tunnel up with an immediate keepalive;
//   backup, fault (LAN link down) and stop: all of that undone, no
//           lifetime-0 RA (the RA sender goes silent when the VIP goes).
// The macvlan lives from start() to stop(); `meshfwd cleanup` removes it
// when the daemon could not.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "userspace/daemon_component.h"
#include "userspace/vrrp_names.h"
#include "userspace/vrrp_netlink.h"
#include "userspace/vrrp_packet.h"
#include "userspace/vrrp_relay_endpoint.h"
#include "userspace/vrrp_socket.h"
#include "userspace/vrrp_state.h"

namespace meshfwd {

class VrrpRouter : public DaemonComponent {
 public:
  enum class LogLevel { Debug, Info, Warning };
  using Logger = std::function<void(LogLevel, const std::string&)>;

  // Default logger: stderr, debug lines only with MESHFWD_DEBUG set.
  explicit VrrpRouter(Logger logger = {});
  ~VrrpRouter() override;

  const char* name() const override { return "vrrp"; }
  std::string start(EventLoop& loop, const Config& config) override;
  // Refuses (naming each key) what cannot change without leaving the group.
  std::string checkReload(const Config& config) const override;
  // na_burst, relay_endpoint and resolve_interval apply live.
  std::string reload(const Config& config) override;
  void onNetlink(const NetlinkEvent& event) override;
  void stop() override;
  void renderMetrics(std::string& out) const override;
  std::string statusJson() const override;

  // Called after every state change (the daemon rewrites its status file).
  void setTransitionListener(std::function<void()> listener) { transitionListener_ = std::move(listener); }

  // Fault: the LAN link is down or has no usable link-local address yet.
  bool inFault() const { return fault_; }
  std::optional<vrrp::State> state() const;
  uint64_t discards(vrrp::Discard reason) const { return discards_[static_cast<size_t>(reason)]; }

 private:
  void log(LogLevel level, const std::string& text) const;
  void tryLeaveFault();
  void enterFault(const std::string& why);
  void onReadable();
  void onTimer();
  void apply(const vrrp::Actions& actions);
  void armTimer();
  void sendAdvert(uint8_t priority);
  void becomeMaster();
  void releaseMaster(const char* why);
  void sendNaBurst(uint32_t remaining);
  void setTunnel(bool up);
  void scheduleResolve(std::chrono::milliseconds delay);
  void noteTransition();

  Logger logger_;
  std::function<void()> transitionListener_;
  EventLoop* loop_ = nullptr;
  Config config_;
  VrrpConfig vrrp_;
  std::string macvlan_;
  vrrp::MacAddr vmac_{};
  int lanIndex_ = 0;
  int macvlanIndex_ = 0;
  int uplinkIndex_ = 0;
  Ipv6Addr localAddress_;  // the LAN's own link-local address, copied onto the macvlan
  bool fault_ = true;
  bool holdsMaster_ = false;  // VIP, flag and tunnel are set up
  std::unique_ptr<vrrp::Machine> machine_;
  vrrp::AdvertSocket advertSocket_;
  vrrp::NeighborAdvertSocket naSocket_;
  bool socketRegistered_ = false;
  uint64_t stateTimer_ = 0;
  uint64_t naTimer_ = 0;
  uint64_t resolveTimer_ = 0;
  uint64_t lastSeenTransitions_ = 0;
  uint64_t transitions_ = 0;
  std::optional<std::chrono::system_clock::time_point> lastTransitionWall_;
  std::array<uint64_t, static_cast<size_t>(vrrp::Discard::kCount)> discards_{};
  uint64_t advertsSent_ = 0;
  uint64_t advertsReceived_ = 0;
  // Routing tunnel coupling.
  std::string relayPeer_;
  std::vector<vrrp::SavedRoute> tunnelRoutes_;  // re-added after each tunnel up
  int keepaliveSeconds_ = 25;
  std::unique_ptr<vrrp::Resolver> resolver_;
  std::unique_ptr<vrrp::EndpointSetter> endpointSetter_;
  std::unique_ptr<vrrp::RelayEndpointRefresher> refresher_;
};

}  // namespace meshfwd
