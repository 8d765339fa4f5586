// The edge router's three programs (LAN XDP, LAN TC ingress, tunnel TC
// ingress) as an independent C++ reference model, written from the "Edge"
// section of docs/datapath-spec.md, DESIGN.md 2 (E1-E4) and issue 4, never
// from bpf/. Same shape as the relay model: bytes and a description of the
// maps in, verdict, reason and the exact frame left behind out.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <span>

#include "maps/meshfwd_abi.h"
#include "tests/support/policy_model.h"

namespace meshfwd::test {

// XDP verdicts (linux/bpf.h).
inline constexpr int kXdpDrop = 1;
inline constexpr int kXdpPass = 2;
inline constexpr int kXdpTx = 3;

// What bpf_fib_lookup(AF_INET, ...) answers for an IPv4 destination: the
// one input of the edge's IPv4 path that lives in the kernel, not the maps.
enum class FibAnswer {
  Forwarded,     // SUCCESS, NO_NEIGH, FRAG_NEEDED: the kernel would forward it
  NotForwarded,  // NOT_FWDED: local (or no route at all)
  Other,         // forwarding disabled, blackhole, unreachable, prohibit, errors
};

struct EdgeMaps {
  mf_config config{};                        // live only with abi_version == MF_ABI_VERSION
  std::optional<mf_edge_state> edgeState;    // mf_edge_state[0]; absent: not master
  std::set<Addr16> localAddrs;               // mf_local_addrs
  std::function<FibAnswer(const std::array<uint8_t, 4>& dst)> fib;  // the IPv4 FIB
};

class EdgePolicyModel {
 public:
  explicit EdgePolicyModel(EdgeMaps maps) : maps_(std::move(maps)) {}

  // A frame arriving from the LAN, at XDP (XDP_*) and, when XDP passed it,
  // at TC ingress (TC_ACT_*). Both see the frame as it arrived.
  ModelVerdict lanXdp(std::span<const uint8_t> frame) const;
  ModelVerdict lanIngress(std::span<const uint8_t> frame) const;
  // A packet arriving from the routing tunnel (l2_len_tunnel bytes of L2).
  ModelVerdict tunnelIngress(std::span<const uint8_t> frame) const;

  const EdgeMaps& maps() const { return maps_; }

 private:
  bool configLive() const;
  bool ours(std::span<const uint8_t> frame) const;
  bool isLocal(const WalkedIpv6& pkt) const;
  bool isControl(const WalkedIpv6& pkt) const;
  bool inMesh(const Addr16& a) const;
  bool inSite(const Addr16& a) const;
  bool spoofed(const WalkedIpv6& pkt) const;
  // "error X": the generated ICMPv6 error, or the silent drop when the
  // packet is itself an ICMPv6 error.
  ModelVerdict error(std::span<const uint8_t> frame, size_t l2len, const WalkedIpv6& pkt, uint8_t type,
                     uint8_t code, uint32_t param, int sendAction, uint32_t reason, int dropAction,
                     uint32_t noReplyReason) const;
  ModelVerdict lanIpv4(std::span<const uint8_t> frame) const;

  EdgeMaps maps_;
};

}  // namespace meshfwd::test
