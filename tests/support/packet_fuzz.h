// Random and mutated packets over the space the datapath policy cares
// about, for the differential tests. Mostly well-formed packets whose
// fields sit on the policy's edges (addresses in, near and outside the
// prefixes, ports around the range ends, every ICMPv6 type, extension
// chains, fragments, hop limits, sizes around the MTUs), a fraction of them
// then mutated (truncated, bytes flipped, lengths lied about). Deterministic
// for a given seed, so a failing run can be replayed.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "tests/support/packet.h"

namespace meshfwd::test {

struct HostRange {
  In6 prefix;  // a /64: the generator draws interface identifiers in it
};

struct FuzzSpace {
  std::vector<In6> addresses;       // interesting exact addresses (routers, hosts, boundaries)
  std::vector<HostRange> hostRanges;
  In6 meshPrefix;                   // the /48: quoted flows are drawn in it
  uint16_t portLo = 0;
  uint16_t portHi = 0;
  std::vector<size_t> l3SizeEdges;  // MTUs: packets are sized at and around them
  std::vector<std::array<uint8_t, 4>> ipv4Addresses;  // IPv4 destinations (plus random ones)
  std::vector<Mac> dstMacs;         // Ethernet destinations to draw from
  Mac srcMac{};
};

class PacketFuzzer {
 public:
  PacketFuzzer(uint64_t seed, FuzzSpace space);

  // The next frame: an Ethernet header and what follows it.
  Bytes next();
  // One line saying what the generator meant to build, for failure reports.
  const std::string& lastDescription() const { return description_; }

 private:
  struct FirstFragment {
    In6 src;
    In6 dst;
    uint32_t id;
    uint8_t upperProto;
  };

  uint32_t below(uint32_t n);  // uniform in [0, n)
  bool chance(double p);
  In6 address();
  In6 meshAddress();
  uint16_t port();
  uint8_t hopLimit();
  size_t l3Target();
  Mac dstMac();

  Bytes ipv6Frame();
  Bytes ipv4Frame();
  Bytes otherFrame();
  Bytes icmpBody(const Ipv6Header& outer, uint8_t type);
  Bytes quotedPacket(const Ipv6Header& outer);
  std::vector<ExtHeader> extensionChain(Ipv6Header& ip, uint8_t& upperProto, bool& laterFragment);
  void mutate(Bytes& frame);

  std::mt19937_64 rng_;
  FuzzSpace space_;
  std::deque<FirstFragment> firstFragments_;  // recent first fragments, for their later ones
  std::string description_;
};

}  // namespace meshfwd::test
