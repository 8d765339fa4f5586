#include "userspace/ra_schedule.h"

#include <algorithm>

namespace meshfwd::ra {

namespace {
const Ipv6Addr kAllNodes = *Ipv6Addr::parse("ff02::1");
}

AdvertSchedule::AdvertSchedule(ScheduleSettings settings, std::function<double()> uniform)
    : settings_(settings), uniform_(std::move(uniform)) {}

Millis AdvertSchedule::nextUnsolicitedDelay() {
  auto span = settings_.maxInterval - settings_.minInterval;
  Millis delay = settings_.minInterval + Millis(static_cast<int64_t>(uniform_() * static_cast<double>(span.count())));
  // 6.2.4: the first few adverts go out at most 16 s apart so a fresh
  // router is learned quickly.
  if (initialSent_ < settings_.initialAdverts) delay = std::min(delay, settings_.maxInitialInterval);
  return delay;
}

void AdvertSchedule::activate(Clock::time_point now) {
  if (active_) return;
  active_ = true;
  initialSent_ = 0;
  nextMulticast_ = now;
  pendingUnicast_.clear();
}

void AdvertSchedule::deactivate() {
  active_ = false;
  pendingUnicast_.clear();
}

void AdvertSchedule::recordMulticast(Clock::time_point now) {
  lastMulticast_ = now;
  if (initialSent_ < settings_.initialAdverts) ++initialSent_;
  nextMulticast_ = now + nextUnsolicitedDelay();
}

void AdvertSchedule::onSolicit(Clock::time_point now, const Ipv6Addr& source) {
  if (!active_) return;
  if (source != Ipv6Addr{}) {
    // RFC 7772: answer a solicitation that names its sender with a unicast
    // advert at once, rather than waking every host on the link.
    if (now - unicastWindowStart_ >= std::chrono::seconds(1)) {
      unicastWindowStart_ = now;
      unicastInWindow_ = 0;
    }
    if (unicastInWindow_ >= settings_.unicastPerSecond) {
      ++unicastSuppressed_;
      return;
    }
    ++unicastInWindow_;
    if (std::find(pendingUnicast_.begin(), pendingUnicast_.end(), source) == pendingUnicast_.end())
      pendingUnicast_.push_back(source);
    return;
  }
  // 6.2.6: an unspecified source can only be answered by multicast, after a
  // random delay, and never sooner than MIN_DELAY_BETWEEN_RAS after the
  // previous multicast advert.
  auto delay = Millis(static_cast<int64_t>(uniform_() * static_cast<double>(settings_.maxRaDelay.count())));
  auto at = now + delay;
  if (lastMulticast_) at = std::max(at, *lastMulticast_ + settings_.minDelayBetweenRas);
  nextMulticast_ = std::min(nextMulticast_, at);
}

std::vector<SendAction> AdvertSchedule::poll(Clock::time_point now) {
  std::vector<SendAction> due;
  if (!active_) return due;
  for (const auto& to : pendingUnicast_) due.push_back({false, to});
  pendingUnicast_.clear();
  if (now >= nextMulticast_) {
    due.push_back({true, kAllNodes});
    recordMulticast(now);
  }
  return due;
}

std::optional<Clock::time_point> AdvertSchedule::nextWakeup() const {
  if (!active_) return std::nullopt;
  if (!pendingUnicast_.empty()) return Clock::time_point::min();
  return nextMulticast_;
}

}  // namespace meshfwd::ra
