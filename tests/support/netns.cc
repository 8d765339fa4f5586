#include "tests/support/netns.h"

#include <dirent.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "tests/support/poll_until.h"

namespace meshfwd::test {

namespace fs = std::filesystem;

namespace {

constexpr const char* kNetnsDir = "/var/run/netns";
constexpr const char* kWireguardSockDir = "/var/run/wireguard";
constexpr const char* kBpffsRoot = "/sys/fs/bpf/meshfwd";

bool startsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

std::vector<std::string> listDir(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) names.push_back(entry.path().filename());
  return names;
}

std::vector<std::string> readCmdline(const std::string& pidDir) {
  std::ifstream in(pidDir + "/cmdline", std::ios::binary);
  std::vector<std::string> argv;
  for (std::string arg; std::getline(in, arg, '\0');) argv.push_back(arg);
  return argv;
}

// wireguard-go processes of an earlier run with this prefix: argv is
// "wireguard-go [-f] <ifname>". Found by pid and stopped by pid.
void stopStaleWireguardGo(const std::string& prefix) {
  for (const auto& entry : listDir("/proc")) {
    if (entry.empty() || !std::isdigit(static_cast<unsigned char>(entry[0]))) continue;
    auto argv = readCmdline("/proc/" + entry);
    if (argv.empty() || fs::path(argv[0]).filename() != "wireguard-go") continue;
    if (!startsWith(argv.back(), prefix)) continue;
    pid_t pid = static_cast<pid_t>(std::stol(entry));
    ::kill(pid, SIGTERM);
    bool gone = pollUntil([&] { return ::kill(pid, 0) != 0; }, 3s);
    if (!gone) ::kill(pid, SIGKILL);
  }
}

// The loader pins one instance per namespace under net<inode>; a test that
// died before `meshfwd detach` leaves them behind, holding its programs.
void removePinsOfNetnsInode(ino_t inode) {
  std::error_code ec;
  fs::remove_all(fs::path(kBpffsRoot) / ("net" + std::to_string(inode)), ec);
}

ino_t netnsInode(const std::string& name) {
  struct stat st {};
  if (::stat((std::string(kNetnsDir) + "/" + name).c_str(), &st) != 0) return 0;
  return st.st_ino;
}

void deleteNetns(const std::string& name) {
  ino_t inode = netnsInode(name);
  runCommand({"ip", "netns", "del", name});
  if (inode != 0) removePinsOfNetnsInode(inode);
}

}  // namespace

void runInNetns(const std::string& netns, const std::function<void()>& fn) {
  std::exception_ptr failure;
  std::thread worker([&] {
    try {
      std::string path = std::string(kNetnsDir) + "/" + netns;
      int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
      int rc = ::setns(fd, CLONE_NEWNET);
      int saved = errno;
      ::close(fd);
      if (rc != 0) throw std::runtime_error("setns(" + netns + "): " + std::strerror(saved));
      fn();
    } catch (...) {
      failure = std::current_exception();
    }
  });
  worker.join();
  if (failure) std::rethrow_exception(failure);
}

TestScope::TestScope(std::string prefix) : prefix_(std::move(prefix)) {
  if (prefix_.size() > 6) throw std::invalid_argument("test prefix too long for interface names: " + prefix_);
  workDir_ = "/tmp/meshfwd-" + prefix_;
  fs::create_directories(workDir_);
  std::string lockPath = "/run/lock/meshfwd-test-" + prefix_ + ".lock";
  lockFd_ = ::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lockFd_ < 0) throw std::runtime_error("cannot open " + lockPath + ": " + std::strerror(errno));
  // Another copy of this test (another build directory) may be running:
  // wait for it rather than sweeping its namespaces from under it.
  bool locked = pollUntil([&] { return ::flock(lockFd_, LOCK_EX | LOCK_NB) == 0; }, 600s, 50ms);
  if (!locked) throw std::runtime_error("another run of the " + prefix_ + " tests held " + lockPath + " for 10 min");
  sweep(prefix_);
}

TestScope::~TestScope() {
  sweep(prefix_);
  ::close(lockFd_);  // releases the flock
}

std::string TestScope::name(const std::string& suffix) const {
  std::string n = prefix_ + "-" + suffix;
  if (n.size() >= IFNAMSIZ) throw std::invalid_argument("name longer than 15 characters: " + n);
  return n;
}

void TestScope::sweep(const std::string& prefix) {
  stopStaleWireguardGo(prefix);
  for (const auto& ns : listDir(kNetnsDir)) {
    if (startsWith(ns, prefix)) deleteNetns(ns);
  }
  for (const auto& sock : listDir(kWireguardSockDir)) {
    if (startsWith(sock, prefix)) {
      std::error_code ec;
      fs::remove(fs::path(kWireguardSockDir) / sock, ec);
    }
  }
}

NetNs::NetNs(std::string name) : name_(std::move(name)) {
  auto added = runCommand({"ip", "netns", "add", name_});
  if (!added.ok()) throw std::runtime_error(added.describe());
  ip("link set lo up");
}

NetNs::~NetNs() { deleteNetns(name_); }

CommandResult NetNs::run(const std::vector<std::string>& argv, const CommandOptions& options) const {
  CommandOptions inHere = options;
  inHere.netns = name_;
  return runCommand(argv, inHere);
}

CommandResult NetNs::must(const std::vector<std::string>& argv, const std::string& input) const {
  CommandOptions options;
  options.input = input;
  auto result = run(argv, options);
  if (!result.ok()) throw std::runtime_error(result.describe());
  return result;
}

CommandResult NetNs::ip(const std::string& line) const {
  auto argv = words(line);
  argv.insert(argv.begin(), "ip");
  return must(argv);
}

void NetNs::sysctl(const std::string& key, const std::string& value) const {
  must({"sysctl", "-qw", key + "=" + value});
}

int NetNs::ifindex(const std::string& ifname) const {
  int index = 0;
  runInNetns(name_, [&] { index = static_cast<int>(::if_nametoindex(ifname.c_str())); });
  if (index == 0) throw std::runtime_error("no interface " + ifname + " in " + name_);
  return index;
}

std::string NetNs::mac(const std::string& ifname) const {
  // Through `ip`, not /sys/class/net: /sys is the host's mount, which shows
  // the host namespace's interfaces whatever namespace the reader is in.
  auto r = must({"ip", "-o", "link", "show", "dev", ifname});
  auto pos = r.out.find("link/ether ");
  if (pos == std::string::npos) throw std::runtime_error(ifname + " in " + name_ + " has no Ethernet address");
  return r.out.substr(pos + 11, 17);
}

void dropKernelForwarding(const NetNs& ns) {
  ns.must({"nft", "-f", "-"},
          "table inet meshfwd_test {\n"
          "  chain forward { type filter hook forward priority 0; policy drop; }\n"
          "}\n");
}

void addVethPair(const NetNs& a, const std::string& nameA, const NetNs& b, const std::string& nameB) {
  // Created inside `a`, so the names only have to be unique in the two
  // namespaces involved, never in the host's.
  if (&a == &b) {
    a.ip("link add " + nameA + " type veth peer name " + nameB);
  } else {
    a.ip("link add " + nameA + " type veth peer name " + nameB + " netns " + b.name());
  }
}

}  // namespace meshfwd::test
