// The forwarding comparison's machines (issue 9): a generator, a router and
// a sink namespace joined by veths, and the relay's real shape, one
// namespace whose routing tunnel is a TUN the benchmark writes and reads.
// The router holds one route per site (and one for everything outside the
// mesh) towards the sink, as a relay holds one per peer.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "tools/bench/netns_run.h"
#include "tools/bench/site_plan.h"

namespace meshfwd::bench {

using MacAddr = std::array<uint8_t, 6>;

struct VethLab {
  std::string gen, router, sink;  // namespace names
  std::string genIf, routerIn, routerOut, sinkIf;
  uint32_t genIfindex = 0, routerInIfindex = 0, routerOutIfindex = 0, sinkIfindex = 0;
  MacAddr genMac{}, routerInMac{};
};

struct TunLab {
  std::string router;  // namespace name
  std::string tunIf;
  uint32_t tunIfindex = 0;
  int tunFd = -1;      // the peer's end: written by the generator, read by the sink
};

// The generator's own address (source of every packet, so errors come back
// to it, not to the sink) and the destinations outside the mesh.
inline constexpr const char* kGenAddr = "fd00:b1::2";
inline constexpr const char* kOutsideMeshPrefix = "2001:db8::/32";

// Deletes namespaces a killed run left ("mfb<pid>g" and the like, whose pid
// no longer runs). Their interfaces and hooks go with them.
void sweepStaleForwardLabs();

class ForwardLab {
 public:
  // Namespace names carry `tag` (e.g. the pid), so two runs never meet.
  explicit ForwardLab(std::string tag) : tag_(std::move(tag)) {}
  ForwardLab(const ForwardLab&) = delete;
  ForwardLab& operator=(const ForwardLab&) = delete;
  ~ForwardLab();

  // "" or what failed. Routes: plan.sites() /64s and kOutsideMeshPrefix.
  std::string buildVeth(const SitePlan& plan);
  std::string buildTun(const SitePlan& plan);

  const VethLab& veth() const { return veth_; }
  const TunLab& tun() const { return tun_; }

 private:
  std::string tag_;
  NamedNetns namespaces_;
  VethLab veth_;
  TunLab tun_;
};

}  // namespace meshfwd::bench
