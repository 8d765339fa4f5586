#include "tests/support/ns_command.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <stdexcept>

namespace meshfwd::test {

namespace {

using Clock = std::chrono::steady_clock;

int openNetnsOrThrow(const std::string& netns) {
  if (netns.empty()) return -1;
  std::string path = "/var/run/netns/" + netns;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
  return fd;
}

// Everything the child needs is prepared before fork(): after it only
// async-signal-safe calls are made (the test binary may have threads).
struct ExecArgs {
  std::vector<std::string> storage;
  std::vector<char*> ptrs;
  explicit ExecArgs(const std::vector<std::string>& argv) : storage(argv) {
    for (auto& s : storage) ptrs.push_back(s.data());
    ptrs.push_back(nullptr);
  }
};

[[noreturn]] void execInChild(int netnsFd, const ExecArgs& args, char* const* envp) {
  if (netnsFd >= 0 && ::setns(netnsFd, CLONE_NEWNET) != 0) {
    const char msg[] = "setns(CLONE_NEWNET) failed\n";
    (void)!::write(2, msg, sizeof msg - 1);
    ::_exit(126);
  }
  if (envp != nullptr) {
    ::execvpe(args.ptrs[0], args.ptrs.data(), envp);
  } else {
    ::execvp(args.ptrs[0], args.ptrs.data());
  }
  const char msg[] = "exec failed\n";
  (void)!::write(2, msg, sizeof msg - 1);
  ::_exit(127);
}

void drain(int fd, std::string& into, bool& open) {
  char buf[4096];
  ssize_t n = ::read(fd, buf, sizeof buf);
  if (n > 0) {
    into.append(buf, static_cast<size_t>(n));
  } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
    open = false;
  }
}

}  // namespace

std::string CommandResult::describe() const {
  std::ostringstream s;
  if (!netns.empty()) s << "[" << netns << "] ";
  for (size_t i = 0; i < argv.size(); ++i) s << (i ? " " : "") << argv[i];
  if (timedOut) {
    s << ": timed out";
  } else {
    s << ": exit " << exitCode;
  }
  if (!err.empty()) s << ": " << err;
  if (!out.empty() && !ok()) s << " (stdout: " << out << ")";
  return s.str();
}

std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

CommandResult runCommand(const std::vector<std::string>& argv, const CommandOptions& options) {
  CommandResult result;
  result.argv = argv;
  result.netns = options.netns;
  if (argv.empty()) throw std::invalid_argument("runCommand: empty argv");

  int netnsFd = openNetnsOrThrow(options.netns);
  int inPipe[2], outPipe[2], errPipe[2];
  if (::pipe2(inPipe, O_CLOEXEC) || ::pipe2(outPipe, O_CLOEXEC) || ::pipe2(errPipe, O_CLOEXEC)) {
    throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
  }
  ExecArgs args(argv);
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::dup2(inPipe[0], 0);
    ::dup2(outPipe[1], 1);
    ::dup2(errPipe[1], 2);
    execInChild(netnsFd, args, nullptr);
  }
  if (netnsFd >= 0) ::close(netnsFd);
  ::close(inPipe[0]);
  ::close(outPipe[1]);
  ::close(errPipe[1]);
  if (!options.input.empty()) {
    // Inputs are keys and short configs, far below the pipe buffer.
    (void)!::write(inPipe[1], options.input.data(), options.input.size());
  }
  ::close(inPipe[1]);

  auto deadline = Clock::now() + options.timeout;
  bool outOpen = true, errOpen = true;
  while (outOpen || errOpen) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      result.timedOut = true;
      ::kill(pid, SIGKILL);
      break;
    }
    pollfd fds[2] = {{outOpen ? outPipe[0] : -1, POLLIN, 0}, {errOpen ? errPipe[0] : -1, POLLIN, 0}};
    int n = ::poll(fds, 2, static_cast<int>(left));
    if (n < 0 && errno != EINTR) break;
    if (fds[0].revents) drain(outPipe[0], result.out, outOpen);
    if (fds[1].revents) drain(errPipe[0], result.err, errOpen);
  }
  ::close(outPipe[0]);
  ::close(errPipe[0]);

  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!result.timedOut && WIFEXITED(status)) result.exitCode = WEXITSTATUS(status);
  while (!result.err.empty() && result.err.back() == '\n') result.err.pop_back();
  return result;
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv, const std::string& netns,
                                     const std::string& logPath, const std::vector<std::string>& extraEnv)
    : logPath_(logPath) {
  int netnsFd = openNetnsOrThrow(netns);
  int logFd = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (logFd < 0) throw std::runtime_error("cannot open " + logPath + ": " + std::strerror(errno));
  int nullFd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);

  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  env.insert(env.end(), extraEnv.begin(), extraEnv.end());
  ExecArgs envArgs(env);
  ExecArgs args(argv);

  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid_ == 0) {
    ::dup2(nullFd, 0);
    ::dup2(logFd, 1);
    ::dup2(logFd, 2);
    // Its own process group, so a Ctrl-C aimed at the test run does not
    // race the destructor's orderly SIGTERM.
    ::setpgid(0, 0);
    execInChild(netnsFd, args, envArgs.ptrs.data());
  }
  if (netnsFd >= 0) ::close(netnsFd);
  ::close(logFd);
  ::close(nullFd);
}

BackgroundProcess::~BackgroundProcess() { stop(); }

bool BackgroundProcess::running() {
  if (reaped_ || pid_ < 0) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    reaped_ = true;
    exitCode_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  return !reaped_;
}

void BackgroundProcess::stop() {
  if (!running()) return;
  ::kill(pid_, SIGTERM);
  auto deadline = Clock::now() + 5s;
  while (Clock::now() < deadline) {
    if (!running()) return;
    // Reaping is the condition; poll it at a short interval.
    ::usleep(5000);
  }
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  reaped_ = true;
  exitCode_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace meshfwd::test
