#include "userspace/ra_config.h"

#include <algorithm>

#include "userspace/vrrp_names.h"

namespace meshfwd::ra {

namespace {

RoutePreference wirePreference(RaRoutePreference p) {
  switch (p) {
    case RaRoutePreference::Low: return RoutePreference::Low;
    case RaRoutePreference::Medium: return RoutePreference::Medium;
    case RaRoutePreference::High: return RoutePreference::High;
  }
  return RoutePreference::High;
}

uint32_t seconds(Millis ms) { return static_cast<uint32_t>(ms.count() / 1000); }

}  // namespace

std::string raInterface(const Config& config, const RaConfig& ra) {
  if (!ra.interface.empty()) return ra.interface;
  if (config.vrrp) return vrrp::vrrpMacvlanName(config.lan, config.vrrp->vrid);
  return config.lan;
}

std::optional<Ipv6Addr> raSource(const Config& config, const RaConfig& ra) {
  if (ra.source) return ra.source;
  if (config.vrrp) return config.vrrp->virtualAddress;
  return std::nullopt;
}

bool sourceIsShared(const Config& config, const RaConfig& ra) {
  return config.vrrp && raSource(config, ra) == config.vrrp->virtualAddress;
}

Millis minInterval(const RaConfig& ra) {
  if (ra.minRtrAdvIntervalMs != 0) return Millis(ra.minRtrAdvIntervalMs);
  return std::max(Millis(3000), Millis(ra.maxRtrAdvIntervalMs / 3));
}

AdvertSettings advertSettings(const Config& config, const RaConfig& ra, const std::optional<MacAddr>& mac) {
  AdvertSettings s;
  s.curHopLimit = ra.curHopLimit;
  s.managed = ra.managedFlag;
  s.otherConfig = ra.otherConfigFlag;
  s.routerLifetime = ra.defaultLifetimeS;
  s.reachableTimeMs = ra.reachableTimeMs;
  s.retransTimerMs = ra.retransTimerMs;
  s.sourceLinkLayer = mac;
  s.mtu = ra.linkMtu;
  Millis max(ra.maxRtrAdvIntervalMs);
  if (config.sitePrefix) {
    PrefixInfo p;
    p.prefix = *config.sitePrefix;
    p.routerAddress = ra.routerAddr;
    p.validLifetime = ra.validLifetimeS;
    p.preferredLifetime = ra.preferredLifetimeS;
    s.prefixes.push_back(p);
  }
  if (config.meshPrefix.length != 0) {
    RouteInfo r;
    r.prefix = config.meshPrefix;
    r.preference = wirePreference(ra.routePreference);
    r.lifetime = ra.routeLifetimeS.value_or(3 * seconds(max));
    s.routes.push_back(r);
  }
  if (!ra.rdnss.empty()) s.rdnss = DnsServers{ra.rdnss, ra.rdnssLifetimeS.value_or(2 * seconds(max))};
  if (!ra.dnssl.empty()) s.dnssl = DnsSearchList{ra.dnssl, ra.dnsslLifetimeS.value_or(2 * seconds(max))};
  return s;
}

AdvertSettings finalAdvertSettings(AdvertSettings periodic) {
  periodic.routerLifetime = 0;
  for (auto& r : periodic.routes) r.lifetime = 0;
  return periodic;
}

ScheduleSettings scheduleSettings(const RaConfig& ra) {
  ScheduleSettings s;
  s.maxInterval = Millis(ra.maxRtrAdvIntervalMs);
  s.minInterval = minInterval(ra);
  return s;
}

}  // namespace meshfwd::ra
