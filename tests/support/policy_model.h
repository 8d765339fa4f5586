// The relay's forwarding policy as an independent C++ reference model,
// written from docs/datapath-spec.md ("Relay"), DESIGN.md 2/2a and issue 3,
// never from bpf/. Given the bytes BPF_PROG_TEST_RUN hands the TC program
// and a plain description of the maps, it says what the program must do:
// verdict, counted reason, and the exact bytes it must leave behind. The
// differential test holds the BPF program to it packet by packet.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <vector>

#include "maps/meshfwd_abi.h"
#include "tests/support/packet.h"

namespace meshfwd::test {

// TC verdicts (linux/pkt_cls.h), spelled out so the model needs no kernel header.
inline constexpr int kTcActOk = 0;
inline constexpr int kTcActShot = 2;
inline constexpr int kTcActRedirect = 7;

using Addr16 = std::array<uint8_t, 16>;

struct EgressRoute {
  In6 prefix;
  uint32_t prefixLen = 0;
  mf_egress value{};
};

// What the relay's maps hold, as the model reads them. The ICMP token bucket
// is not modelled: the differential run configures icmp_rate 0 (unlimited).
struct RelayMaps {
  mf_config config{};                    // live only with abi_version == MF_ABI_VERSION
  std::vector<EgressRoute> egress;       // mf_egress (LPM)
  std::map<uint32_t, mf_tunnel> tunnels; // mf_tunnels
  std::set<Addr16> localAddrs;           // mf_local_addrs
};

// The first-fragment verdicts the relay remembers (mf_frags), keyed the same
// way: (saddr, daddr, identification in network order).
class FragmentMemory {
 public:
  struct Key {
    Addr16 saddr;
    Addr16 daddr;
    uint32_t id;
    auto operator<=>(const Key&) const = default;
  };
  std::optional<mf_frag_verdict> recall(const Key& key) const;
  void remember(const Key& key, mf_frag_verdict verdict);
  void forget() { verdicts_.clear(); }
  std::vector<Key> keys() const;
  size_t size() const { return verdicts_.size(); }

 private:
  std::map<Key, mf_frag_verdict> verdicts_;
};

// An ICMPv6 error the program must generate.
struct ExpectedError {
  uint8_t type = 0;
  uint8_t code = 0;
  uint32_t param = 0;  // the MTU for packet too big, else 0
  In6 src;             // config icmp_src
  In6 dst;             // the offending packet's source
};

struct ModelVerdict {
  int action = kTcActOk;            // TC_ACT_* (edge XDP: XDP_*)
  uint32_t reason = 0;              // enum mf_reason
  std::optional<ExpectedError> error;
  // The frame the program must leave: forwarded (hop limit - 1) or the
  // generated error. Empty for drops; the unchanged input for passes.
  Bytes output;
  uint32_t egressIfindex = 0;       // forwards: where bpf_redirect sends it
  std::optional<uint32_t> siteId;   // forwards: the mf_site_counters row
};

// One IPv6 packet's headers as the spec's step 4 walks them.
struct WalkedIpv6 {
  std::span<const uint8_t> l3;      // from the IPv6 header to the end of the frame
  Addr16 src{};
  Addr16 dst{};
  uint8_t hopLimit = 0;
  uint8_t upperProto = 0;           // next header after the walk
  size_t upperOffset = 0;           // offset of the upper-layer header in l3
  bool fragmented = false;          // a fragment header with offset > 0 or M = 1
  bool firstFragment = false;       // offset 0, M = 1
  bool laterFragment = false;       // offset > 0: the bytes after it are data
  uint32_t fragmentId = 0;          // network order
  // Set when the walk itself decides: drop_exthdr_chain or drop_truncated.
  std::optional<uint32_t> walkDrop;

  bool upperVisible() const { return !laterFragment; }
  bool isIcmpError() const;  // upper layer ICMPv6 visible with type < 128
  FragmentMemory::Key fragmentKey() const { return {src, dst, fragmentId}; }
};

// Walks HBH/routing/destination-options/fragment headers (at most
// MF_EXTHDR_MAX) and checks the first 8 upper-layer bytes. `l3` must hold
// at least the 40-byte IPv6 header. `dropReasonChain`/`dropReasonTruncated`
// are the program's own reason codes for the two outcomes.
WalkedIpv6 walkIpv6(std::span<const uint8_t> l3, uint32_t dropReasonChain, uint32_t dropReasonTruncated);

// Address classes every role uses.
bool isMulticast(const Addr16& a);
bool isLinkLocal(const Addr16& a);
bool inPrefix(const Addr16& a, const uint8_t (&prefix)[16], unsigned prefixLen);

// The error packet the spec's step 9 prescribes: Ethernet addresses swapped
// when l2len is 14, IPv6 from `src` to the offender's source, hop limit 64,
// the offender from its IPv6 header cut so the error is at most 1280 bytes.
Bytes buildIcmp6Error(std::span<const uint8_t> frame, size_t l2len, const In6& src, uint8_t type,
                      uint8_t code, uint32_t param);

class RelayPolicyModel {
 public:
  explicit RelayPolicyModel(RelayMaps maps) : maps_(std::move(maps)) {}

  // Decides one frame and updates the remembered fragment verdicts, as the
  // program does; call it in the same order the program sees the packets.
  ModelVerdict decide(std::span<const uint8_t> frame);

  const RelayMaps& maps() const { return maps_; }
  FragmentMemory& fragments() { return fragments_; }

 private:
  struct Egress {
    uint32_t ifindex;
    uint32_t mtu;
    uint32_t siteId;
  };
  std::optional<Egress> egressFor(const Addr16& dst) const;
  bool isRelated(const WalkedIpv6& pkt) const;
  ModelVerdict generateError(std::span<const uint8_t> frame, uint8_t type, uint8_t code, uint32_t param,
                             uint32_t reason) const;

  RelayMaps maps_;
  FragmentMemory fragments_;
};

}  // namespace meshfwd::test
