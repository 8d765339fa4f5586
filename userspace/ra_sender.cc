#include "userspace/ra_sender.h"

#include <net/if.h>

#include <cstring>

#include "userspace/ra_config.h"

namespace meshfwd::ra {

namespace {

const Ipv6Addr kAllNodes = *Ipv6Addr::parse("ff02::1");

std::string jsonEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

RaSender::RaSender() : random_(std::random_device{}()) {}

RaSender::~RaSender() {
  if (loop_) {
    if (timer_) loop_->cancel(*timer_);
    if (socket_.fd() >= 0) loop_->remove(socket_.fd());
  }
}

std::string RaSender::start(EventLoop& loop, const Config& config) {
  loop_ = &loop;
  if (config.role != Role::Edge || !config.ra) return "";
  return enable(config);
}

// [ra] appears (start-up, or a reload that adds it): open the socket once,
// then advertise per `config`.
std::string RaSender::enable(const Config& config) {
  if (socket_.fd() < 0) {
    if (std::string e = socket_.open(); !e.empty()) return "ra: " + e;
    if (int rc = loop_->addReadable(socket_.fd(), [this] { onReadable(); }); rc < 0) {
      socket_.close();
      return std::string("ra: registering the socket: ") + std::strerror(-rc);
    }
  }
  enabled_ = true;
  for (SolicitVerdict v : {SolicitVerdict::Accept, SolicitVerdict::BadHopLimit, SolicitVerdict::BadCode,
                           SolicitVerdict::TooShort, SolicitVerdict::BadOptionLength,
                           SolicitVerdict::UnspecifiedWithSlla})
    counters_.solicits.try_emplace(solicitVerdictName(v), 0);
  for (const char* kind : {"multicast", "unicast", "final"}) counters_.sent.try_emplace(kind, 0);
  apply(config);
  evaluate();
  return "";
}

// Every [ra] change applies live, adding and removing the section too:
// removing it is the exit path (no lifetime-0 advert from the VIP).
std::string RaSender::reload(const Config& config) {
  bool wanted = config.role == Role::Edge && config.ra;
  if (!wanted) {
    if (enabled_) stop();
    return "";
  }
  if (!enabled_) return enable(config);
  bool moved = raInterface(config, *config.ra) != ifname_ || raSource(config, *config.ra) != source_;
  if (moved && schedule_ && schedule_->active()) schedule_->deactivate();
  apply(config);
  evaluate();
  return "";
}

void RaSender::apply(const Config& config) {
  config_ = config;
  ra_ = *config.ra;
  ifname_ = raInterface(config, ra_);
  source_ = raSource(config, ra_);
  sourceShared_ = sourceIsShared(config, ra_);
  bool wasActive = schedule_ && schedule_->active();
  schedule_ = std::make_unique<AdvertSchedule>(scheduleSettings(ra_), [this] {
    return std::uniform_real_distribution<double>(0.0, 1.0)(random_);
  });
  // New timing, same state: a reload must not cost the hosts a fast burst.
  if (wasActive) schedule_->activate(Clock::now());
}

// Reads the kernel's view (the interface, its MAC, the source address) and
// starts or stops advertising accordingly. Cheap enough for every event.
void RaSender::evaluate() {
  if (!enabled_) return;
  int ifindex = static_cast<int>(::if_nametoindex(ifname_.c_str()));
  if (ifindex != ifindex_) {
    if (ifindex_ > 0) socket_.leaveAllRouters(ifindex_);
    // A recreated macvlan is a new link for the hosts' neighbour caches:
    // start over with the fast adverts.
    if (schedule_->active()) schedule_->deactivate();
    ifindex_ = ifindex;
    if (ifindex_ > 0) (void)socket_.joinAllRouters(ifindex_);
  }
  mac_ = ifindex_ > 0 ? interfaceMac(ifname_) : std::nullopt;
  advert_ = buildRouterAdvert(advertSettings(config_, ra_, mac_));
  bool present = ifindex_ > 0 && source_ && interfaceHasAddress(ifname_, *source_);
  if (present && !schedule_->active()) schedule_->activate(Clock::now());
  if (!present && schedule_->active()) schedule_->deactivate();
  counters_.active = schedule_->active();
  pump();
}

void RaSender::pump() {
  for (const SendAction& a : schedule_->poll(Clock::now()))
    sendAdvert(advert_, a.to, a.multicast ? "multicast" : "unicast");
  armTimer();
}

void RaSender::armTimer() {
  if (timer_) loop_->cancel(*timer_);
  timer_.reset();
  if (auto when = schedule_->nextWakeup()) timer_ = loop_->runAt(*when, [this] {
    timer_.reset();
    pump();
  });
}

void RaSender::sendAdvert(const Bytes& message, const Ipv6Addr& to, const char* kind) {
  int rc = socket_.send(message, *source_, to, ifindex_);
  if (rc < 0) {
    ++counters_.sendErrors;
    counters_.lastSendErrno = -rc;
    return;
  }
  ++counters_.sent[kind];
}

void RaSender::onReadable() {
  while (auto rs = socket_.receive()) {
    if (!enabled_) continue;  // [ra] was removed by a reload: drain, answer nothing
    // The same multicast solicitation arrives once per interface that
    // joined ff02::2 (the lower interface and the macvlan): answer ours.
    if (rs->ifindex != ifindex_) continue;
    Solicitation s = parseRouterSolicit(rs->message, rs->hopLimit, rs->source);
    ++counters_.solicits[solicitVerdictName(s.verdict)];
    if (s.verdict == SolicitVerdict::Accept && schedule_->active()) schedule_->onSolicit(Clock::now(), rs->source);
  }
  pump();
}

void RaSender::onNetlink(const NetlinkEvent& event) {
  if (event.kind == NetlinkEvent::Kind::RouteAdded || event.kind == NetlinkEvent::Kind::RouteRemoved) return;
  evaluate();
}

void RaSender::stop() {
  if (!enabled_) return;
  // Withdrawing is only ever right for the router's own address: the VIP
  // belongs to the site, and a lifetime-0 advert from it deletes the /48
  // on every host although another edge is about to take over.
  if (ra_.removeAdvOnExit && !sourceShared_ && schedule_->active())
    sendAdvert(buildRouterAdvert(finalAdvertSettings(advertSettings(config_, ra_, mac_))), kAllNodes, "final");
  schedule_->deactivate();
  counters_.active = false;
  if (timer_) loop_->cancel(*timer_);
  timer_.reset();
  if (ifindex_ > 0) socket_.leaveAllRouters(ifindex_);
  ifindex_ = 0;
  enabled_ = false;
}

void RaSender::renderMetrics(std::string& out) const {
  if (!enabled_) return;
  out += "# HELP meshfwd_ra_sent_total Router Advertisements sent, by kind.\n";
  out += "# TYPE meshfwd_ra_sent_total counter\n";
  for (const auto& [kind, n] : counters_.sent)
    out += "meshfwd_ra_sent_total{kind=\"" + kind + "\"} " + std::to_string(n) + "\n";
  out += "# HELP meshfwd_ra_solicits_total Router Solicitations received, by verdict (RFC 4861 6.1.1).\n";
  out += "# TYPE meshfwd_ra_solicits_total counter\n";
  for (const auto& [verdict, n] : counters_.solicits)
    out += "meshfwd_ra_solicits_total{verdict=\"" + verdict + "\"} " + std::to_string(n) + "\n";
  out += "# HELP meshfwd_ra_send_errors_total Router Advertisements the kernel refused to send.\n";
  out += "# TYPE meshfwd_ra_send_errors_total counter\n";
  out += "meshfwd_ra_send_errors_total " + std::to_string(counters_.sendErrors) + "\n";
  out += "# HELP meshfwd_ra_active 1 while the RA source address is present and adverts are sent.\n";
  out += "# TYPE meshfwd_ra_active gauge\n";
  out += "meshfwd_ra_active " + std::string(counters_.active ? "1" : "0") + "\n";
}

std::string RaSender::statusJson() const {
  if (!enabled_) return "{\"component\":\"ra\",\"enabled\":false}";
  std::string j = "{\"component\":\"ra\",\"enabled\":true,\"interface\":\"" + jsonEscape(ifname_) + "\"";
  j += ",\"source\":\"" + (source_ ? source_->str() : std::string()) + "\"";
  j += ",\"source_shared\":" + std::string(sourceShared_ ? "true" : "false");
  j += ",\"active\":" + std::string(counters_.active ? "true" : "false");
  j += ",\"sent\":{";
  bool first = true;
  for (const auto& [kind, n] : counters_.sent) {
    j += std::string(first ? "" : ",") + "\"" + kind + "\":" + std::to_string(n);
    first = false;
  }
  j += "},\"solicits\":{";
  first = true;
  for (const auto& [verdict, n] : counters_.solicits) {
    j += std::string(first ? "" : ",") + "\"" + verdict + "\":" + std::to_string(n);
    first = false;
  }
  j += "},\"send_errors\":" + std::to_string(counters_.sendErrors) + "}";
  return j;
}

}  // namespace meshfwd::ra
