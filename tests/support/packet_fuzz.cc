#include "tests/support/packet_fuzz.h"

#include <algorithm>

namespace meshfwd::test {

namespace {

constexpr size_t kEthernetBytes = 14;
constexpr size_t kRememberedFirstFragments = 48;
constexpr uint32_t kFragmentIdPool = 64;  // few ids, so later fragments often meet their first

void put16(Bytes& b, size_t at, uint16_t v) {
  b[at] = static_cast<uint8_t>(v >> 8);
  b[at + 1] = static_cast<uint8_t>(v);
}

size_t extensionBytes(const std::vector<ExtHeader>& exts) {
  size_t n = 0;
  // The fragment header's body already holds its reserved byte.
  for (const auto& e : exts) n += (e.type == kProtoFragment ? 1 : 2) + e.body.size();
  return n;
}

}  // namespace

PacketFuzzer::PacketFuzzer(uint64_t seed, FuzzSpace space) : rng_(seed), space_(std::move(space)) {}

uint32_t PacketFuzzer::below(uint32_t n) { return static_cast<uint32_t>(rng_() % n); }

bool PacketFuzzer::chance(double p) { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < p; }

In6 PacketFuzzer::address() {
  uint32_t pick = below(100);
  if (pick < 45 && !space_.addresses.empty()) return space_.addresses[below(space_.addresses.size())];
  if (pick < 85 && !space_.hostRanges.empty()) {
    In6 a = space_.hostRanges[below(space_.hostRanges.size())].prefix;
    for (int i = 8; i < 16; ++i) a.b[i] = static_cast<uint8_t>(rng_());
    return a;
  }
  if (pick < 92) return meshAddress();
  In6 a;  // anywhere at all, including the odd classes (multicast, link-local, ::)
  for (auto& byte : a.b) byte = static_cast<uint8_t>(rng_());
  return a;
}

In6 PacketFuzzer::meshAddress() {
  In6 a = space_.meshPrefix;
  for (int i = 6; i < 16; ++i) a.b[i] = static_cast<uint8_t>(rng_());
  if (chance(0.5)) std::fill(a.b.begin() + 8, a.b.end() - 1, 0);
  return a;
}

uint16_t PacketFuzzer::port() {
  const uint16_t lo = space_.portLo, hi = space_.portHi;
  switch (below(10)) {
    case 0: return static_cast<uint16_t>(lo - 1);
    case 1: return lo;
    case 2: return hi;
    case 3: return static_cast<uint16_t>(hi + 1);
    case 4: return static_cast<uint16_t>(lo + 1 + below(hi - lo - 1));
    case 5: return static_cast<uint16_t>(hi - 1);
    case 6: return static_cast<uint16_t>(lo + 1);
    case 7: return std::array<uint16_t, 8>{0, 53, 67, 68, 443, 51820, 65535, 123}[below(8)];
    default: return static_cast<uint16_t>(rng_());
  }
}

uint8_t PacketFuzzer::hopLimit() {
  uint32_t pick = below(100);
  if (pick < 5) return 0;
  if (pick < 15) return 1;
  if (pick < 25) return 2;
  if (pick < 85) return 64;
  return 255;
}

size_t PacketFuzzer::l3Target() {
  size_t edge = space_.l3SizeEdges[below(space_.l3SizeEdges.size())];
  int delta = chance(0.7) ? static_cast<int>(below(3)) - 1 : static_cast<int>(below(17)) - 8;
  return static_cast<size_t>(static_cast<int>(edge) + delta);
}

Mac PacketFuzzer::dstMac() { return space_.dstMacs[below(space_.dstMacs.size())]; }

Bytes PacketFuzzer::next() {
  description_.clear();
  Bytes frame;
  uint32_t kind = below(100);
  if (kind < 4)
    frame = ipv4Frame();
  else if (kind < 6)
    frame = otherFrame();
  else
    frame = ipv6Frame();
  if (chance(0.25)) mutate(frame);
  return frame;
}

Bytes PacketFuzzer::ipv4Frame() {
  description_ = "ipv4 udp";
  std::array<uint8_t, 4> src{}, dst{};
  for (auto& b : src) b = static_cast<uint8_t>(rng_());
  if (!space_.ipv4Addresses.empty() && chance(0.8))
    dst = space_.ipv4Addresses[below(space_.ipv4Addresses.size())];
  else
    for (auto& b : dst) b = static_cast<uint8_t>(rng_());
  Bytes l3 = udp4(src, dst, port(), port(), payloadBytes(below(64)), hopLimit());
  return withEthernet(l3, dstMac(), space_.srcMac, 0x0800);
}

Bytes PacketFuzzer::otherFrame() {
  uint16_t ethertype = std::array<uint16_t, 5>{0x0806, 0x8100, 0x88cc, 0x05dc, 0x86de}[below(5)];
  description_ = "non-ip ethertype " + std::to_string(ethertype);
  return withEthernet(payloadBytes(28 + below(60), static_cast<uint8_t>(rng_())), dstMac(), space_.srcMac,
                      ethertype);
}

std::vector<ExtHeader> PacketFuzzer::extensionChain(Ipv6Header& ip, uint8_t& upperProto,
                                                    bool& laterFragment) {
  std::vector<ExtHeader> exts;
  laterFragment = false;
  // Later fragments of a first fragment sent earlier: the same key, so the
  // program's remembered verdict decides them.
  if (!firstFragments_.empty() && chance(0.08)) {
    const auto& first = firstFragments_[below(firstFragments_.size())];
    ip.src = first.src;
    ip.dst = first.dst;
    upperProto = first.upperProto;
    laterFragment = true;
    exts.push_back(fragmentHeader(static_cast<uint16_t>(1 + below(200)), chance(0.5), first.id));
    description_ += " later-fragment(of remembered first)";
    return exts;
  }
  size_t count = chance(0.6) ? 0 : 1 + below(8);
  for (size_t i = 0; i < count; ++i) {
    switch (below(4)) {
      case 0: exts.push_back(hopByHopHeader(below(20))); break;
      case 1: exts.push_back(routingHeader(2 + below(20))); break;
      case 2: exts.push_back(destOptsHeader(below(30))); break;
      default: {
        uint32_t id = below(kFragmentIdPool);
        uint32_t shape = below(10);
        if (shape < 5) {
          exts.push_back(fragmentHeader(0, true, id));
          description_ += " first-fragment";
        } else if (shape < 8) {
          exts.push_back(fragmentHeader(static_cast<uint16_t>(1 + below(200)), chance(0.5), id));
          laterFragment = true;
          description_ += " later-fragment";
        } else {
          exts.push_back(fragmentHeader(0, false, id));
          description_ += " atomic-fragment";
        }
      }
    }
  }
  description_ += " exts=" + std::to_string(count);
  return exts;
}

Bytes PacketFuzzer::quotedPacket(const Ipv6Header& outer) {
  // The packet an error quotes. Related means: sent by the error's
  // destination into the /48, to a mesh port or as an echo.
  Ipv6Header inner;
  bool related = chance(0.5);
  inner.src = related || chance(0.3) ? outer.dst : address();
  inner.dst = related || chance(0.5) ? meshAddress() : address();
  inner.hopLimit = static_cast<uint8_t>(1 + below(64));
  Bytes quote;
  switch (below(related ? 3 : 5)) {
    case 0:
    case 1: {
      uint16_t dport = related ? static_cast<uint16_t>(space_.portLo + below(space_.portHi - space_.portLo + 1))
                               : port();
      quote = udp6(inner, port(), dport, below(40));
      break;
    }
    case 2: {
      uint8_t type = related ? static_cast<uint8_t>(128 + below(2)) : static_cast<uint8_t>(rng_());
      quote = icmp6(inner, type, 0, payloadBytes(4 + below(40)));
      break;
    }
    case 3: quote = tcp6(inner, port(), port()); break;
    default: quote = ipv6Packet(inner, {destOptsHeader(6)}, kProtoUdp, udpSegment(inner.src, inner.dst, 1, port(), {}));
  }
  description_ += related ? " quote=related" : " quote=other";
  if (chance(0.2)) {
    quote.resize(below(static_cast<uint32_t>(std::min<size_t>(quote.size(), 56))));
    description_ += "(cut " + std::to_string(quote.size()) + ")";
  }
  return quote;
}

Bytes PacketFuzzer::icmpBody(const Ipv6Header& outer, uint8_t type) {
  Bytes body(4, 0);  // unused / MTU / pointer; identifier + sequence for echoes
  if (type == 2) put16(body, 2, 1280);
  if (type < 128 && chance(0.85)) {
    Bytes quote = quotedPacket(outer);
    body.insert(body.end(), quote.begin(), quote.end());
  } else {
    Bytes data = payloadBytes(below(48), static_cast<uint8_t>(rng_()));
    body.insert(body.end(), data.begin(), data.end());
  }
  return body;
}

Bytes PacketFuzzer::ipv6Frame() {
  Ipv6Header ip;
  ip.src = address();
  ip.dst = address();
  ip.hopLimit = hopLimit();
  if (chance(0.1)) {
    ip.trafficClass = static_cast<uint8_t>(rng_());
    ip.flowLabel = static_cast<uint32_t>(rng_()) & 0xfffff;
  }
  uint8_t upper = 0;
  uint32_t pick = below(100);
  if (pick < 40)
    upper = kProtoUdp;
  else if (pick < 75)
    upper = kProtoIcmp6;
  else if (pick < 87)
    upper = kProtoTcp;
  else
    upper = std::array<uint8_t, 8>{kProtoNoNext, kProtoVrrp, 4, 41, 50, 51, 135, 253}[below(8)];

  bool laterFragment = false;
  std::vector<ExtHeader> exts = extensionChain(ip, upper, laterFragment);

  size_t sized = chance(0.3) ? l3Target() : 0;
  size_t fixed = 40 + extensionBytes(exts) + 8;
  size_t fill = sized > fixed ? sized - fixed : below(64);

  Bytes l4;
  if (laterFragment) {
    l4 = payloadBytes(sized > fixed - 8 ? sized - (fixed - 8) : 8 + below(64), static_cast<uint8_t>(rng_()));
  } else if (upper == kProtoUdp) {
    uint16_t dport = port();
    description_ = "udp dport=" + std::to_string(dport) + description_;
    l4 = udpSegment(ip.src, ip.dst, port(), dport, payloadBytes(fill));
  } else if (upper == kProtoTcp) {
    description_ = "tcp" + description_;
    l4 = tcpSegment(ip.src, ip.dst, port(), port());
  } else if (upper == kProtoIcmp6) {
    uint8_t type = static_cast<uint8_t>(rng_());
    description_ = "icmp6 type=" + std::to_string(type) + description_;
    Bytes body = icmpBody(ip, type);
    if (sized && 40 + extensionBytes(exts) + 4 + body.size() < sized)
      body.resize(sized - 40 - extensionBytes(exts) - 4, 0xa5);
    l4 = icmp6Message(ip.src, ip.dst, type, static_cast<uint8_t>(chance(0.8) ? below(5) : rng_()), body);
  } else {
    description_ = "proto=" + std::to_string(upper) + description_;
    l4 = payloadBytes(fill, static_cast<uint8_t>(rng_()));
  }
  description_ += " " + ip.src.str() + " -> " + ip.dst.str() + " hl=" + std::to_string(ip.hopLimit);

  for (const auto& e : exts) {
    if (e.type != kProtoFragment || laterFragment) continue;
    uint16_t offsetAndFlags = static_cast<uint16_t>((e.body[1] << 8) | e.body[2]);
    if (offsetAndFlags == 1) {  // offset 0, more fragments: a first fragment
      uint32_t id = (uint32_t(e.body[3]) << 24) | (uint32_t(e.body[4]) << 16) | (uint32_t(e.body[5]) << 8) | e.body[6];
      firstFragments_.push_back({ip.src, ip.dst, id, upper});
      if (firstFragments_.size() > kRememberedFirstFragments) firstFragments_.pop_front();
    }
  }
  return withEthernet(ipv6Packet(ip, exts, upper, l4), dstMac(), space_.srcMac);
}

void PacketFuzzer::mutate(Bytes& frame) {
  size_t mutations = 1 + below(2);
  for (size_t i = 0; i < mutations && frame.size() > kEthernetBytes; ++i) {
    uint32_t what = below(100);
    if (what < 35) {
      // Truncation, mostly inside the headers where every boundary matters.
      size_t span = frame.size() - kEthernetBytes;
      size_t keep = chance(0.7) ? std::min<size_t>(span, below(std::min<uint32_t>(static_cast<uint32_t>(span), 140)))
                                : below(static_cast<uint32_t>(span));
      frame.resize(kEthernetBytes + keep);
      description_ += " | truncated to " + std::to_string(frame.size());
    } else if (what < 75) {
      size_t at = below(static_cast<uint32_t>(std::min<size_t>(frame.size(), kEthernetBytes + 130)));
      uint8_t flip = static_cast<uint8_t>(1 + below(255));
      frame[at] ^= flip;
      description_ += " | byte " + std::to_string(at) + " ^= " + std::to_string(flip);
    } else if (what < 95) {
      if (frame.size() < kEthernetBytes + 6) continue;
      uint16_t length = static_cast<uint16_t>((frame[kEthernetBytes + 4] << 8) | frame[kEthernetBytes + 5]);
      length = chance(0.5) ? static_cast<uint16_t>(rng_()) : static_cast<uint16_t>(length + below(33) - 16);
      put16(frame, kEthernetBytes + 4, length);
      description_ += " | payload length " + std::to_string(length);
    } else {
      uint16_t ethertype = std::array<uint16_t, 4>{0x0800, 0x86dd, 0x0806, 0x8100}[below(4)];
      put16(frame, 12, ethertype);
      description_ += " | ethertype " + std::to_string(ethertype);
    }
  }
}

}  // namespace meshfwd::test
