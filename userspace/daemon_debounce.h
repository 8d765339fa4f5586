// Coalesces a burst of netlink events (wireguard-go's restart alone brings a
// dozen link, address and route messages) into one re-sync: the first event
// of a burst arms a deadline `delay` later, and events until then join it.
// The deadline never moves, so a steady trickle of events cannot postpone
// the re-sync forever. Pure: the caller owns the clock and the timer.
#pragma once

#include <chrono>
#include <optional>

namespace meshfwd {

class Debounce {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  explicit Debounce(std::chrono::milliseconds delay) : delay_(delay) {}

  // An event at `now`: the time to arm a timer at, or nullopt when the
  // current burst's timer is already armed.
  std::optional<TimePoint> note(TimePoint now);
  // The armed timer ran; the next event starts a new burst.
  void fired() { armed_.reset(); }
  bool armed() const { return armed_.has_value(); }

 private:
  std::chrono::milliseconds delay_;
  std::optional<TimePoint> armed_;
};

}  // namespace meshfwd
