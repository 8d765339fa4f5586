// An independent reader of the ICMPv6 errors the datapath generates: it
// re-derives every field and the checksum from the bytes alone, so a bug in
// bpf/ cannot hide behind a shared helper.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "tests/support/packet.h"

namespace meshfwd::test {

struct Icmp6Error {
  In6 src;
  In6 dst;
  uint8_t hopLimit = 0;
  uint8_t type = 0;
  uint8_t code = 0;
  uint32_t param = 0;  // MTU (type 2), pointer (type 4), unused otherwise
  Bytes quote;         // the invoking packet as carried
};

// Parses an IPv6 packet starting `l2len` bytes into `frame` that must be an
// ICMPv6 error message (type < 128). Returns std::nullopt and sets `why` if
// anything is inconsistent: version, payload length vs. frame size, next
// header, checksum, total size above 1280 (RFC 4443 2.4(c)).
std::optional<Icmp6Error> parseIcmp6Error(std::span<const uint8_t> frame, size_t l2len, std::string& why);

}  // namespace meshfwd::test
