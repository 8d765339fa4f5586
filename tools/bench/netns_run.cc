#include "tools/bench/netns_run.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

namespace meshfwd::bench {

std::string runInNetns(const std::string& name, const std::function<std::string()>& fn) {
  std::string result;
  std::thread worker([&] {
    std::string path = "/var/run/netns/" + name;
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      result = "cannot open " + path + ": " + std::strerror(errno);
      return;
    }
    // unshare(CLONE_FS) first would be needed only for mount namespaces;
    // setns(CLONE_NEWNET) changes this thread alone.
    if (setns(fd, CLONE_NEWNET) != 0) {
      result = "cannot enter netns " + name + ": " + std::strerror(errno);
      close(fd);
      return;
    }
    close(fd);
    result = fn();
  });
  worker.join();
  return result;
}

std::string runShell(const std::string& command, const std::string& input) {
  std::string output;
  if (input.empty()) {
    FILE* p = popen((command + " 2>&1").c_str(), "r");
    if (!p) return "cannot run: " + command;
    std::array<char, 4096> buf;
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) output.append(buf.data(), n);
    int status = pclose(p);
    if (status != 0) return command + " failed (status " + std::to_string(status) + "): " + output;
    return "";
  }
  FILE* p = popen((command + " 2>&1").c_str(), "w");
  if (!p) return "cannot run: " + command;
  fwrite(input.data(), 1, input.size(), p);
  int status = pclose(p);
  if (status != 0) return command + " failed (status " + std::to_string(status) + ")";
  return "";
}

std::string ipBatch(const std::string& netns, const std::vector<std::string>& commands) {
  std::string input;
  for (const std::string& c : commands) input += c + "\n";
  std::string ip = netns.empty() ? "ip -batch -" : "ip -n " + netns + " -batch -";
  return runShell(ip, input);
}

NamedNetns::~NamedNetns() {
  for (auto it = names_.rbegin(); it != names_.rend(); ++it) runShell("ip netns del " + *it);
}

std::string NamedNetns::add(const std::string& name) {
  // A namespace of the same name left by a killed run goes first.
  runShell("ip netns del " + name + " 2>/dev/null; true");
  if (std::string err = runShell("ip netns add " + name); !err.empty()) return err;
  names_.push_back(name);
  return ipBatch(name, {"link set lo up"});
}

}  // namespace meshfwd::bench
