#include "tools/bench/bench_netns.h"

#include <net/if.h>
#include <sched.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace meshfwd::bench {

namespace {

constexpr const char* kTunnelName = "mfbench0";
constexpr const char* kLanName = "mfbench1";

// Feeds commands to one `ip -batch` process: tens of thousands of routes
// in one go, where one `ip` per route would take minutes.
std::string runIpBatch(const std::vector<std::string>& commands) {
  FILE* ip = popen("ip -batch - 2>&1", "w");
  if (!ip) return std::string("cannot run ip: ") + std::strerror(errno);
  for (const std::string& c : commands) std::fprintf(ip, "%s\n", c.c_str());
  int status = pclose(ip);
  if (status != 0) return "ip -batch failed (status " + std::to_string(status) + ")";
  return "";
}

std::string writeSysctl(const char* path, const char* value) {
  std::ofstream f(path);
  if (!(f << value)) return std::string("cannot write ") + path;
  return "";
}

}  // namespace

std::string enterBenchNetns(const std::vector<std::string>& sitePrefixes, uint32_t tunnelMtu, BenchNetns& out) {
  if (unshare(CLONE_NEWNET) != 0)
    return std::string("cannot create a network namespace: ") + std::strerror(errno) + " (run as root)";

  std::vector<std::string> commands{
      "link set lo up",
      std::string("link add ") + kTunnelName + " mtu " + std::to_string(tunnelMtu) + " type veth peer name " +
          kTunnelName + "p",
      std::string("link set ") + kTunnelName + "p up",
      std::string("link set ") + kTunnelName + " up",
      std::string("link add ") + kLanName + " type veth peer name " + kLanName + "p",
      std::string("link set ") + kLanName + "p up",
      std::string("link set ") + kLanName + " up",
  };
  for (const std::string& prefix : sitePrefixes)
    commands.push_back("route add " + prefix + " dev " + kTunnelName);
  if (std::string err = runIpBatch(commands); !err.empty()) return err;

  // bpf_fib_lookup answers "forwarding disabled" on a device that does
  // not forward; the namespace is new, so this touches nothing else.
  if (std::string err = writeSysctl("/proc/sys/net/ipv6/conf/all/forwarding", "1"); !err.empty()) return err;

  out.tunnelIfindex = if_nametoindex(kTunnelName);
  if (out.tunnelIfindex == 0) return std::string("no ") + kTunnelName + " after creating it";
  out.tunnelMtu = tunnelMtu;
  out.lanIfindex = if_nametoindex(kLanName);
  if (out.lanIfindex == 0) return std::string("no ") + kLanName + " after creating it";
  return "";
}

}  // namespace meshfwd::bench
