#include "userspace/ra_message.h"

#include <algorithm>
#include <stdexcept>

namespace meshfwd::ra {

namespace {

constexpr uint8_t kTypeRouterSolicit = 133;
constexpr uint8_t kTypeRouterAdvert = 134;
constexpr uint8_t kOptSourceLinkLayer = 1;
constexpr uint8_t kOptPrefixInfo = 3;
constexpr uint8_t kOptMtu = 5;
constexpr uint8_t kOptRouteInfo = 24;
constexpr uint8_t kOptRdnss = 25;
constexpr uint8_t kOptDnssl = 31;

void put8(Bytes& b, uint8_t v) { b.push_back(v); }
void put16(Bytes& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
void put32(Bytes& b, uint32_t v) {
  put16(b, static_cast<uint16_t>(v >> 16));
  put16(b, static_cast<uint16_t>(v));
}
void putAddr(Bytes& b, const Ipv6Addr& a) { b.insert(b.end(), a.bytes.begin(), a.bytes.end()); }

void addSourceLinkLayer(Bytes& b, const MacAddr& mac) {
  put8(b, kOptSourceLinkLayer);
  put8(b, 1);
  b.insert(b.end(), mac.begin(), mac.end());
}

void addMtu(Bytes& b, uint32_t mtu) {
  put8(b, kOptMtu);
  put8(b, 1);
  put16(b, 0);
  put32(b, mtu);
}

void addPrefixInfo(Bytes& b, const PrefixInfo& p) {
  put8(b, kOptPrefixInfo);
  put8(b, 4);
  put8(b, p.prefix.length);
  put8(b, static_cast<uint8_t>((p.onLink ? 0x80 : 0) | (p.autonomous ? 0x40 : 0) | (p.routerAddress ? 0x20 : 0)));
  put32(b, p.validLifetime);
  put32(b, p.preferredLifetime);
  put32(b, 0);  // reserved2
  putAddr(b, p.prefix.addr);
}

// RFC 4191 2.3: length 1 for ::/0, 2 up to /64, 3 beyond; the prefix field
// carries only as many bytes as the length allows.
void addRouteInfo(Bytes& b, const RouteInfo& r) {
  uint8_t minimal = r.prefix.length == 0 ? 1 : r.prefix.length <= 64 ? 2 : 3;
  uint8_t units = r.forcedLength ? r.forcedLength : minimal;
  if (units < minimal || units > 3)
    throw std::invalid_argument("route information length " + std::to_string(units) + " cannot carry " +
                                r.prefix.str());
  put8(b, kOptRouteInfo);
  put8(b, units);
  put8(b, r.prefix.length);
  put8(b, static_cast<uint8_t>(static_cast<uint8_t>(r.preference) << 3));
  put32(b, r.lifetime);
  size_t prefixBytes = (units - 1) * 8u;
  b.insert(b.end(), r.prefix.addr.bytes.begin(), r.prefix.addr.bytes.begin() + prefixBytes);
}

void addRdnss(Bytes& b, const DnsServers& d) {
  put8(b, kOptRdnss);
  put8(b, static_cast<uint8_t>(1 + 2 * d.servers.size()));
  put16(b, 0);
  put32(b, d.lifetime);
  for (const auto& s : d.servers) putAddr(b, s);
}

// RFC 8106 5.2: names in DNS wire format (RFC 1035 3.1), zero-padded to a
// multiple of 8 octets.
void addDnssl(Bytes& b, const DnsSearchList& d) {
  Bytes names;
  for (const auto& domain : d.domains) {
    size_t start = 0;
    while (start <= domain.size()) {
      size_t dot = domain.find('.', start);
      if (dot == std::string::npos) dot = domain.size();
      size_t len = dot - start;
      if (len > 63) throw std::invalid_argument("DNS label longer than 63 bytes in '" + domain + "'");
      if (len > 0) {
        names.push_back(static_cast<uint8_t>(len));
        names.insert(names.end(), domain.begin() + static_cast<long>(start), domain.begin() + static_cast<long>(dot));
      }
      start = dot + 1;
    }
    names.push_back(0);
  }
  size_t total = 8 + names.size();
  size_t units = (total + 7) / 8;
  names.resize(units * 8 - 8, 0);
  put8(b, kOptDnssl);
  put8(b, static_cast<uint8_t>(units));
  put16(b, 0);
  put32(b, d.lifetime);
  b.insert(b.end(), names.begin(), names.end());
}

uint16_t onesComplementSum(std::span<const uint8_t> data, uint32_t sum) {
  for (size_t i = 0; i + 1 < data.size(); i += 2) sum += (uint32_t(data[i]) << 8) | data[i + 1];
  if (data.size() % 2) sum += uint32_t(data.back()) << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

}  // namespace

Bytes buildRouterAdvert(const AdvertSettings& s) {
  Bytes b;
  put8(b, kTypeRouterAdvert);
  put8(b, 0);   // code
  put16(b, 0);  // checksum: the kernel's, or fillIcmp6Checksum()
  put8(b, s.curHopLimit);
  // The default-router preference bits stay 00: RFC 4191 2.2 requires
  // medium when the router lifetime is 0, which is how the mesh runs.
  put8(b, static_cast<uint8_t>((s.managed ? 0x80 : 0) | (s.otherConfig ? 0x40 : 0)));
  put16(b, s.routerLifetime);
  put32(b, s.reachableTimeMs);
  put32(b, s.retransTimerMs);
  // Option order follows radvd's, so captures of both line up.
  for (const auto& p : s.prefixes) addPrefixInfo(b, p);
  for (const auto& r : s.routes) addRouteInfo(b, r);
  if (s.rdnss && !s.rdnss->servers.empty()) addRdnss(b, *s.rdnss);
  if (s.dnssl && !s.dnssl->domains.empty()) addDnssl(b, *s.dnssl);
  if (s.mtu) addMtu(b, *s.mtu);
  if (s.sourceLinkLayer) addSourceLinkLayer(b, *s.sourceLinkLayer);
  return b;
}

void fillIcmp6Checksum(Bytes& m, const Ipv6Addr& src, const Ipv6Addr& dst) {
  m[2] = m[3] = 0;
  uint32_t sum = 0;
  sum += onesComplementSum(src.bytes, 0);
  sum += onesComplementSum(dst.bytes, 0);
  sum += static_cast<uint32_t>(m.size() >> 16) + static_cast<uint32_t>(m.size() & 0xffff);
  sum += 58;  // next header
  uint16_t folded = onesComplementSum(m, sum);
  uint16_t c = static_cast<uint16_t>(~folded);
  m[2] = static_cast<uint8_t>(c >> 8);
  m[3] = static_cast<uint8_t>(c);
}

Solicitation parseRouterSolicit(std::span<const uint8_t> m, uint8_t hopLimit, const Ipv6Addr& source) {
  Solicitation s;
  if (hopLimit != 255) {
    s.verdict = SolicitVerdict::BadHopLimit;
    return s;
  }
  if (m.size() < 8 || m[0] != kTypeRouterSolicit) {
    s.verdict = SolicitVerdict::TooShort;
    return s;
  }
  if (m[1] != 0) {
    s.verdict = SolicitVerdict::BadCode;
    return s;
  }
  size_t at = 8;
  while (at < m.size()) {
    if (at + 2 > m.size() || m[at + 1] == 0 || at + m[at + 1] * 8u > m.size()) {
      s.verdict = SolicitVerdict::BadOptionLength;
      return s;
    }
    if (m[at] == kOptSourceLinkLayer && m[at + 1] == 1) {
      MacAddr mac;
      std::copy_n(m.begin() + static_cast<long>(at) + 2, 6, mac.begin());
      s.sourceLinkLayer = mac;
    }
    at += m[at + 1] * 8u;
  }
  bool unspecified = source == Ipv6Addr{};
  if (unspecified && s.sourceLinkLayer) s.verdict = SolicitVerdict::UnspecifiedWithSlla;
  return s;
}

const char* solicitVerdictName(SolicitVerdict v) {
  switch (v) {
    case SolicitVerdict::Accept: return "accept";
    case SolicitVerdict::BadHopLimit: return "bad_hop_limit";
    case SolicitVerdict::BadCode: return "bad_code";
    case SolicitVerdict::TooShort: return "too_short";
    case SolicitVerdict::BadOptionLength: return "bad_option_length";
    case SolicitVerdict::UnspecifiedWithSlla: return "unspecified_source_with_slla";
  }
  return "unknown";
}

}  // namespace meshfwd::ra
