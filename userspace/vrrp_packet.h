// VRRPv3 advertisements for IPv6 (RFC 5798 5.1, 5.2; RFC 9568): build and
// validate. Pure functions over bytes.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "userspace/addr.h"

namespace meshfwd::vrrp {

using Bytes = std::vector<uint8_t>;

inline constexpr uint8_t kProtoVrrp = 112;
inline constexpr uint8_t kVersion = 3;
inline constexpr uint8_t kTypeAdvertisement = 1;
inline const Ipv6Addr kVrrpGroup = *Ipv6Addr::parse("ff02::12");

struct Advert {
  uint8_t vrid = 0;
  uint8_t priority = 0;
  uint16_t intervalCs = 100;     // Max Adver Int, centiseconds, 12 bits
  std::vector<Ipv6Addr> addresses;  // first: the link-local VIP
};

// The VRRP message (after the IPv6 header), checksum over the IPv6
// pseudo-header of `source` -> ff02::12.
Bytes buildAdvert(const Advert& advert, const Ipv6Addr& source);

// Why a received advertisement is discarded (RFC 5798 7.1). Each has its
// own counter.
enum class Discard {
  None,
  BadHopLimit,      // IPv6 hop limit != 255
  BadVersion,       // version != 3
  BadType,          // type != ADVERTISEMENT
  BadChecksum,
  UnknownVrid,      // not one of ours
  NoAddresses,      // Count IPvX Addr == 0
  LengthMismatch,   // length does not hold exactly the addresses counted
  kCount
};
const char* discardName(Discard d);

struct Received {
  Discard discard = Discard::None;
  Advert advert;
};

// `message` is the IPv6 payload with next header 112.
Received parseAdvert(std::span<const uint8_t> message, uint8_t hopLimit, const Ipv6Addr& source,
                     const Ipv6Addr& destination, uint8_t expectedVrid);

}  // namespace meshfwd::vrrp
