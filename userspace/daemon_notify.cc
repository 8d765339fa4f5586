#include "userspace/daemon_notify.h"

#include <systemd/sd-daemon.h>

#include <ctime>

namespace meshfwd {

std::string readyMessage(const std::string& status) { return "READY=1\nSTATUS=" + status; }

std::string reloadingMessage(uint64_t usec) {
  return "RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec) + "\nSTATUS=reloading the configuration";
}

std::string stoppingMessage() { return "STOPPING=1\nSTATUS=stopping"; }

uint64_t monotonicUsec() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000u + static_cast<uint64_t>(ts.tv_nsec) / 1000u;
}

void notifySystemd(const std::string& message) { sd_notify(0, message.c_str()); }

}  // namespace meshfwd
