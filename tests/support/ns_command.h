// Running programs inside a network namespace: fork, setns(CLONE_NEWNET) in
// the child, exec. Only the network namespace changes, so the child still
// sees the host's /sys and the bpffs pins under it (`ip netns exec`
// remounts /sys and hides them: DESIGN.md 5).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace meshfwd::test {

using namespace std::chrono_literals;

struct CommandOptions {
  std::string netns;                      // name under /var/run/netns; empty: this namespace
  std::chrono::milliseconds timeout = 20s;  // then SIGKILL, and timedOut is set
  std::string input;                      // written to the child's stdin
};

struct CommandResult {
  std::vector<std::string> argv;
  std::string netns;
  int exitCode = -1;  // -1: killed by a signal or timed out
  bool timedOut = false;
  std::string out;
  std::string err;

  bool ok() const { return exitCode == 0 && !timedOut; }
  // "[ns] ip link add ...: exit 2: <stderr>", for assertion messages.
  std::string describe() const;
};

CommandResult runCommand(const std::vector<std::string>& argv, const CommandOptions& options = {});

// Splits on spaces; for the many fixed `ip ...` lines, which never need quoting.
std::vector<std::string> words(const std::string& line);

// A long-running child (wireguard-go) inside a namespace, with its output
// going to `logPath`. The destructor stops it: SIGTERM, then SIGKILL if it
// has not exited within a deadline.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::vector<std::string>& argv, const std::string& netns, const std::string& logPath,
                    const std::vector<std::string>& extraEnv = {});
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();  // false once it has exited (reaps it)
  void stop();
  // After it has exited: the exit code, or 128 + the signal that ended it.
  int exitCode() const { return exitCode_; }
  const std::string& logPath() const { return logPath_; }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int exitCode_ = -1;
  std::string logPath_;
};

}  // namespace meshfwd::test
