// Network namespaces for the integration tests, as RAII objects.
//
// Namespaces are created with `ip netns add`, so a person can inspect a
// running (or hung) test with `ip netns exec NAME ...`. Every name a test
// creates starts with its prefix ("ns" + a short test id, e.g. "nswg"), and
// a TestScope holds a machine-wide lock on that prefix: while it is held no
// other copy of the same test runs (another build directory, another
// engineer), so sweeping leftovers of a crashed run is safe.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/ns_command.h"

namespace meshfwd::test {

// Runs `fn` on a short-lived thread that has joined the namespace's
// network, and returns. Sockets and TUN devices opened there stay bound to
// that namespace; the calling thread never changes namespace.
void runInNetns(const std::string& netns, const std::function<void()>& fn);

// The lock plus the sweep. Construct one first in every test fixture.
class TestScope {
 public:
  explicit TestScope(std::string prefix);  // waits for the lock, then sweeps
  ~TestScope();                            // sweeps again, then unlocks
  TestScope(const TestScope&) = delete;
  TestScope& operator=(const TestScope&) = delete;

  const std::string& prefix() const { return prefix_; }
  // prefix + "-" + suffix, checked to fit IFNAMSIZ (15 characters).
  std::string name(const std::string& suffix) const;
  // A directory for keys, configs and logs of this run: /tmp/meshfwd-<prefix>.
  const std::string& workDir() const { return workDir_; }

  // Removes namespaces, wireguard-go processes and control sockets whose
  // names start with `prefix`. Exposed for tools that want the same sweep.
  static void sweep(const std::string& prefix);

 private:
  std::string prefix_;
  std::string workDir_;
  int lockFd_ = -1;
};

class NetNs {
 public:
  explicit NetNs(std::string name);  // `ip netns add`, loopback up
  ~NetNs();                          // `ip netns del`
  NetNs(const NetNs&) = delete;
  NetNs& operator=(const NetNs&) = delete;

  const std::string& name() const { return name_; }

  CommandResult run(const std::vector<std::string>& argv, const CommandOptions& options = {}) const;
  // Runs and throws with CommandResult::describe() if it fails: for set-up
  // steps, where a failure means the topology is wrong, not the product.
  CommandResult must(const std::vector<std::string>& argv, const std::string& input = {}) const;
  // must(words(line)) for fixed `ip ...` lines.
  CommandResult ip(const std::string& line) const;
  void sysctl(const std::string& key, const std::string& value) const;

  int ifindex(const std::string& ifname) const;
  std::string mac(const std::string& ifname) const;

 private:
  std::string name_;
};

// An nftables forward chain with policy drop in `ns`: the kernel's own
// forwarding path then delivers nothing, so whatever still crosses the box
// was forwarded (or answered) by meshfwd's programs.
void dropKernelForwarding(const NetNs& ns);

// A veth pair from one namespace to another (or within one when a == b).
void addVethPair(const NetNs& a, const std::string& nameA, const NetNs& b, const std::string& nameB);

}  // namespace meshfwd::test
