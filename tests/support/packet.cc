#include "tests/support/packet.h"

#include <arpa/inet.h>

#include <cstdio>
#include <stdexcept>

namespace meshfwd::test {

namespace {

void put16(Bytes& b, size_t at, uint16_t v) {
  b[at] = static_cast<uint8_t>(v >> 8);
  b[at + 1] = static_cast<uint8_t>(v);
}

void append16(Bytes& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}

void append32(Bytes& b, uint32_t v) {
  append16(b, static_cast<uint16_t>(v >> 16));
  append16(b, static_cast<uint16_t>(v));
}

// Extension header body padded so that 2 + body is a multiple of 8, with
// a PadN option covering the pad (valid for hop-by-hop/destination options).
Bytes paddedOptions(size_t bodyBytes) {
  size_t total = ((2 + bodyBytes + 7) / 8) * 8;
  Bytes body(total - 2, 0);
  if (body.size() == 1) {
    body[0] = 0;  // Pad1
  } else if (!body.empty()) {
    body[0] = 1;  // PadN
    body[1] = static_cast<uint8_t>(body.size() - 2);
  }
  return body;
}

}  // namespace

In6 In6::parse(const std::string& text) {
  In6 a;
  if (inet_pton(AF_INET6, text.c_str(), a.b.data()) != 1)
    throw std::invalid_argument("not an IPv6 address: " + text);
  return a;
}

std::string In6::str() const {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, b.data(), buf, sizeof buf);
  return buf;
}

ExtHeader hopByHopHeader(size_t bodyBytes) { return {kProtoHopByHop, paddedOptions(bodyBytes)}; }
ExtHeader destOptsHeader(size_t bodyBytes) { return {kProtoDestOpts, paddedOptions(bodyBytes)}; }

ExtHeader routingHeader(size_t bodyBytes) {
  size_t total = ((2 + bodyBytes + 7) / 8) * 8;
  Bytes body(total - 2, 0);
  body[0] = 4;  // routing type: segment routing header
  body[1] = 0;  // segments left: nothing for us to do
  return {kProtoRouting, body};
}

ExtHeader fragmentHeader(uint16_t offsetUnits, bool more, uint32_t id) {
  Bytes body;
  body.push_back(0);  // reserved
  // offset is in the upper 13 bits of the next two bytes, M in the lowest
  append16(body, static_cast<uint16_t>((offsetUnits << 3) | (more ? 1 : 0)));
  append32(body, id);
  return {kProtoFragment, body};
}

Bytes ipv6Packet(const Ipv6Header& ip, const std::vector<ExtHeader>& exts, uint8_t l4proto,
                 const Bytes& l4) {
  Bytes payload;
  for (size_t i = 0; i < exts.size(); ++i) {
    const auto& e = exts[i];
    uint8_t next = i + 1 < exts.size() ? exts[i + 1].type : l4proto;
    payload.push_back(next);
    if (e.type == kProtoFragment) {
      payload.insert(payload.end(), e.body.begin(), e.body.end());  // fixed 8 bytes, "length" byte is reserved
      continue;
    }
    size_t units = (2 + e.body.size()) / 8;
    payload.push_back(static_cast<uint8_t>(units - 1));
    payload.insert(payload.end(), e.body.begin(), e.body.end());
  }
  payload.insert(payload.end(), l4.begin(), l4.end());

  Bytes pkt(40 + payload.size(), 0);
  uint32_t vtf = (6u << 28) | (uint32_t(ip.trafficClass) << 20) | (ip.flowLabel & 0xfffff);
  pkt[0] = static_cast<uint8_t>(vtf >> 24);
  pkt[1] = static_cast<uint8_t>(vtf >> 16);
  pkt[2] = static_cast<uint8_t>(vtf >> 8);
  pkt[3] = static_cast<uint8_t>(vtf);
  put16(pkt, 4, static_cast<uint16_t>(payload.size()));
  pkt[6] = exts.empty() ? l4proto : exts.front().type;
  pkt[7] = ip.hopLimit;
  std::copy(ip.src.b.begin(), ip.src.b.end(), pkt.begin() + 8);
  std::copy(ip.dst.b.begin(), ip.dst.b.end(), pkt.begin() + 24);
  std::copy(payload.begin(), payload.end(), pkt.begin() + 40);
  return pkt;
}

uint16_t internetChecksum(std::span<const uint8_t> data, uint32_t initial) {
  uint64_t sum = initial;
  for (size_t i = 0; i + 1 < data.size(); i += 2) sum += (uint32_t(data[i]) << 8) | data[i + 1];
  if (data.size() % 2) sum += uint32_t(data.back()) << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum & 0xffff);
}

uint16_t ipv6UpperChecksum(const In6& src, const In6& dst, uint8_t proto, std::span<const uint8_t> l4) {
  Bytes pseudo;
  pseudo.insert(pseudo.end(), src.b.begin(), src.b.end());
  pseudo.insert(pseudo.end(), dst.b.begin(), dst.b.end());
  append32(pseudo, static_cast<uint32_t>(l4.size()));
  append32(pseudo, proto);
  pseudo.insert(pseudo.end(), l4.begin(), l4.end());
  return internetChecksum(pseudo);
}

Bytes udpSegment(const In6& src, const In6& dst, uint16_t sport, uint16_t dport, const Bytes& payload) {
  Bytes seg;
  append16(seg, sport);
  append16(seg, dport);
  append16(seg, static_cast<uint16_t>(8 + payload.size()));
  append16(seg, 0);
  seg.insert(seg.end(), payload.begin(), payload.end());
  uint16_t c = ipv6UpperChecksum(src, dst, kProtoUdp, seg);
  put16(seg, 6, c == 0 ? 0xffff : c);
  return seg;
}

Bytes tcpSegment(const In6& src, const In6& dst, uint16_t sport, uint16_t dport, uint8_t flags) {
  Bytes seg;
  append16(seg, sport);
  append16(seg, dport);
  append32(seg, 1);       // seq
  append32(seg, 0);       // ack
  seg.push_back(5 << 4);  // data offset 5 words
  seg.push_back(flags);
  append16(seg, 65535);   // window
  append16(seg, 0);       // checksum
  append16(seg, 0);       // urgent
  put16(seg, 16, ipv6UpperChecksum(src, dst, kProtoTcp, seg));
  return seg;
}

Bytes icmp6Message(const In6& src, const In6& dst, uint8_t type, uint8_t code, const Bytes& body) {
  Bytes msg{type, code, 0, 0};
  msg.insert(msg.end(), body.begin(), body.end());
  put16(msg, 2, ipv6UpperChecksum(src, dst, kProtoIcmp6, msg));
  return msg;
}

Bytes payloadBytes(size_t n, uint8_t seed) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(seed + i * 7);
  return b;
}

Bytes udp6(const Ipv6Header& ip, uint16_t sport, uint16_t dport, size_t payloadLen) {
  return ipv6Packet(ip, {}, kProtoUdp, udpSegment(ip.src, ip.dst, sport, dport, payloadBytes(payloadLen)));
}

Bytes tcp6(const Ipv6Header& ip, uint16_t sport, uint16_t dport) {
  return ipv6Packet(ip, {}, kProtoTcp, tcpSegment(ip.src, ip.dst, sport, dport));
}

Bytes icmp6(const Ipv6Header& ip, uint8_t type, uint8_t code, const Bytes& body) {
  return ipv6Packet(ip, {}, kProtoIcmp6, icmp6Message(ip.src, ip.dst, type, code, body));
}

Bytes udp4(const std::array<uint8_t, 4>& src, const std::array<uint8_t, 4>& dst, uint16_t sport,
           uint16_t dport, const Bytes& payload, uint8_t ttl) {
  Bytes pkt(20, 0);
  pkt[0] = 0x45;
  put16(pkt, 2, static_cast<uint16_t>(20 + 8 + payload.size()));
  pkt[8] = ttl;
  pkt[9] = kProtoUdp;
  std::copy(src.begin(), src.end(), pkt.begin() + 12);
  std::copy(dst.begin(), dst.end(), pkt.begin() + 16);
  put16(pkt, 10, internetChecksum(std::span(pkt).first(20)));
  append16(pkt, sport);
  append16(pkt, dport);
  append16(pkt, static_cast<uint16_t>(8 + payload.size()));
  append16(pkt, 0);  // UDP checksum optional over IPv4
  pkt.insert(pkt.end(), payload.begin(), payload.end());
  return pkt;
}

Bytes withEthernet(const Bytes& l3, const Mac& dst, const Mac& src, uint16_t ethertype) {
  Bytes frame(dst.begin(), dst.end());
  frame.insert(frame.end(), src.begin(), src.end());
  append16(frame, ethertype);
  frame.insert(frame.end(), l3.begin(), l3.end());
  return frame;
}

std::string hexdump(std::span<const uint8_t> bytes) {
  std::string out;
  char buf[32];
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i % 16 == 0) {
      std::snprintf(buf, sizeof buf, "%s%04zx:", i ? "\n" : "", i);
      out += buf;
    }
    std::snprintf(buf, sizeof buf, " %02x", bytes[i]);
    out += buf;
  }
  return out;
}

}  // namespace meshfwd::test
