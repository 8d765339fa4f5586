// [ra] + [mesh] + [vrrp] -> what the RA sender needs: the wire settings
// (ra_message.h), the timing (ra_schedule.h), the interface and the source.
// Pure, so the translation is unit-tested without a socket.
#pragma once

#include <optional>
#include <string>

#include "userspace/config.h"
#include "userspace/ra_message.h"
#include "userspace/ra_schedule.h"

namespace meshfwd::ra {

// Where RAs leave: [ra] interface, else the VRRP macvlan (the VIP lives
// there, and sending from it on the lower interface fails with EINVAL),
// else the LAN.
std::string raInterface(const Config& config, const RaConfig& ra);

// [ra] source, else the [vrrp] VIP.
std::optional<Ipv6Addr> raSource(const Config& config, const RaConfig& ra);

// True when the source is the VRRP VIP, which other edges share: such a
// source must never send a lifetime-0 RA (DESIGN.md 6).
bool sourceIsShared(const Config& config, const RaConfig& ra);

// MinRtrAdvInterval as RFC 4861 6.2.1 defaults it (0.33 x max, at least 3 s).
Millis minInterval(const RaConfig& ra);

// The periodic RA. `mac` is the sending interface's MAC (the virtual MAC on
// the VRRP macvlan); nullopt leaves the source link-layer option out.
AdvertSettings advertSettings(const Config& config, const RaConfig& ra, const std::optional<MacAddr>& mac);

// radvd's RemoveAdvOnExit + RemoveRoute: the same advert with router and
// route lifetimes 0, which withdraws this router from every host.
AdvertSettings finalAdvertSettings(AdvertSettings periodic);

ScheduleSettings scheduleSettings(const RaConfig& ra);

}  // namespace meshfwd::ra
