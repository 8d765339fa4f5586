// The control plane's configuration, whatever it came from (meshfwd.toml,
// command-line flags, or both: flags override the file). Plain data;
// parsing lives in config_file.*, validation in config_validate.*, and the
// translation into the datapath's struct mf_config in policy_maps.*.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "userspace/addr.h"

namespace meshfwd {

enum class Role { Relay, Edge };

struct PortRange {
  uint16_t lo = 58000;  // inclusive
  uint16_t hi = 60000;
};

struct RateLimit {
  uint32_t perSecond = 0;  // 0: unlimited
  uint32_t burst = 0;
};

struct GuardConfig {
  bool enabled = true;
  uint16_t listenPort = 0;          // 0: read the tunnel's listen port from WireGuard
  bool handshakeRateLimit = false;  // off by default (issue: "configurable and off by default")
  RateLimit handshake{20, 40};      // per source /64 (IPv6) or /32 (IPv4)
};

// [vrrp]: the edge's VRRPv3 router (DESIGN.md §6), keepalived's vocabulary.
struct VrrpConfig {
  uint8_t vrid = 1;
  uint8_t priority = 100;            // 255 address owner, 1-254
  uint16_t advertIntervalCs = 100;   // advert_int, seconds in the file, centiseconds here
  bool preempt = true;               // explicit; RFC 5798 default
  Ipv6Addr virtualAddress;           // the link-local VIP
  uint32_t naBurst = 3;              // unsolicited NAs sent on becoming master
  // The routing tunnel's relay peer as "name:port", re-resolved on uplink
  // changes and every resolveIntervalS; empty: leave the endpoint alone.
  std::string relayEndpoint;
  uint32_t resolveIntervalS = 300;
  bool operator==(const VrrpConfig&) const = default;
};

// [ra]: the edge's Router Advertisements (DESIGN.md §6), radvd's vocabulary
// in snake_case. Times are as radvd writes them: intervals and lifetimes in
// seconds, reachable time and retransmit timer in milliseconds. The site /64
// and the mesh /48 come from [mesh].
enum class RaRoutePreference { Low, Medium, High };

struct RaConfig {
  std::string interface;             // empty: the VRRP macvlan with [vrrp], else the LAN
  std::optional<Ipv6Addr> source;    // AdvRASrcAddress; unset: the [vrrp] VIP
  uint32_t minRtrAdvIntervalMs = 0;  // 0: max / 3 (radvd: 0.33 x max)
  uint32_t maxRtrAdvIntervalMs = 30000;
  uint16_t defaultLifetimeS = 0;     // AdvDefaultLifetime: 0 = not a default router
  uint32_t reachableTimeMs = 0;
  uint32_t retransTimerMs = 0;
  uint8_t curHopLimit = 64;
  bool managedFlag = false;
  bool otherConfigFlag = false;
  std::optional<uint32_t> linkMtu;   // AdvLinkMTU; unset: no MTU option
  uint32_t validLifetimeS = 86400;
  uint32_t preferredLifetimeS = 14400;
  bool routerAddr = false;           // AdvRouterAddr (R flag in the PIO)
  std::optional<uint32_t> routeLifetimeS;  // AdvRouteLifetime; unset: 3 x max interval
  RaRoutePreference routePreference = RaRoutePreference::High;
  std::vector<Ipv6Addr> rdnss;
  std::optional<uint32_t> rdnssLifetimeS;  // unset: 2 x max interval (radvd)
  std::vector<std::string> dnssl;
  std::optional<uint32_t> dnsslLifetimeS;  // unset: 2 x max interval (radvd)
  // radvd's RemoveAdvOnExit/RemoveRoute: a final RA with lifetime 0. Only
  // honoured when the source is the router's own address, never the VIP.
  bool removeAdvOnExit = false;
  bool operator==(const RaConfig&) const = default;
};

struct Config {
  Role role = Role::Relay;
  std::string uplink;  // relay: the guard's interface; edge: optional (single NIC = lan)
  std::string tunnel;  // the WireGuard routing tunnel
  std::string lan;     // edge only
  // The uplink's MTU for the MTU chain check (DESIGN.md §1: uplink - 80 -
  // 80 >= 1280). Unset: nothing to check in the file; the daemon checks the
  // interface's real MTU.
  std::optional<uint32_t> uplinkMtu;

  Ipv6Prefix meshPrefix;                 // the /48
  std::optional<Ipv6Prefix> sitePrefix;  // edge: the site /64
  PortRange ports;
  // ICMPv6 types forwarded into the /48 (DESIGN.md 2a). Error types (1-4)
  // are forwarded only when related; 135/136/137 can never be forwarded.
  std::set<uint8_t> allowedIcmpTypes{1, 2, 3, 4, 128, 129, 134};

  RateLimit icmpErrors{100, 20};       // RFC 4443 2.4(f): generated errors, whole box
  RateLimit rejectEvents{10, 20};      // sampled reject events into the ring buffer
  std::optional<Ipv6Addr> icmpSource;  // default: the tunnel's (relay) / LAN's (edge) address
  GuardConfig guard;
  bool sourceValidation = true;  // edge: BCP 38
  bool vrrpMasterStatic = true;  // edge: act on the virtual MAC until VRRP lands

  std::string metricsListen = "127.0.0.1:9469";
  std::optional<VrrpConfig> vrrp;  // edge: present when [vrrp] is
  std::optional<RaConfig> ra;      // edge: present when [ra] is
};

}  // namespace meshfwd
