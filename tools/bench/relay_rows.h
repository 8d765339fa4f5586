// The relay's rows: the routing-tunnel policy's verdict paths
// (relay_tunnel_ingress), the uplink guard's paths (relay_uplink_guard),
// and, for comparison, the per-packet FIB lookup the egress map replaces.
#pragma once

#include <string>
#include <vector>

#include "loader/bpf_object.h"
#include "maps/meshfwd_abi.h"
#include "tools/bench/bench_netns.h"
#include "tools/bench/bench_row.h"
#include "tools/bench/site_plan.h"

namespace meshfwd::bench {

class RelayBench {
 public:
  // Loads the relay object and seeds it as a relay of plan.sites() sites,
  // all routed through the namespace's tunnel. ok() false on failure.
  // `lpmOnly`: leave the exact /64 table empty, so every lookup walks the
  // LPM trie (what the egress cost was before the exact table).
  RelayBench(SitePlan& plan, const BenchNetns& netns, uint32_t packetsPerRow, bool lpmOnly = false);
  RelayBench(const RelayBench&) = delete;  // rows point at object_
  RelayBench& operator=(const RelayBench&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  // `bench` holds the reference programs (bench_fib_tc).
  std::vector<BenchRow> rows(const loader::BpfObject& bench) const;
  // Allowed mesh UDP: what the floors are timed on.
  const std::vector<Packet>& meshUdpPackets() const { return meshUdp_; }

 private:
  enum class GuardLimit { Off, OnUnderLimit, OnOverLimit };
  // Spent: the ICMPv6 error limit is on and every CPU's bucket is empty, so
  // a rejected packet takes the path a flood's packets take after the burst.
  enum class IcmpLimit { Off, Spent };
  std::string seedMaps(const SitePlan& plan, const BenchNetns& netns);
  std::string applyConfig(GuardLimit limit, IcmpLimit icmp = IcmpLimit::Off) const;
  std::string emptyIcmpBuckets() const;
  void buildPackets(SitePlan& plan, uint32_t n);

  loader::BpfObject object_;
  BenchNetns netns_;
  bool lpmOnly_ = false;
  std::string error_;

  std::vector<Packet> meshUdp_, echo_, relatedError_, rejected_, rejectedOutside_, hopLimit1_, tooBig_;
  std::vector<Packet> firstFragments_, laterFragments_, laterFragmentsPrimers_, orphanFragments_;
  std::vector<Packet> toSelf_, ipv4_;
  std::vector<Packet> guardOther4_, guardOther6_, guardInit4_, guardResp4_, guardCookie4_, guardData4_,
      guardData6_, guardBadLength4_, guardInitOneSource_;
};

}  // namespace meshfwd::bench
