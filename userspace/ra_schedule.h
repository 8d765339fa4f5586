// When to send Router Advertisements (RFC 4861 6.2.4, 6.2.6; RFC 7772).
// Pure: the caller passes the time in and sends what poll() returns, so
// every timer is tested with an injected clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "userspace/addr.h"

namespace meshfwd::ra {

using Clock = std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;

struct ScheduleSettings {
  Millis minInterval{10000};  // MinRtrAdvInterval (the seed: 10 s)
  Millis maxInterval{30000};  // MaxRtrAdvInterval (the seed: 30 s)
  unsigned initialAdverts = 3;       // MAX_INITIAL_RTR_ADVERTISEMENTS
  Millis maxInitialInterval{16000};  // MAX_INITIAL_RTR_ADVERT_INTERVAL
  Millis minDelayBetweenRas{3000};   // MIN_DELAY_BETWEEN_RAS
  Millis maxRaDelay{500};            // MAX_RA_DELAY_TIME
  // Unicast answers are not limited by RFC 4861; a per-router cap keeps a
  // solicitation flood from turning into an advert flood.
  unsigned unicastPerSecond = 10;
};

struct SendAction {
  bool multicast = true;  // false: unicast to `to`
  Ipv6Addr to;            // ff02::1 for multicast
};

class AdvertSchedule {
 public:
  // `uniform` returns a uniformly distributed value in [0, 1).
  AdvertSchedule(ScheduleSettings settings, std::function<double()> uniform);

  // The source address appeared (VRRP master, VIP present): send the fast
  // initial adverts, the first one now.
  void activate(Clock::time_point now);
  // The source address is gone: send nothing, not even a final advert.
  void deactivate();
  bool active() const { return active_; }

  // An accepted Router Solicitation from `source` (unspecified = ::).
  void onSolicit(Clock::time_point now, const Ipv6Addr& source);

  // Everything due at `now`; each returned action is considered sent.
  std::vector<SendAction> poll(Clock::time_point now);

  // When poll() next has something to do (nullopt while inactive).
  std::optional<Clock::time_point> nextWakeup() const;

  uint64_t unicastSuppressed() const { return unicastSuppressed_; }

 private:
  Millis nextUnsolicitedDelay();
  void recordMulticast(Clock::time_point now);

  ScheduleSettings settings_;
  std::function<double()> uniform_;
  bool active_ = false;
  unsigned initialSent_ = 0;
  Clock::time_point nextMulticast_{};
  std::optional<Clock::time_point> lastMulticast_;
  std::vector<Ipv6Addr> pendingUnicast_;
  Clock::time_point unicastWindowStart_{};
  unsigned unicastInWindow_ = 0;
  uint64_t unicastSuppressed_ = 0;
};

}  // namespace meshfwd::ra
