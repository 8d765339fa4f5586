// systemd's Type=notify protocol (sd_notify(3)): READY=1 once the datapath
// is attached, RELOADING=1 with MONOTONIC_USEC (systemd >= 253 matches the
// reload by it) then READY=1 around a reload, STOPPING=1, STATUS= lines.
// The messages are built by pure functions; notifySystemd() sends them and
// does nothing when NOTIFY_SOCKET is unset (not run by systemd).
#pragma once

#include <cstdint>
#include <string>

namespace meshfwd {

std::string readyMessage(const std::string& status);
std::string reloadingMessage(uint64_t monotonicUsec);
std::string stoppingMessage();

// CLOCK_MONOTONIC in microseconds, as MONOTONIC_USEC wants it.
uint64_t monotonicUsec();

void notifySystemd(const std::string& message);

}  // namespace meshfwd
