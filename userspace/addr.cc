#include "userspace/addr.h"

#include <arpa/inet.h>

#include <charconv>

namespace meshfwd {

std::optional<Ipv6Addr> Ipv6Addr::parse(std::string_view text) {
  std::string s(text);
  Ipv6Addr a;
  if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) != 1) return std::nullopt;
  return a;
}

std::string Ipv6Addr::str() const {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
  return buf;
}

std::optional<Ipv6Prefix> Ipv6Prefix::parse(std::string_view text, std::string* error) {
  auto fail = [&](std::string why) -> std::optional<Ipv6Prefix> {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return fail("'" + std::string(text) + "' has no prefix length");
  auto addr = Ipv6Addr::parse(text.substr(0, slash));
  if (!addr) return fail("'" + std::string(text.substr(0, slash)) + "' is not an IPv6 address");
  auto lenText = text.substr(slash + 1);
  unsigned len = 0;
  auto [end, ec] = std::from_chars(lenText.data(), lenText.data() + lenText.size(), len);
  if (ec != std::errc() || end != lenText.data() + lenText.size() || len > 128)
    return fail("'" + std::string(lenText) + "' is not a prefix length (0-128)");
  Ipv6Prefix p{*addr, static_cast<uint8_t>(len)};
  for (unsigned bit = len; bit < 128; ++bit) {
    if (p.addr.bytes[bit / 8] & (0x80 >> (bit % 8)))
      return fail("'" + std::string(text) + "' has host bits set (did you mean " +
                  [&] {
                    Ipv6Prefix q = p;
                    for (unsigned b = len; b < 128; ++b) q.addr.bytes[b / 8] &= ~(0x80 >> (b % 8));
                    return q.str();
                  }() +
                  "?)");
  }
  return p;
}

std::string Ipv6Prefix::str() const { return addr.str() + "/" + std::to_string(length); }

bool Ipv6Prefix::contains(const Ipv6Addr& a) const {
  for (unsigned bit = 0; bit < length; ++bit) {
    uint8_t mask = 0x80 >> (bit % 8);
    if ((a.bytes[bit / 8] & mask) != (addr.bytes[bit / 8] & mask)) return false;
  }
  return true;
}

}  // namespace meshfwd
