#include "userspace/vrrp_state.h"

namespace meshfwd::vrrp {

namespace {
std::chrono::milliseconds centis(uint32_t cs) { return std::chrono::milliseconds(cs * 10); }
}  // namespace

const char* stateName(State s) {
  switch (s) {
    case State::Initialize: return "initialize";
    case State::Backup: return "backup";
    case State::Master: return "master";
  }
  return "unknown";
}

Machine::Machine(Settings settings) : settings_(settings), masterAdverIntervalCs_(settings.advertIntervalCs) {}

uint32_t Machine::skewTimeCs(uint8_t priority, uint16_t masterAdverIntervalCs) {
  return ((256u - priority) * masterAdverIntervalCs) / 256u;
}

uint32_t Machine::masterDownIntervalCs(uint8_t priority, uint16_t masterAdverIntervalCs) {
  return 3u * masterAdverIntervalCs + skewTimeCs(priority, masterAdverIntervalCs);
}

void Machine::armMasterDown(Clock::time_point now, uint32_t cs) { masterDownTimer_ = now + centis(cs); }

Actions Machine::toMaster(Clock::time_point now) {
  Actions a;
  a.sendAdvertWithPriority = settings_.priority;
  a.becameMaster = true;
  state_ = State::Master;
  masterDownTimer_.reset();
  adverTimer_ = now + centis(settings_.advertIntervalCs);
  masterAddress_ = settings_.localAddress;
  lastTransition_ = now;
  ++transitions_;
  return a;
}

void Machine::toBackup(Clock::time_point now, uint16_t masterIntervalCs, const Ipv6Addr& master) {
  state_ = State::Backup;
  adverTimer_.reset();
  masterAdverIntervalCs_ = masterIntervalCs;
  armMasterDown(now, masterDownIntervalCs(settings_.priority, masterAdverIntervalCs_));
  masterAddress_ = master;
  lastTransition_ = now;
  ++transitions_;
}

Actions Machine::startup(Clock::time_point now) {
  if (state_ != State::Initialize) return {};
  if (settings_.priority == 255) return toMaster(now);
  // Enter Backup with our own interval until a master tells us its own.
  state_ = State::Backup;
  masterAdverIntervalCs_ = settings_.advertIntervalCs;
  armMasterDown(now, masterDownIntervalCs(settings_.priority, masterAdverIntervalCs_));
  masterAddress_.reset();
  lastTransition_ = now;
  ++transitions_;
  return {};
}

Actions Machine::shutdown(Clock::time_point now) {
  Actions a;
  if (state_ == State::Master) a.sendAdvertWithPriority = 0;  // lets a backup take over after Skew_Time
  if (state_ != State::Initialize) {
    a.stopped = true;
    lastTransition_ = now;
    ++transitions_;
  }
  state_ = State::Initialize;
  adverTimer_.reset();
  masterDownTimer_.reset();
  masterAddress_.reset();
  return a;
}

Actions Machine::onAdvert(Clock::time_point now, const Advert& advert, const Ipv6Addr& source) {
  Actions a;
  if (advert.vrid != settings_.vrid) return a;
  if (state_ == State::Backup) {
    if (advert.priority == 0) {
      // The master is leaving: take over after Skew_Time, not 3 intervals.
      armMasterDown(now, skewTimeCs(settings_.priority, masterAdverIntervalCs_));
      return a;
    }
    if (!settings_.preempt || advert.priority >= settings_.priority) {
      masterAdverIntervalCs_ = advert.intervalCs;
      armMasterDown(now, masterDownIntervalCs(settings_.priority, masterAdverIntervalCs_));
      masterAddress_ = source;
    }
    // else: a lower priority master and we preempt; let Master_Down expire.
    return a;
  }
  if (state_ == State::Master) {
    if (advert.priority == 0) {
      // Another master leaving: assert ourselves at once.
      a.sendAdvertWithPriority = settings_.priority;
      adverTimer_ = now + centis(settings_.advertIntervalCs);
      return a;
    }
    bool higher = advert.priority > settings_.priority ||
                  (advert.priority == settings_.priority && source > settings_.localAddress);
    if (higher) {
      toBackup(now, advert.intervalCs, source);
      a.becameBackup = true;
    }
  }
  return a;
}

Actions Machine::onTimer(Clock::time_point now) {
  if (state_ == State::Backup && masterDownTimer_ && now >= *masterDownTimer_) return toMaster(now);
  if (state_ == State::Master && adverTimer_ && now >= *adverTimer_) {
    Actions a;
    a.sendAdvertWithPriority = settings_.priority;
    adverTimer_ = now + centis(settings_.advertIntervalCs);
    return a;
  }
  return {};
}

std::optional<Clock::time_point> Machine::nextDeadline() const {
  if (state_ == State::Backup) return masterDownTimer_;
  if (state_ == State::Master) return adverTimer_;
  return std::nullopt;
}

}  // namespace meshfwd::vrrp
