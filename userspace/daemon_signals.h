// Which signal asks the daemon for what, and the signalfd that delivers
// them to the event loop (so handlers never run asynchronously).
#pragma once

namespace meshfwd {

enum class SignalAction { Reload, Stop, Ignore };

// SIGHUP reloads (systemctl reload); SIGTERM and SIGINT stop in order.
SignalAction actionForSignal(int signo);

// Blocks SIGHUP, SIGTERM and SIGINT for the calling thread (and every thread
// it creates later: call this before starting any) and returns a
// non-blocking signalfd for them, or -errno.
int openDaemonSignalFd();

// Reads one pending signal from the signalfd: its number, or 0 when none.
int readSignal(int signalFd);

}  // namespace meshfwd
