#include "tools/bench/forward_traffic.h"

#include <dirent.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "tools/bench/netns_run.h"

namespace meshfwd::bench {

namespace {

using test::Bytes;
using test::In6;

constexpr uint16_t kWrongPort = 22;
constexpr size_t kPayload = 64;

Bytes udp(const In6& dst, uint16_t sport, uint16_t dport) {
  In6 src = In6::parse(kGenAddr);
  return test::ipv6Packet({src, dst, 64}, {}, test::kProtoUdp,
                          test::udpSegment(src, dst, sport, dport, test::payloadBytes(kPayload)));
}

In6 outsideMeshHost(SitePlan& plan) {
  In6 a = In6::parse("2001:db8::");
  uint64_t bits = (uint64_t(plan.random32()) << 32) | plan.random32();
  for (int i = 0; i < 8; ++i) a.b[4 + i] = static_cast<uint8_t>(bits >> (8 * i));
  a.b[15] = static_cast<uint8_t>(plan.random32() | 1);
  return a;
}

double threadCpuNs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) * 1e9 + double(ts.tv_nsec);
}

double monotonicNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return double(ts.tv_sec) * 1e9 + double(ts.tv_nsec);
}

// The per-CPU softirq threads: where the kernel defers softirq work it
// could not finish on the sending thread.
std::vector<std::string> ksoftirqdSchedstats() {
  std::vector<std::string> out;
  DIR* proc = opendir("/proc");
  if (!proc) return out;
  while (dirent* e = readdir(proc)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    std::string dir = std::string("/proc/") + e->d_name;
    std::ifstream comm(dir + "/comm");
    std::string name;
    if (std::getline(comm, name) && name.rfind("ksoftirqd/", 0) == 0) out.push_back(dir + "/schedstat");
  }
  closedir(proc);
  return out;
}

// Sum of the first schedstat field (ns on a CPU) over `files`.
double schedstatNs(const std::vector<std::string>& files) {
  double sum = 0;
  for (const std::string& f : files) {
    std::ifstream in(f);
    double ns = 0;
    if (in >> ns) sum += ns;
  }
  return sum;
}

}  // namespace

const char* loadName(Load load) {
  switch (load) {
    case Load::Allowed: return "allowed";
    case Load::FloodWrongPort: return "flood_wrong_port";
    case Load::FloodWrongDest: return "flood_wrong_dest";
    case Load::Mix: return "mix";
  }
  return "?";
}

std::vector<LoadPackets> buildLoads(SitePlan& plan, uint32_t count, const MacAddr& genMac, const MacAddr& routerMac) {
  std::vector<LoadPackets> loads;
  for (Load load : kLoads) {
    LoadPackets lp{load, {}, {}};
    for (uint32_t i = 0; i < count; ++i) {
      Load kind = load;
      if (load == Load::Mix) kind = i % 2 == 0 ? Load::Allowed : i % 4 == 1 ? Load::FloodWrongPort : Load::FloodWrongDest;
      uint16_t sport = plan.randomMeshPort();
      switch (kind) {
        case Load::FloodWrongPort: lp.l3.push_back(udp(plan.randomSiteHost(), sport, kWrongPort)); break;
        case Load::FloodWrongDest: lp.l3.push_back(udp(outsideMeshHost(plan), sport, plan.randomMeshPort())); break;
        default: lp.l3.push_back(udp(plan.randomSiteHost(), sport, plan.randomMeshPort())); break;
      }
      test::Mac dst, src;
      std::copy(routerMac.begin(), routerMac.end(), dst.begin());
      std::copy(genMac.begin(), genMac.end(), src.begin());
      lp.l2.push_back(test::withEthernet(lp.l3.back(), dst, src, 0x86dd));
    }
    loads.push_back(std::move(lp));
  }
  return loads;
}

std::string sendPaced(const std::string& netns, const std::string& ifname, int tunFd,
                      const std::vector<Packet>& packets, const PacedSend& pace, SendWindow& out) {
  if (packets.empty() || pace.packetsPerSecond == 0) return "nothing to send";
  return runInNetns(netns, [&]() -> std::string {
    int fd = tunFd;
    if (tunFd < 0) {
      fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);  // protocol 0: sends only, receives nothing
      if (fd < 0) return std::string("AF_PACKET socket: ") + std::strerror(errno);
      sockaddr_ll addr{};
      addr.sll_family = AF_PACKET;
      addr.sll_ifindex = static_cast<int>(if_nametoindex(ifname.c_str()));
      if (addr.sll_ifindex == 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        std::string err = "binding to " + ifname + ": " + std::strerror(errno);
        close(fd);
        return err;
      }
    }
    if (pace.cpu >= 0) {
      cpu_set_t set;
      CPU_ZERO(&set);
      CPU_SET(pace.cpu, &set);
      pthread_setaffinity_np(pthread_self(), sizeof set, &set);
    }

    // One burst a millisecond: the thread sleeps in between, so its CPU
    // time is the sends and what they set off, not a busy-wait.
    const uint32_t perBurst = std::max(1u, pace.packetsPerSecond / 1000);
    const double interval = 1e9 * perBurst / pace.packetsPerSecond;
    std::vector<iovec> iov(perBurst);
    std::vector<mmsghdr> msgs(perBurst);
    std::vector<std::string> ksoftirqd = ksoftirqdSchedstats();

    size_t next = 0;
    uint64_t sent = 0;
    double k0 = schedstatNs(ksoftirqd), c0 = threadCpuNs(), start = monotonicNs();
    double deadline = start + pace.seconds * 1e9, due = start;
    while (monotonicNs() < deadline) {
      for (uint32_t i = 0; i < perBurst; ++i) {
        const Packet& p = packets[next];
        next = (next + 1) % packets.size();
        if (tunFd >= 0) {
          if (write(fd, p.data(), p.size()) == static_cast<ssize_t>(p.size())) ++sent;
          continue;
        }
        iov[i] = {const_cast<uint8_t*>(p.data()), p.size()};
        msgs[i] = {};
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
      }
      if (tunFd < 0) {
        int n = sendmmsg(fd, msgs.data(), perBurst, 0);
        if (n > 0) sent += static_cast<uint64_t>(n);
      }
      due += interval;
      // Far behind (the machine is shared): skip the missed bursts rather
      // than send them all at once, which would measure a burst, not a rate.
      if (double now = monotonicNs(); due < now - 10e6) due = now;
      timespec ts{static_cast<time_t>(due / 1e9), static_cast<long>(due - std::floor(due / 1e9) * 1e9)};
      clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
    }
    out.senderCpuNs = threadCpuNs() - c0;
    out.seconds = (monotonicNs() - start) / 1e9;
    out.ksoftirqdCpuNs = schedstatNs(ksoftirqd) - k0;
    out.sent = sent;
    if (tunFd < 0) close(fd);
    return std::string();
  });
}

}  // namespace meshfwd::bench
