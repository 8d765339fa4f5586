#include "userspace/vrrp_packet.h"

#include <algorithm>

namespace meshfwd::vrrp {

namespace {

constexpr size_t kHeaderBytes = 8;

uint16_t pseudoHeaderChecksum(std::span<const uint8_t> msg, const Ipv6Addr& src, const Ipv6Addr& dst) {
  uint64_t sum = 0;
  auto add = [&sum](std::span<const uint8_t> d) {
    for (size_t i = 0; i + 1 < d.size(); i += 2) sum += (uint32_t(d[i]) << 8) | d[i + 1];
    if (d.size() % 2) sum += uint32_t(d.back()) << 8;
  };
  add(src.bytes);
  add(dst.bytes);
  sum += msg.size();
  sum += kProtoVrrp;
  add(msg);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum & 0xffff);
}

}  // namespace

Bytes buildAdvert(const Advert& a, const Ipv6Addr& source) {
  Bytes m;
  m.push_back(static_cast<uint8_t>((kVersion << 4) | kTypeAdvertisement));
  m.push_back(a.vrid);
  m.push_back(a.priority);
  m.push_back(static_cast<uint8_t>(a.addresses.size()));
  uint16_t interval = a.intervalCs & 0x0fff;  // upper 4 bits reserved
  m.push_back(static_cast<uint8_t>(interval >> 8));
  m.push_back(static_cast<uint8_t>(interval));
  m.push_back(0);
  m.push_back(0);
  for (const auto& addr : a.addresses) m.insert(m.end(), addr.bytes.begin(), addr.bytes.end());
  uint16_t c = pseudoHeaderChecksum(m, source, kVrrpGroup);
  m[6] = static_cast<uint8_t>(c >> 8);
  m[7] = static_cast<uint8_t>(c);
  return m;
}

Received parseAdvert(std::span<const uint8_t> m, uint8_t hopLimit, const Ipv6Addr& source,
                     const Ipv6Addr& destination, uint8_t expectedVrid) {
  Received r;
  auto discard = [&r](Discard d) {
    r.discard = d;
    return r;
  };
  // 7.1: a router forwarded this, or it came from off-link.
  if (hopLimit != 255) return discard(Discard::BadHopLimit);
  if (m.size() < kHeaderBytes) return discard(Discard::LengthMismatch);
  if ((m[0] >> 4) != kVersion) return discard(Discard::BadVersion);
  if ((m[0] & 0x0f) != kTypeAdvertisement) return discard(Discard::BadType);
  if (pseudoHeaderChecksum(m, source, destination) != 0) return discard(Discard::BadChecksum);
  if (m[1] != expectedVrid) return discard(Discard::UnknownVrid);
  uint8_t count = m[3];
  if (count == 0) return discard(Discard::NoAddresses);
  if (m.size() != kHeaderBytes + count * 16u) return discard(Discard::LengthMismatch);
  r.advert.vrid = m[1];
  r.advert.priority = m[2];
  r.advert.intervalCs = static_cast<uint16_t>(((m[4] & 0x0f) << 8) | m[5]);
  for (size_t i = 0; i < count; ++i) {
    Ipv6Addr a;
    std::copy_n(m.begin() + static_cast<long>(kHeaderBytes + i * 16), 16, a.bytes.begin());
    r.advert.addresses.push_back(a);
  }
  return r;
}

const char* discardName(Discard d) {
  switch (d) {
    case Discard::None: return "none";
    case Discard::BadHopLimit: return "bad_hop_limit";
    case Discard::BadVersion: return "bad_version";
    case Discard::BadType: return "bad_type";
    case Discard::BadChecksum: return "bad_checksum";
    case Discard::UnknownVrid: return "unknown_vrid";
    case Discard::NoAddresses: return "no_addresses";
    case Discard::LengthMismatch: return "length_mismatch";
    case Discard::kCount: break;
  }
  return "unknown";
}

}  // namespace meshfwd::vrrp
