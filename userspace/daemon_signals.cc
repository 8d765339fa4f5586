#include "userspace/daemon_signals.h"

#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

namespace meshfwd {

SignalAction actionForSignal(int signo) {
  switch (signo) {
    case SIGHUP: return SignalAction::Reload;
    case SIGTERM:
    case SIGINT: return SignalAction::Stop;
    default: return SignalAction::Ignore;
  }
}

int openDaemonSignalFd() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  if (int rc = pthread_sigmask(SIG_BLOCK, &set, nullptr); rc != 0) return -rc;
  int fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  return fd < 0 ? -errno : fd;
}

int readSignal(int signalFd) {
  signalfd_siginfo info{};
  ssize_t n = ::read(signalFd, &info, sizeof info);
  return n == static_cast<ssize_t>(sizeof info) ? static_cast<int>(info.ssi_signo) : 0;
}

}  // namespace meshfwd
