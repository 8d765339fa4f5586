// The VRRPv3 state machine (RFC 5798 6.4 as revised by RFC 9568), pure:
// events and the time come in, the actions to take come out. The caller
// owns sockets, addresses, the macvlan and the routing tunnel.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "userspace/addr.h"
#include "userspace/vrrp_packet.h"

namespace meshfwd::vrrp {

using Clock = std::chrono::steady_clock;

enum class State { Initialize, Backup, Master };
const char* stateName(State s);

struct Settings {
  uint8_t vrid = 1;
  uint8_t priority = 100;      // 255: address owner; 1-254 otherwise
  uint16_t advertIntervalCs = 100;
  bool preempt = true;         // RFC 5798 default; the seed's `nopreemt` meant false
  Ipv6Addr localAddress;       // this router's link-local address (advert source)
};

// What the caller must do after an event, in this order.
struct Actions {
  std::optional<uint8_t> sendAdvertWithPriority;  // 0 on shutdown
  bool becameMaster = false;   // add the VIP, send unsolicited NAs, RAs, tunnel up
  bool becameBackup = false;   // remove the VIP, tunnel down (no lifetime-0 RA)
  bool stopped = false;        // back to Initialize
};

class Machine {
 public:
  explicit Machine(Settings settings);

  Actions startup(Clock::time_point now);
  Actions shutdown(Clock::time_point now);
  Actions onAdvert(Clock::time_point now, const Advert& advert, const Ipv6Addr& source);
  // Fire whatever timer has expired at `now`.
  Actions onTimer(Clock::time_point now);
  std::optional<Clock::time_point> nextDeadline() const;

  State state() const { return state_; }
  const Settings& settings() const { return settings_; }
  uint16_t masterAdverIntervalCs() const { return masterAdverIntervalCs_; }
  std::optional<Ipv6Addr> masterAddress() const { return masterAddress_; }
  std::optional<Clock::time_point> lastTransition() const { return lastTransition_; }
  uint64_t transitions() const { return transitions_; }

  // RFC 5798 6.1, in centiseconds.
  static uint32_t skewTimeCs(uint8_t priority, uint16_t masterAdverIntervalCs);
  static uint32_t masterDownIntervalCs(uint8_t priority, uint16_t masterAdverIntervalCs);

 private:
  Actions toMaster(Clock::time_point now);
  void toBackup(Clock::time_point now, uint16_t masterIntervalCs, const Ipv6Addr& master);
  void armMasterDown(Clock::time_point now, uint32_t cs);

  Settings settings_;
  State state_ = State::Initialize;
  uint16_t masterAdverIntervalCs_;
  std::optional<Clock::time_point> adverTimer_;
  std::optional<Clock::time_point> masterDownTimer_;
  std::optional<Ipv6Addr> masterAddress_;
  std::optional<Clock::time_point> lastTransition_;
  uint64_t transitions_ = 0;
};

}  // namespace meshfwd::vrrp
