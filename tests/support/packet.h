// Packet fixtures for the datapath tests: build IPv6/IPv4 packets byte by
// byte, with lengths, next-header chains and checksums filled in. Written
// from the RFCs, independently of bpf/.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace meshfwd::test {

using Bytes = std::vector<uint8_t>;
using Mac = std::array<uint8_t, 6>;

struct In6 {
  std::array<uint8_t, 16> b{};
  static In6 parse(const std::string& text);  // throws std::invalid_argument
  std::string str() const;
  bool operator==(const In6&) const = default;
};

inline constexpr uint8_t kProtoHopByHop = 0;
inline constexpr uint8_t kProtoTcp = 6;
inline constexpr uint8_t kProtoUdp = 17;
inline constexpr uint8_t kProtoRouting = 43;
inline constexpr uint8_t kProtoFragment = 44;
inline constexpr uint8_t kProtoIcmp6 = 58;
inline constexpr uint8_t kProtoNoNext = 59;
inline constexpr uint8_t kProtoDestOpts = 60;
inline constexpr uint8_t kProtoVrrp = 112;

// An IPv6 extension header: its type (the next-header value that announces
// it) and its bytes after the first two (next header, length), which the
// builder fills. Options/fragment bodies are padded to 8-byte units.
struct ExtHeader {
  uint8_t type;
  Bytes body;
};
ExtHeader hopByHopHeader(size_t bodyBytes = 6);      // PadN filled
ExtHeader destOptsHeader(size_t bodyBytes = 6);
ExtHeader routingHeader(size_t bodyBytes = 6);        // type 4 (SRH-like), segments left 0
ExtHeader fragmentHeader(uint16_t offsetUnits, bool more, uint32_t id);

struct Ipv6Header {
  In6 src;
  In6 dst;
  uint8_t hopLimit = 64;
  uint8_t trafficClass = 0;
  uint32_t flowLabel = 0;
};

// IPv6 header + extension headers + the given upper-layer bytes with
// upper-layer protocol `l4proto`. Payload length and next-header chain are
// filled in; the L4 bytes are used as given (build them with the helpers
// below so their checksums are right).
Bytes ipv6Packet(const Ipv6Header& ip, const std::vector<ExtHeader>& exts, uint8_t l4proto,
                 const Bytes& l4);

// Upper-layer segments with the RFC 8200 8.1 checksum over the pseudo-header.
Bytes udpSegment(const In6& src, const In6& dst, uint16_t sport, uint16_t dport, const Bytes& payload);
Bytes tcpSegment(const In6& src, const In6& dst, uint16_t sport, uint16_t dport, uint8_t flags = 0x02);
Bytes icmp6Message(const In6& src, const In6& dst, uint8_t type, uint8_t code, const Bytes& body);

// Convenience: whole IPv6 packets with no extension headers.
Bytes udp6(const Ipv6Header& ip, uint16_t sport, uint16_t dport, size_t payloadBytes = 32);
Bytes tcp6(const Ipv6Header& ip, uint16_t sport, uint16_t dport);
Bytes icmp6(const Ipv6Header& ip, uint8_t type, uint8_t code, const Bytes& body = Bytes(8, 0));

// IPv4 UDP packet (for the "IPv4 is dropped" and guard cases).
Bytes udp4(const std::array<uint8_t, 4>& src, const std::array<uint8_t, 4>& dst, uint16_t sport,
           uint16_t dport, const Bytes& payload, uint8_t ttl = 64);

// Prepend an Ethernet header (BPF_PROG_TEST_RUN treats TC input as Ethernet).
Bytes withEthernet(const Bytes& l3, const Mac& dst, const Mac& src, uint16_t ethertype = 0x86dd);

Bytes payloadBytes(size_t n, uint8_t seed = 0);

// RFC 1071 one's-complement sum; pseudo-header variant for IPv6.
uint16_t internetChecksum(std::span<const uint8_t> data, uint32_t initial = 0);
uint16_t ipv6UpperChecksum(const In6& src, const In6& dst, uint8_t proto, std::span<const uint8_t> l4);

std::string hexdump(std::span<const uint8_t> bytes);

}  // namespace meshfwd::test
