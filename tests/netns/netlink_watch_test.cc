// The netlink watcher sees a link appear, get an address, get a route and
// disappear, in a network namespace of its own (so the host is untouched).
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "userspace/netlink_watch.h"

namespace meshfwd {
namespace {

using namespace std::chrono_literals;

// Runs `ip` with the calling thread's network namespace.
int ip(const std::vector<std::string>& args) {
  pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv{const_cast<char*>("ip")};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execvp("ip", argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(NetlinkWatch, ReportsLinkAddressAndRouteChanges) {
  // unshare() moves only this thread; the test body runs on it.
  std::thread worker([] {
    ASSERT_EQ(unshare(CLONE_NEWNET), 0) << "needs root";
    std::vector<NetlinkEvent> events;
    NetlinkWatch watch([&](const NetlinkEvent& e) { events.push_back(e); });
    ASSERT_EQ(watch.open(), "");

    auto waitFor = [&](NetlinkEvent::Kind kind, const char* what) {
      auto deadline = std::chrono::steady_clock::now() + 5s;
      while (std::chrono::steady_clock::now() < deadline) {
        ASSERT_GE(watch.drain(), 0);
        for (const auto& e : events)
          if (e.kind == kind) return;
        std::this_thread::yield();
      }
      FAIL() << "no " << what << " event within 5 s";
    };

    // No dummy driver on these kernels; a veth pair does as well.
    ASSERT_EQ(ip({"link", "add", "nlw0", "type", "veth", "peer", "name", "nlw1"}), 0);
    waitFor(NetlinkEvent::Kind::LinkAdded, "link-added");
    int ifindex = 0;
    for (const auto& e : events)
      if (e.kind == NetlinkEvent::Kind::LinkAdded && e.ifname == "nlw0") ifindex = e.ifindex;
    ASSERT_GT(ifindex, 0);

    ASSERT_EQ(ip({"link", "set", "nlw1", "up"}), 0);
    ASSERT_EQ(ip({"link", "set", "nlw0", "up"}), 0);
    ASSERT_EQ(ip({"-6", "addr", "add", "fd00:99::1/64", "dev", "nlw0", "nodad"}), 0);
    waitFor(NetlinkEvent::Kind::AddressAdded, "address-added");
    ASSERT_EQ(ip({"-6", "route", "add", "fd00:98::/64", "dev", "nlw0"}), 0);
    waitFor(NetlinkEvent::Kind::RouteAdded, "route-added");
    bool routeOnLink = false;
    for (const auto& e : events)
      if (e.kind == NetlinkEvent::Kind::RouteAdded && e.ifindex == ifindex) routeOnLink = true;
    EXPECT_TRUE(routeOnLink);

    ASSERT_EQ(ip({"link", "del", "nlw0"}), 0);
    waitFor(NetlinkEvent::Kind::LinkRemoved, "link-removed");
  });
  worker.join();
}

}  // namespace
}  // namespace meshfwd
