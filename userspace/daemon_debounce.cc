#include "userspace/daemon_debounce.h"

namespace meshfwd {

std::optional<Debounce::TimePoint> Debounce::note(TimePoint now) {
  if (armed_) return std::nullopt;
  armed_ = now + delay_;
  return armed_;
}

}  // namespace meshfwd
