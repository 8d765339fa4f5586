#include "tests/e2e/pcap_reader.h"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace meshfwd::test {

namespace {

constexpr uint32_t kMagicMicros = 0xa1b2c3d4, kMagicNanos = 0xa1b23c4d;
constexpr uint32_t kLinkEthernet = 1, kLinkRaw = 101, kLinkRawAlt = 12, kLinkLinuxSll = 113, kLinkIpv6 = 229;

uint32_t read32(const uint8_t* p, bool swap) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return swap ? __builtin_bswap32(v) : v;
}

}  // namespace

std::vector<PcapPacket> readPcap(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  Bytes file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (file.size() < 24) throw std::runtime_error(path + ": not a pcap file (" + std::to_string(file.size()) + " bytes)");
  uint32_t magic = read32(file.data(), false);
  bool swap = magic == __builtin_bswap32(kMagicMicros) || magic == __builtin_bswap32(kMagicNanos);
  if (!swap && magic != kMagicMicros && magic != kMagicNanos) throw std::runtime_error(path + ": bad pcap magic");
  uint32_t link = read32(file.data() + 20, swap);
  size_t skip = 0;
  if (link == kLinkEthernet) skip = 14;
  else if (link == kLinkLinuxSll) skip = 16;
  else if (link != kLinkRaw && link != kLinkRawAlt && link != kLinkIpv6)
    throw std::runtime_error(path + ": unexpected link type " + std::to_string(link));
  std::vector<PcapPacket> packets;
  for (size_t at = 24; at + 16 <= file.size();) {
    uint32_t captured = read32(file.data() + at + 8, swap);
    at += 16;
    if (at + captured > file.size()) break;  // a record cut short when tcpdump stopped
    if (captured > skip) packets.push_back({Bytes(file.begin() + at + skip, file.begin() + at + captured)});
    at += captured;
  }
  return packets;
}

std::string Ipv6Summary::describe() const {
  return src.str() + " -> " + dst.str() + " next header " + std::to_string(nextHeader) +
         (nextHeader == 17 ? " udp " + std::to_string(srcPort) + " -> " + std::to_string(dstPort) : "");
}

std::optional<Ipv6Summary> parseIpv6Udp(const Bytes& p) {
  if (p.size() < 40 || (p[0] >> 4) != 6) return std::nullopt;
  Ipv6Summary s;
  std::memcpy(s.src.b.data(), &p[8], 16);
  std::memcpy(s.dst.b.data(), &p[24], 16);
  s.nextHeader = p[6];
  if (s.nextHeader == 17 && p.size() >= 48) {
    s.srcPort = static_cast<uint16_t>(p[40] << 8 | p[41]);
    s.dstPort = static_cast<uint16_t>(p[42] << 8 | p[43]);
    s.looksLikeWireguard = p.size() >= 52 && p[48] >= 1 && p[48] <= 4 && p[49] == 0 && p[50] == 0 && p[51] == 0;
  }
  return s;
}

}  // namespace meshfwd::test
