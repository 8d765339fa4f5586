// The edge router's rows (issue 4): the LAN XDP program (edge_lan_xdp) and
// the TC fast path on the LAN and the tunnel (edge_lan_ingress,
// edge_tunnel_ingress), for an edge of one site of the same mesh.
#pragma once

#include <string>
#include <vector>

#include "loader/bpf_object.h"
#include "tools/bench/bench_netns.h"
#include "tools/bench/bench_row.h"
#include "tools/bench/site_plan.h"

namespace meshfwd::bench {

class EdgeBench {
 public:
  // Loads the edge object and seeds it as the edge of site kEdgeSite.
  EdgeBench(SitePlan& plan, const BenchNetns& netns, uint32_t packetsPerRow);
  EdgeBench(const EdgeBench&) = delete;  // rows point at object_
  EdgeBench& operator=(const EdgeBench&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  std::vector<BenchRow> rows() const;

 private:
  std::string seedMaps(const SitePlan& plan);
  std::string applyConfig() const;
  void buildPackets(SitePlan& plan, uint32_t n);

  loader::BpfObject object_;
  BenchNetns netns_;
  std::string error_;
  std::vector<Packet> hairpin_, spoofed_, lanToMesh_, tunnelToSite_, tunnelToOtherSite_;
};

}  // namespace meshfwd::bench
