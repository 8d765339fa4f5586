#include "tools/bench/edge_rows.h"

#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include <cstring>

#include "loader/map_ops.h"
#include "userspace/config.h"
#include "userspace/local_filter.h"
#include "userspace/policy_maps.h"

namespace meshfwd::bench {

namespace {

using test::Bytes;
using test::In6;

constexpr uint32_t kEdgeSite = 1;  // the plan has at least two sites
constexpr test::Mac kRouterMac{0x02, 0, 0, 0, 0, 0x01};
constexpr test::Mac kHostMac{0x02, 0, 0, 0, 0, 0x02};
constexpr uint8_t kForwardHopLimit = 255;  // stays > 1 through every repeat of a forward

Bytes udpFrame(const In6& src, const In6& dst, uint16_t port) {
  test::Ipv6Header ip{src, dst, kForwardHopLimit};
  return test::withEthernet(test::udp6(ip, port, port, 64), kRouterMac, kHostMac);
}

}  // namespace

EdgeBench::EdgeBench(SitePlan& plan, const BenchNetns& netns, uint32_t packetsPerRow)
    : object_(loader::BpfObject::load(loader::ObjectKind::Edge)), netns_(netns) {
  if (!object_.ok()) {
    error_ = object_.error();
    return;
  }
  error_ = seedMaps(plan);
  if (error_.empty()) error_ = applyConfig();
  if (error_.empty()) buildPackets(plan, packetsPerRow);
}

std::string EdgeBench::seedMaps(const SitePlan& plan) {
  // The router's own LAN address is the input path's: ::1 of the site.
  In6 own = plan.sitePrefix(kEdgeSite);
  own.b[15] = 1;
  mf_local_key local{};
  std::memcpy(local.addr, own.b.data(), 16);
  if (int err = loader::updateElem(object_.mapFd("mf_local_addrs"), local, netns_.lanIfindex))
    return std::string("seeding mf_local_addrs failed: ") + std::strerror(-err);
  mf_local_filter filter{};
  localFilterAdd(filter, own.b);
  if (int err = loader::updateElem(object_.mapFd("mf_local_filter"), uint32_t{0}, filter))
    return std::string("seeding mf_local_filter failed: ") + std::strerror(-err);
  mf_tunnel tunnel{netns_.tunnelMtu, kTestRunL2Len, netns_.tunnelIfindex};
  if (int err = loader::updateElem(object_.mapFd("mf_tunnels"), mf_tunnel_slot(netns_.tunnelIfindex), tunnel))
    return std::string("seeding mf_tunnels failed: ") + std::strerror(-err);
  return "";
}

// The product's translation of a default edge config, with the ICMPv6
// error limit off so the reject rows time the error build every time.
std::string EdgeBench::applyConfig() const {
  SitePlan plan(kEdgeSite + 1, 0);
  Config config;
  config.role = Role::Edge;
  config.meshPrefix = *Ipv6Prefix::parse(kMeshPrefix);
  config.sitePrefix = *Ipv6Prefix::parse(plan.sitePrefix(kEdgeSite).str() + "/64");
  config.ports = {kMeshPortLo, kMeshPortHi};
  config.icmpErrors = {0, 0};

  PolicyInputs inputs;
  inputs.tunnelIfindex = netns_.tunnelIfindex;
  inputs.lanIfindex = netns_.lanIfindex;
  inputs.tunnelMtu = netns_.tunnelMtu;
  inputs.tunnelL2Len = kTestRunL2Len;
  inputs.lanL2Len = kTestRunL2Len;
  std::copy(kRouterMac.begin(), kRouterMac.end(), inputs.routerMac.begin());
  In6 own = plan.sitePrefix(kEdgeSite);
  own.b[15] = 1;
  inputs.icmpSource.bytes = own.b;
  inputs.possibleCpus = static_cast<unsigned>(libbpf_num_possible_cpus());

  BpfConfigSlots slots(object_.mapFd("mf_config"), object_.mapFd("mf_active"));
  ApplyResult applied = applyGeneration(slots, buildMfConfig(config, inputs));
  return applied.ok ? "" : applied.error;
}

void EdgeBench::buildPackets(SitePlan& plan, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i) {
    In6 lanHost = plan.randomHostIn(kEdgeSite);
    In6 lanHost2 = plan.randomHostIn(kEdgeSite);
    In6 remote = plan.randomSiteHostExcept(kEdgeSite);
    uint16_t port = plan.randomMeshPort();
    hairpin_.push_back(udpFrame(lanHost, lanHost2, port));                        // E1
    spoofed_.push_back(udpFrame(plan.randomSiteHostExcept(kEdgeSite), remote, port));  // BCP 38
    lanToMesh_.push_back(udpFrame(lanHost, remote, port));                        // E2
    tunnelToSite_.push_back(udpFrame(remote, lanHost, port));                     // E3
    tunnelToOtherSite_.push_back(udpFrame(remote, plan.randomSiteHostExcept(kEdgeSite), port));  // E4
  }
}

std::vector<BenchRow> EdgeBench::rows() const {
  std::vector<BenchRow> rows;
  auto add = [&](std::string group, std::string path, const char* program, Hook hook,
                 const std::vector<Packet>& packets, uint32_t verdict, uint32_t reason, bool rewrites = false) {
    BenchRow r;
    r.group = std::move(group);
    r.path = std::move(path);
    r.object = &object_;
    r.program = program;
    r.hook = hook;
    r.packets = packets;
    r.verdict = verdict;
    r.reason = reason;
    r.rewritesPacket = rewrites;
    r.prepare = [this] { return applyConfig(); };
    rows.push_back(std::move(r));
  };
  add("edge_xdp", "e2_pass_to_tc", "edge_lan_xdp", Hook::Xdp, lanToMesh_, XDP_PASS, MF_E_PASS_TO_TC);
  add("edge_xdp", "e1_reject_hairpin_build", "edge_lan_xdp", Hook::Xdp, hairpin_, XDP_TX, MF_E_REJECT_HAIRPIN,
      true);
  add("edge_xdp", "drop_spoofed_source", "edge_lan_xdp", Hook::Xdp, spoofed_, XDP_DROP, MF_E_DROP_SPOOFED);
  add("edge_tc", "e2_fwd_lan_to_tunnel", "edge_lan_ingress", Hook::Tc, lanToMesh_, TC_ACT_REDIRECT,
      MF_T_FWD_TO_TUNNEL);
  add("edge_tc", "e3_fwd_tunnel_to_lan", "edge_tunnel_ingress", Hook::Tc, tunnelToSite_, TC_ACT_REDIRECT,
      MF_T_FWD_TO_LAN);
  add("edge_tc", "e4_reject_build", "edge_tunnel_ingress", Hook::Tc, tunnelToOtherSite_, TC_ACT_REDIRECT,
      MF_T_REJECT_OTHER, true);
  return rows;
}

}  // namespace meshfwd::bench
