#include "userspace/vrrp_router.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "userspace/macvlan.h"
#include "userspace/neighbor_advert.h"
#include "userspace/vrrp_edge_state.h"
#include "userspace/vrrp_netlink.h"
#include "userspace/vrrp_reload.h"
#include "userspace/vrrp_saved_routes.h"
#include "userspace/vrrp_wireguard.h"

namespace meshfwd {

namespace {

constexpr uint8_t kVipPrefixLen = 128;  // the VIP only, no on-link route (as the seed's /128)
constexpr uint8_t kLinkLocalPrefixLen = 64;
constexpr int kDefaultKeepaliveSeconds = 25;  // DESIGN.md §1

std::string isoTime(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

int stateGauge(std::optional<vrrp::State> s) {
  if (!s) return 0;
  switch (*s) {
    case vrrp::State::Initialize: return 0;
    case vrrp::State::Backup: return 1;
    case vrrp::State::Master: return 2;
  }
  return 0;
}

}  // namespace

VrrpRouter::VrrpRouter(Logger logger) : logger_(std::move(logger)) {}

VrrpRouter::~VrrpRouter() {
  if (loop_) stop();
}

void VrrpRouter::log(LogLevel level, const std::string& text) const {
  if (logger_) return logger_(level, text);
  if (level == LogLevel::Debug && !std::getenv("MESHFWD_DEBUG")) return;
  std::fprintf(stderr, "meshfwd: vrrp: %s\n", text.c_str());
}

std::optional<vrrp::State> VrrpRouter::state() const {
  if (!machine_) return std::nullopt;
  return machine_->state();
}

std::string VrrpRouter::start(EventLoop& loop, const Config& config) {
  if (!config.vrrp) return "vrrp: the config has no [vrrp] section";
  if (config.lan.empty()) return "vrrp: the config names no LAN interface";
  config_ = config;
  vrrp_ = *config.vrrp;
  macvlan_ = vrrp::vrrpMacvlanName(config.lan, vrrp_.vrid);
  vmac_ = vrrp::virtualMac(vrrp_.vrid);
  lanIndex_ = vrrp::ifindexOf(config.lan);
  if (lanIndex_ == 0) return "vrrp: LAN interface " + config.lan + " does not exist";
  uplinkIndex_ = config.uplink.empty() ? 0 : vrrp::ifindexOf(config.uplink);

  if (!config.tunnel.empty()) {
    std::string error;
    relayPeer_ = vrrp::relayPeerKey(config.tunnel, &error);
    if (!error.empty()) return "vrrp: " + error;
    std::string out;
    if (vrrp::runWg({"show", config.tunnel, "persistent-keepalive"}, &out).empty()) {
      auto tab = out.find('\t');
      int secs = tab == std::string::npos ? 0 : std::atoi(out.c_str() + tab + 1);  // "off" reads as 0
      keepaliveSeconds_ = secs > 0 ? secs : kDefaultKeepaliveSeconds;
    }
    // Taking the tunnel down deletes its routes and addresses: keep the
    // addresses, remember the routes to put back as master.
    if (auto e = vrrp::keepAddressesOnDown(config.tunnel); !e.empty()) log(LogLevel::Warning, e);
    if (int tunnelIndex = vrrp::ifindexOf(config.tunnel); tunnelIndex != 0 && vrrp::linkRunning(tunnelIndex)) {
      tunnelRoutes_ = vrrp::routesVia(tunnelIndex);
      if (auto e = vrrp::saveTunnelRoutes(config.tunnel, tunnelRoutes_); !e.empty())
        log(LogLevel::Warning, "tunnel routes not saved for a restart: " + e);
    } else {
      // Down already: a backup's or a crashed daemon's tunnel (cleanup
      // takes it down). Its routes went with it; use the saved ones.
      std::string error;
      if (auto saved = vrrp::loadTunnelRoutes(config.tunnel, &error)) {
        tunnelRoutes_ = *saved;
      } else {
        if (!error.empty()) log(LogLevel::Warning, "saved tunnel routes: " + error);
        vrrp::SavedRoute mesh;
        mesh.destination = config.meshPrefix;
        tunnelRoutes_ = {mesh};
        log(LogLevel::Info, config.tunnel + " is down and no routes were saved: as master it carries " +
                                config.meshPrefix.str());
      }
    }
    // A backup keeps the site's tunnel down (DESIGN.md §1): so does a
    // router that has not won yet.
    if (auto e = vrrp::setLinkUp(config.tunnel, false); !e.empty()) return "vrrp: " + e;
    if (auto e = vrrp::silenceNow(config.tunnel, relayPeer_); !e.empty()) return "vrrp: " + e;
    if (!vrrp_.relayEndpoint.empty()) {
      auto relay = vrrp::parseHostPort(vrrp_.relayEndpoint);
      if (!relay) return "vrrp: relay_endpoint '" + vrrp_.relayEndpoint + "' is not NAME:PORT or [ADDRESS]:PORT";
      resolver_ = std::make_unique<vrrp::GetaddrinfoResolver>();
      endpointSetter_ = std::make_unique<vrrp::WgEndpointSetter>(config.tunnel, relayPeer_);
      refresher_ = std::make_unique<vrrp::RelayEndpointRefresher>(*relay, *resolver_, *endpointSetter_);
    }
  }

  if (auto e = vrrp::createMacvlan(config.lan, macvlan_, vmac_); !e.empty()) return "vrrp: " + e;
  macvlanIndex_ = vrrp::ifindexOf(macvlan_);
  if (auto e = advertSocket_.open(macvlan_, macvlanIndex_); !e.empty()) {
    vrrp::deleteLink(macvlan_);
    return "vrrp: " + e;
  }
  if (auto e = naSocket_.open(macvlan_, macvlanIndex_); !e.empty()) {
    advertSocket_.close();
    vrrp::deleteLink(macvlan_);
    return "vrrp: " + e;
  }
  loop_ = &loop;
  if (int rc = loop.addReadable(advertSocket_.fd(), [this] { onReadable(); }); rc < 0) {
    loop_ = nullptr;
    advertSocket_.close(), naSocket_.close();
    vrrp::deleteLink(macvlan_);
    return "vrrp: cannot watch the advert socket";
  }
  socketRegistered_ = true;
  log(LogLevel::Info, "vrid " + std::to_string(vrrp_.vrid) + " on " + macvlan_ + " (" + vrrp::formatMac(vmac_) +
                          "), priority " + std::to_string(vrrp_.priority) + ", interval " +
                          std::to_string(vrrp_.advertIntervalCs) + " cs, preempt " + (vrrp_.preempt ? "on" : "off"));
  if (refresher_) scheduleResolve(std::chrono::milliseconds(0));
  fault_ = true;
  tryLeaveFault();
  return "";
}

std::string VrrpRouter::checkReload(const Config& config) const { return vrrp::reloadRefusal(config_, config); }

std::string VrrpRouter::reload(const Config& config) {
  if (std::string e = checkReload(config); !e.empty()) return e;
  bool endpointChanged =
      config.vrrp->relayEndpoint != vrrp_.relayEndpoint || config.vrrp->resolveIntervalS != vrrp_.resolveIntervalS;
  if (endpointChanged && !config.tunnel.empty()) {
    std::unique_ptr<vrrp::RelayEndpointRefresher> refresher;
    if (!config.vrrp->relayEndpoint.empty()) {
      auto relay = vrrp::parseHostPort(config.vrrp->relayEndpoint);
      if (!relay)
        return "vrrp: relay_endpoint '" + config.vrrp->relayEndpoint + "' is not NAME:PORT or [ADDRESS]:PORT";
      if (!resolver_) resolver_ = std::make_unique<vrrp::GetaddrinfoResolver>();
      if (!endpointSetter_) endpointSetter_ = std::make_unique<vrrp::WgEndpointSetter>(config.tunnel, relayPeer_);
      refresher = std::make_unique<vrrp::RelayEndpointRefresher>(*relay, *resolver_, *endpointSetter_);
    }
    if (resolveTimer_) loop_->cancel(resolveTimer_), resolveTimer_ = 0;
    refresher_ = std::move(refresher);
  }
  config_ = config;
  vrrp_ = *config.vrrp;  // only the live keys differ
  if (endpointChanged && refresher_) scheduleResolve(std::chrono::milliseconds(0));
  return "";
}

void VrrpRouter::tryLeaveFault() {
  if (!fault_) return;
  if (!vrrp::linkRunning(lanIndex_)) return;
  auto lla = vrrp::linkLocalAddress(lanIndex_);
  if (!lla) return;  // DAD still running; an AddressAdded event brings us back
  if (!machine_ || *lla != localAddress_) {
    if (machine_ && machine_->state() != vrrp::State::Initialize) apply(machine_->shutdown(vrrp::Clock::now()));
    if (localAddress_ != Ipv6Addr{}) vrrp::removeAddress(macvlanIndex_, localAddress_, kLinkLocalPrefixLen);
    localAddress_ = *lla;
    vrrp::Settings s;
    s.vrid = vrrp_.vrid;
    s.priority = vrrp_.priority;
    s.advertIntervalCs = vrrp_.advertIntervalCs;
    s.preempt = vrrp_.preempt;
    s.localAddress = localAddress_;
    machine_ = std::make_unique<vrrp::Machine>(s);
    lastSeenTransitions_ = 0;
  }
  // Adverts leave from the router's own address with the virtual MAC, as
  // keepalived's do; nodad, because the LAN interface holds the same address.
  if (auto e = vrrp::addAddressNodad(macvlanIndex_, localAddress_, kLinkLocalPrefixLen); !e.empty()) {
    log(LogLevel::Warning, "copying the link-local address onto " + macvlan_ + ": " + e);
    return;
  }
  fault_ = false;
  log(LogLevel::Info, "LAN " + config_.lan + " is up with " + localAddress_.str() + ": joining the group");
  apply(machine_->startup(vrrp::Clock::now()));
}

void VrrpRouter::enterFault(const std::string& why) {
  if (fault_) return;
  fault_ = true;
  log(LogLevel::Warning, "fault: " + why + "; giving up the group until it is back");
  // No priority 0: it could not leave the box anyway.
  vrrp::Actions a = machine_->shutdown(vrrp::Clock::now());
  a.sendAdvertWithPriority.reset();
  apply(a);
}

void VrrpRouter::onNetlink(const NetlinkEvent& event) {
  if (!loop_) return;
  bool everything = event.ifindex == 0;
  if (everything || event.ifindex == lanIndex_) {
    if (!vrrp::linkRunning(lanIndex_))
      enterFault("LAN " + config_.lan + " is down");
    else if (!fault_ && !vrrp::linkLocalAddress(lanIndex_))
      enterFault("LAN " + config_.lan + " lost its link-local address");
    else if (!fault_ && vrrp::linkLocalAddress(lanIndex_) != localAddress_)
      enterFault("LAN " + config_.lan + " changed its link-local address"), tryLeaveFault();
    else
      tryLeaveFault();
  }
  if (event.ifindex == macvlanIndex_ && event.kind == NetlinkEvent::Kind::LinkRemoved)
    log(LogLevel::Warning, macvlan_ + " was removed from outside meshfwd; restart meshfwd to recreate it");
  if (refresher_ && (everything || (uplinkIndex_ != 0 && event.ifindex == uplinkIndex_)))
    scheduleResolve(std::chrono::milliseconds(200));  // one resolve per burst of uplink events
}

void VrrpRouter::onReadable() {
  while (auto packet = advertSocket_.receive()) {
    if (packet->source == localAddress_) continue;  // our own, should the link loop it back
    auto received = vrrp::parseAdvert(packet->message, packet->hopLimit, packet->source, packet->destination,
                                      vrrp_.vrid);
    if (received.discard != vrrp::Discard::None) {
      ++discards_[static_cast<size_t>(received.discard)];
      log(LogLevel::Debug, std::string("discarded an advert from ") + packet->source.str() + ": " +
                               vrrp::discardName(received.discard));
      continue;
    }
    ++advertsReceived_;
    if (fault_ || !machine_) continue;
    apply(machine_->onAdvert(vrrp::Clock::now(), received.advert, packet->source));
  }
}

void VrrpRouter::onTimer() {
  stateTimer_ = 0;
  if (fault_ || !machine_) return;
  apply(machine_->onTimer(vrrp::Clock::now()));
}

void VrrpRouter::armTimer() {
  if (stateTimer_) loop_->cancel(stateTimer_), stateTimer_ = 0;
  if (!machine_ || fault_) return;
  if (auto when = machine_->nextDeadline()) stateTimer_ = loop_->runAt(*when, [this] { onTimer(); });
}

void VrrpRouter::noteTransition() {
  uint64_t now = machine_->transitions();
  if (now == lastSeenTransitions_) return;
  transitions_ += now - lastSeenTransitions_;
  lastSeenTransitions_ = now;
  lastTransitionWall_ = std::chrono::system_clock::now();
  log(LogLevel::Info, std::string("state ") + vrrp::stateName(machine_->state()) +
                          (machine_->masterAddress() ? ", master " + machine_->masterAddress()->str() : ""));
  if (transitionListener_) transitionListener_();
}

void VrrpRouter::apply(const vrrp::Actions& a) {
  // The VIP first, so the RA sender and the NAs have it to send from; the
  // advert last, so hosts that react to it find the VIP in place.
  if (a.becameMaster) becomeMaster();
  if (a.becameBackup) releaseMaster("backup");
  if (a.sendAdvertWithPriority) sendAdvert(*a.sendAdvertWithPriority);
  if (a.stopped) releaseMaster("stopped");
  noteTransition();
  armTimer();
}

void VrrpRouter::sendAdvert(uint8_t priority) {
  vrrp::Advert advert;
  advert.vrid = vrrp_.vrid;
  advert.priority = priority;
  advert.intervalCs = vrrp_.advertIntervalCs;
  advert.addresses = {vrrp_.virtualAddress};
  auto bytes = vrrp::buildAdvert(advert, localAddress_);
  if (auto e = advertSocket_.send(bytes, localAddress_); !e.empty()) {
    log(LogLevel::Debug, "advert not sent: " + e);
    return;
  }
  ++advertsSent_;
}

void VrrpRouter::becomeMaster() {
  holdsMaster_ = true;
  if (auto e = vrrp::addAddressNodad(macvlanIndex_, vrrp_.virtualAddress, kVipPrefixLen); !e.empty())
    log(LogLevel::Warning, "master without its VIP: " + e);
  sendNaBurst(vrrp_.naBurst);
  std::string detail;
  switch (vrrp::writeEdgeState(true, vmac_, &detail)) {
    case vrrp::EdgeStateWrite::Written: break;
    case vrrp::EdgeStateWrite::NoDatapath: log(LogLevel::Debug, "master flag not written: " + detail); break;
    case vrrp::EdgeStateWrite::Failed: log(LogLevel::Warning, "master flag not written: " + detail); break;
  }
  setTunnel(true);
}

void VrrpRouter::releaseMaster(const char* why) {
  if (!holdsMaster_) return;
  holdsMaster_ = false;
  if (naTimer_) loop_->cancel(naTimer_), naTimer_ = 0;
  // The VIP goes, so the RA sender goes silent: never a lifetime-0 RA
  // from the shared address (DESIGN.md §6).
  if (auto e = vrrp::removeAddress(macvlanIndex_, vrrp_.virtualAddress, kVipPrefixLen); !e.empty())
    log(LogLevel::Warning, std::string(why) + ": " + e);
  std::string detail;
  if (vrrp::writeEdgeState(false, vmac_, &detail) == vrrp::EdgeStateWrite::Failed)
    log(LogLevel::Warning, "master flag not cleared: " + detail);
  setTunnel(false);
}

void VrrpRouter::sendNaBurst(uint32_t remaining) {
  naTimer_ = 0;
  if (remaining == 0 || !holdsMaster_) return;
  auto na = buildUnsolicitedNa(vrrp_.virtualAddress, vmac_, vrrp_.virtualAddress);
  if (auto e = naSocket_.send(na, vrrp_.virtualAddress); !e.empty()) log(LogLevel::Debug, "NA not sent: " + e);
  // Spread over advert intervals: one lost frame does not cost the burst.
  if (remaining > 1)
    naTimer_ = loop_->runAfter(std::chrono::milliseconds(vrrp_.advertIntervalCs * 10),
                               [this, remaining] { sendNaBurst(remaining - 1); });
}

void VrrpRouter::setTunnel(bool up) {
  if (config_.tunnel.empty()) return;
  if (!up) {
    if (auto e = vrrp::setLinkUp(config_.tunnel, false); !e.empty()) {
      log(LogLevel::Warning, e);
      return;
    }
    // A down link does not stop wireguard-go's keepalives (vrrp_wireguard.h).
    if (auto e = vrrp::silenceNow(config_.tunnel, relayPeer_); !e.empty()) log(LogLevel::Warning, e);
    return;
  }
  // The relay learns the site's endpoint and session from a fresh
  // handshake: start one now rather than at the next re-key. The peer is
  // re-created while the link is still down, before its routes come back:
  // the other way round, the first packet routed into the tunnel starts a
  // handshake on the old peer, and the re-created peer's keepalive sends a
  // second one moments later. The relay ignores an initiation that comes
  // within 20 ms of the previous one from the same key (flood), or with the
  // same timestamp (replay, ~16 ms resolution), keeps the first session
  // (the removed peer's, which this router no longer has), and the site
  // waits REKEY_TIMEOUT, 5 s, for the retry (found by the lab: a 5005 ms
  // loss window). One peer, one initiation.
  if (auto e = vrrp::handshakeNow(config_.tunnel, relayPeer_, keepaliveSeconds_); !e.empty())
    log(LogLevel::Warning, "no immediate handshake: " + e);
  if (auto e = vrrp::setLinkUp(config_.tunnel, true); !e.empty()) {
    log(LogLevel::Warning, e);
    return;
  }
  if (auto e = vrrp::restoreRoutes(vrrp::ifindexOf(config_.tunnel), tunnelRoutes_); !e.empty())
    log(LogLevel::Warning, e);
}

void VrrpRouter::scheduleResolve(std::chrono::milliseconds delay) {
  if (resolveTimer_) {
    if (delay.count() > 0) return;  // one already pending
    loop_->cancel(resolveTimer_);
  }
  resolveTimer_ = loop_->runAfter(delay, [this] {
    resolveTimer_ = 0;
    // getaddrinfo blocks the loop: acceptable, it runs only on uplink
    // changes and every resolve_interval, never on the advert path.
    std::string before = refresher_->applied();
    if (auto e = refresher_->refresh(); !e.empty()) log(LogLevel::Warning, "relay endpoint: " + e);
    if (refresher_->applied() != before) log(LogLevel::Info, "relay endpoint now " + refresher_->applied());
    scheduleResolve(std::chrono::seconds(vrrp_.resolveIntervalS));
  });
}

void VrrpRouter::stop() {
  if (!loop_) return;
  if (resolveTimer_) loop_->cancel(resolveTimer_), resolveTimer_ = 0;
  if (machine_ && !fault_) apply(machine_->shutdown(vrrp::Clock::now()));  // priority 0 if master
  releaseMaster("stopped");
  if (stateTimer_) loop_->cancel(stateTimer_), stateTimer_ = 0;
  if (socketRegistered_) loop_->remove(advertSocket_.fd()), socketRegistered_ = false;
  advertSocket_.close();
  naSocket_.close();
  if (auto e = vrrp::deleteLink(macvlan_); !e.empty()) log(LogLevel::Warning, e);
  fault_ = true;
  loop_ = nullptr;
}

void VrrpRouter::renderMetrics(std::string& out) const {
  std::string vrid = "vrid=\"" + std::to_string(vrrp_.vrid) + "\"";
  out += "# HELP meshfwd_vrrp_state VRRP state: 0 initialize (or fault), 1 backup, 2 master.\n";
  out += "# TYPE meshfwd_vrrp_state gauge\n";
  out += "meshfwd_vrrp_state{" + vrid + "} " + std::to_string(fault_ ? 0 : stateGauge(state())) + "\n";
  out += "# HELP meshfwd_vrrp_transitions_total VRRP state transitions.\n";
  out += "# TYPE meshfwd_vrrp_transitions_total counter\n";
  out += "meshfwd_vrrp_transitions_total{" + vrid + "} " + std::to_string(transitions_) + "\n";
  out += "# HELP meshfwd_vrrp_discards_total Received VRRP adverts discarded, per reason (RFC 5798 7.1).\n";
  out += "# TYPE meshfwd_vrrp_discards_total counter\n";
  for (size_t i = 1; i < discards_.size(); ++i)
    out += "meshfwd_vrrp_discards_total{" + vrid + ",reason=\"" + vrrp::discardName(static_cast<vrrp::Discard>(i)) +
           "\"} " + std::to_string(discards_[i]) + "\n";
  out += "# HELP meshfwd_vrrp_adverts_total VRRP adverts sent and accepted.\n";
  out += "# TYPE meshfwd_vrrp_adverts_total counter\n";
  out += "meshfwd_vrrp_adverts_total{" + vrid + ",direction=\"sent\"} " + std::to_string(advertsSent_) + "\n";
  out += "meshfwd_vrrp_adverts_total{" + vrid + ",direction=\"received\"} " + std::to_string(advertsReceived_) + "\n";
}

std::string VrrpRouter::statusJson() const {
  std::string s = "{\"component\":\"vrrp\",\"state\":\"";
  s += fault_ ? "fault" : (state() ? vrrp::stateName(*state()) : "initialize");
  s += "\",\"vrid\":" + std::to_string(vrrp_.vrid);
  s += ",\"priority\":" + std::to_string(vrrp_.priority);
  s += ",\"preempt\":" + std::string(vrrp_.preempt ? "true" : "false");
  s += ",\"advert_interval_cs\":" + std::to_string(vrrp_.advertIntervalCs);
  auto master = machine_ && !fault_ ? machine_->masterAddress() : std::nullopt;
  s += ",\"master_address\":" + (master ? "\"" + master->str() + "\"" : std::string("null"));
  s += ",\"virtual_address\":\"" + vrrp_.virtualAddress.str() + "\"";
  s += ",\"virtual_mac\":\"" + vrrp::formatMac(vmac_) + "\"";
  s += ",\"interface\":\"" + macvlan_ + "\"";
  s += ",\"transitions\":" + std::to_string(transitions_);
  s += ",\"last_transition\":" + (lastTransitionWall_ ? "\"" + isoTime(*lastTransitionWall_) + "\"" : std::string("null"));
  s += "}";
  return s;
}

}  // namespace meshfwd
