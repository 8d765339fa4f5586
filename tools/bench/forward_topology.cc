#include "tools/bench/forward_topology.h"

#include <fcntl.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <regex>
#include <sstream>
#include <cstring>

namespace meshfwd::bench {

namespace {

// ifindex and MAC of `ifname` as seen from inside the current thread's netns.
std::string linkFacts(const std::string& ifname, uint32_t& ifindex, MacAddr* mac) {
  ifindex = if_nametoindex(ifname.c_str());
  if (ifindex == 0) return "no interface " + ifname;
  if (!mac) return "";
  // Not /sys/class/net: after setns() /sys still shows the initial namespace.
  int s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return std::string("socket: ") + std::strerror(errno);
  ifreq req{};
  std::strncpy(req.ifr_name, ifname.c_str(), IFNAMSIZ - 1);
  int rc = ioctl(s, SIOCGIFHWADDR, &req);
  close(s);
  if (rc != 0) return "SIOCGIFHWADDR " + ifname + ": " + std::strerror(errno);
  std::memcpy(mac->data(), req.ifr_hwaddr.sa_data, 6);
  return "";
}

std::string sysctl(const std::string& netns, const std::string& key, const std::string& value) {
  return runShell("ip netns exec " + netns + " sysctl -qw " + key + "=" + value);
}

std::string macText(const MacAddr& m) {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
  return buf;
}

}  // namespace

void sweepStaleForwardLabs() {
  FILE* p = popen("ip netns list 2>/dev/null", "r");
  if (!p) return;
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
  pclose(p);
  static const std::regex ours("^mfb([0-9]+)[grst]$");
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::string name = line.substr(0, line.find(' '));
    std::smatch m;
    if (!std::regex_match(name, m, ours)) continue;
    pid_t pid = static_cast<pid_t>(std::stol(m[1]));
    if (kill(pid, 0) == 0 || errno == EPERM) continue;  // that run is still going
    runShell("ip netns del " + name);
  }
}

ForwardLab::~ForwardLab() {
  if (tun_.tunFd >= 0) close(tun_.tunFd);
}

std::string ForwardLab::buildVeth(const SitePlan& plan) {
  VethLab& v = veth_;
  v.gen = "mfb" + tag_ + "g";
  v.router = "mfb" + tag_ + "r";
  v.sink = "mfb" + tag_ + "s";
  v.genIf = "mfbg0";
  v.routerIn = "mfbr0";
  v.routerOut = "mfbr1";
  v.sinkIf = "mfbs0";
  for (const std::string* ns : {&v.gen, &v.router, &v.sink})
    if (std::string err = namespaces_.add(*ns); !err.empty()) return err;

  if (std::string err = ipBatch(v.gen, {"link add " + v.genIf + " type veth peer name " + v.routerIn + " netns " +
                                            v.router,
                                        "addr add " + std::string(kGenAddr) + "/64 dev " + v.genIf + " nodad",
                                        "link set " + v.genIf + " up"});
      !err.empty())
    return err;
  if (std::string err = ipBatch(v.router, {"link add " + v.routerOut + " type veth peer name " + v.sinkIf +
                                               " netns " + v.sink,
                                           "addr add fd00:b1::1/64 dev " + v.routerIn + " nodad",
                                           "addr add fd00:b2::1/64 dev " + v.routerOut + " nodad",
                                           "link set " + v.routerIn + " up", "link set " + v.routerOut + " up"});
      !err.empty())
    return err;
  if (std::string err = ipBatch(v.sink, {"addr add fd00:b2::2/64 dev " + v.sinkIf + " nodad",
                                         "link set " + v.sinkIf + " up"});
      !err.empty())
    return err;

  MacAddr sinkMac{};
  if (std::string err = runInNetns(v.sink, [&] { return linkFacts(v.sinkIf, v.sinkIfindex, &sinkMac); });
      !err.empty())
    return err;
  if (std::string err = runInNetns(v.gen, [&] { return linkFacts(v.genIf, v.genIfindex, &v.genMac); }); !err.empty())
    return err;
  if (std::string err = runInNetns(v.router, [&] {
        if (std::string e = linkFacts(v.routerIn, v.routerInIfindex, &v.routerInMac); !e.empty()) return e;
        return linkFacts(v.routerOut, v.routerOutIfindex, nullptr);
      });
      !err.empty())
    return err;

  // The sink drops everything in XDP and so never answers neighbour
  // solicitations: the router gets its address as a permanent entry.
  std::vector<std::string> routes{"neigh replace fd00:b2::2 lladdr " + macText(sinkMac) + " dev " + v.routerOut +
                                      " nud permanent",
                                  "route add " + std::string(kOutsideMeshPrefix) + " via fd00:b2::2 dev " +
                                      v.routerOut};
  for (const std::string& prefix : plan.sitePrefixTexts())
    routes.push_back("route add " + prefix + " via fd00:b2::2 dev " + v.routerOut);
  if (std::string err = ipBatch(v.router, routes); !err.empty()) return err;
  return sysctl(v.router, "net.ipv6.conf.all.forwarding", "1");
}

std::string ForwardLab::buildTun(const SitePlan& plan) {
  TunLab& t = tun_;
  t.router = "mfb" + tag_ + "t";
  t.tunIf = "mfbt0";
  if (std::string err = namespaces_.add(t.router); !err.empty()) return err;
  if (std::string err = runInNetns(t.router, [&]() -> std::string {
        int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
        if (fd < 0) return std::string("/dev/net/tun: ") + std::strerror(errno);
        ifreq req{};
        req.ifr_flags = IFF_TUN | IFF_NO_PI;
        std::strncpy(req.ifr_name, t.tunIf.c_str(), IFNAMSIZ - 1);
        if (ioctl(fd, TUNSETIFF, &req) != 0) {
          close(fd);
          return std::string("TUNSETIFF: ") + std::strerror(errno);
        }
        t.tunFd = fd;
        return linkFacts(t.tunIf, t.tunIfindex, nullptr);
      });
      !err.empty())
    return err;
  // A long queue: the reader (the sink) runs on a loaded machine.
  std::vector<std::string> commands{"link set " + t.tunIf + " txqueuelen 10000 up",
                                    "addr add fd99::1/128 dev " + t.tunIf + " nodad",
                                    "route add " + std::string(kOutsideMeshPrefix) + " dev " + t.tunIf};
  for (const std::string& prefix : plan.sitePrefixTexts()) commands.push_back("route add " + prefix + " dev " + t.tunIf);
  if (std::string err = ipBatch(t.router, commands); !err.empty()) return err;
  return sysctl(t.router, "net.ipv6.conf.all.forwarding", "1");
}

}  // namespace meshfwd::bench
