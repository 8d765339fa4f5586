#include "tests/support/policy_model.h"

#include <algorithm>
#include <cstring>

namespace meshfwd::test {

namespace {

constexpr uint16_t kEthertypeIpv4 = 0x0800;
constexpr uint16_t kEthertypeIpv6 = 0x86dd;
constexpr size_t kIpv6HeaderBytes = 40;
constexpr size_t kUpperBytesChecked = 8;  // the spec's "first 8 bytes of the upper-layer header"
constexpr size_t kErrorMaxBytes = 1280;   // RFC 4443 2.4(c)

uint16_t read16(std::span<const uint8_t> b, size_t at) { return static_cast<uint16_t>((b[at] << 8) | b[at + 1]); }

bool isWalkedExtension(uint8_t proto) {
  return proto == kProtoHopByHop || proto == kProtoRouting || proto == kProtoDestOpts || proto == kProtoFragment;
}

bool hasCheckedUpperLayer(uint8_t proto) { return proto == kProtoUdp || proto == kProtoTcp || proto == kProtoIcmp6; }

Addr16 addrAt(std::span<const uint8_t> b, size_t at) {
  Addr16 a;
  std::copy_n(b.begin() + static_cast<std::ptrdiff_t>(at), 16, a.begin());
  return a;
}

void put16(Bytes& b, size_t at, uint16_t v) {
  b[at] = static_cast<uint8_t>(v >> 8);
  b[at + 1] = static_cast<uint8_t>(v);
}

void put32(Bytes& b, size_t at, uint32_t v) {
  put16(b, at, static_cast<uint16_t>(v >> 16));
  put16(b, at + 2, static_cast<uint16_t>(v));
}

ModelVerdict verdict(int action, uint32_t reason) {
  ModelVerdict v;
  v.action = action;
  v.reason = reason;
  return v;
}

}  // namespace

std::optional<mf_frag_verdict> FragmentMemory::recall(const Key& key) const {
  auto it = verdicts_.find(key);
  if (it == verdicts_.end()) return std::nullopt;
  return it->second;
}

std::vector<FragmentMemory::Key> FragmentMemory::keys() const {
  std::vector<Key> all;
  for (const auto& [key, verdict] : verdicts_) all.push_back(key);
  return all;
}

void FragmentMemory::remember(const Key& key, mf_frag_verdict verdict) { verdicts_[key] = verdict; }

bool isMulticast(const Addr16& a) { return a[0] == 0xff; }
bool isLinkLocal(const Addr16& a) { return a[0] == 0xfe && (a[1] & 0xc0) == 0x80; }

bool inPrefix(const Addr16& a, const uint8_t (&prefix)[16], unsigned prefixLen) {
  for (unsigned bit = 0; bit < prefixLen; bit += 8) {
    unsigned bits = std::min(8u, prefixLen - bit);
    uint8_t mask = static_cast<uint8_t>(0xff00 >> bits);
    if ((a[bit / 8] & mask) != (prefix[bit / 8] & mask)) return false;
  }
  return true;
}

bool WalkedIpv6::isIcmpError() const {
  return upperVisible() && !walkDrop && upperProto == kProtoIcmp6 && l3[upperOffset] < 128;
}

WalkedIpv6 walkIpv6(std::span<const uint8_t> l3, uint32_t dropReasonChain, uint32_t dropReasonTruncated) {
  WalkedIpv6 w;
  w.l3 = l3;
  w.src = addrAt(l3, 8);
  w.dst = addrAt(l3, 24);
  w.hopLimit = l3[7];
  uint8_t next = l3[6];
  size_t off = kIpv6HeaderBytes;
  unsigned walked = 0;
  // A later fragment's bytes after its fragment header are the datagram's
  // middle, not headers: the walk ends there.
  while (isWalkedExtension(next) && !w.laterFragment) {
    if (walked == MF_EXTHDR_MAX) {
      w.walkDrop = dropReasonChain;
      return w;
    }
    ++walked;
    if (next == kProtoFragment) {
      if (off + 8 > l3.size()) {
        w.walkDrop = dropReasonTruncated;
        return w;
      }
      uint16_t offsetAndFlags = read16(l3, off + 2);
      uint16_t offsetUnits = offsetAndFlags >> 3;
      bool more = offsetAndFlags & 1;
      w.fragmented = offsetUnits > 0 || more;
      w.firstFragment = offsetUnits == 0 && more;
      w.laterFragment = offsetUnits > 0;
      std::memcpy(&w.fragmentId, &l3[off + 4], 4);
      next = l3[off];
      off += 8;
      continue;
    }
    if (off + 2 > l3.size()) {
      w.walkDrop = dropReasonTruncated;
      return w;
    }
    size_t length = (size_t(l3[off + 1]) + 1) * 8;
    if (off + length > l3.size()) {
      w.walkDrop = dropReasonTruncated;
      return w;
    }
    next = l3[off];
    off += length;
  }
  w.upperProto = next;
  w.upperOffset = off;
  if (w.upperVisible() && hasCheckedUpperLayer(next) && off + kUpperBytesChecked > l3.size())
    w.walkDrop = dropReasonTruncated;
  return w;
}

Bytes buildIcmp6Error(std::span<const uint8_t> frame, size_t l2len, const In6& src, uint8_t type, uint8_t code,
                      uint32_t param) {
  auto offender = frame.subspan(l2len);
  size_t quoteBytes = std::min(offender.size(), kErrorMaxBytes - kIpv6HeaderBytes - 8);
  Bytes out(l2len + kIpv6HeaderBytes + 8 + quoteBytes, 0);
  std::copy_n(frame.begin(), l2len, out.begin());
  if (l2len == 14) {
    std::copy_n(frame.begin() + 6, 6, out.begin());      // back to whoever sent it
    std::copy_n(frame.begin(), 6, out.begin() + 6);
  }
  size_t ip = l2len;
  out[ip] = 0x60;  // version 6, traffic class 0, flow label 0
  put16(out, ip + 4, static_cast<uint16_t>(8 + quoteBytes));
  out[ip + 6] = kProtoIcmp6;
  out[ip + 7] = 64;
  std::copy(src.b.begin(), src.b.end(), out.begin() + static_cast<std::ptrdiff_t>(ip + 8));
  std::copy_n(offender.begin() + 8, 16, out.begin() + static_cast<std::ptrdiff_t>(ip + 24));
  size_t icmp = ip + kIpv6HeaderBytes;
  out[icmp] = type;
  out[icmp + 1] = code;
  put32(out, icmp + 4, param);
  std::copy_n(offender.begin(), quoteBytes, out.begin() + static_cast<std::ptrdiff_t>(icmp + 8));
  In6 dst;
  std::copy_n(offender.begin() + 8, 16, dst.b.begin());
  put16(out, icmp + 2, ipv6UpperChecksum(src, dst, kProtoIcmp6, std::span(out).subspan(icmp)));
  return out;
}

std::optional<RelayPolicyModel::Egress> RelayPolicyModel::egressFor(const Addr16& dst) const {
  const EgressRoute* best = nullptr;
  for (const auto& route : maps_.egress) {
    uint8_t prefix[16];
    std::memcpy(prefix, route.prefix.b.data(), 16);
    if (!inPrefix(dst, prefix, route.prefixLen)) continue;
    if (!best || route.prefixLen > best->prefixLen) best = &route;
  }
  // The longest match decides; if its interface is no tunnel there is no
  // egress at all (the seed's oifname check), not a fallback to a shorter one.
  if (!best || !maps_.tunnels.contains(best->value.ifindex)) return std::nullopt;
  return Egress{best->value.ifindex, best->value.mtu, best->value.site_id};
}

bool RelayPolicyModel::isRelated(const WalkedIpv6& pkt) const {
  const auto& cfg = maps_.config;
  size_t quoteAt = pkt.upperOffset + 8;
  if (quoteAt + kIpv6HeaderBytes + 8 > pkt.l3.size()) return false;
  auto quote = pkt.l3.subspan(quoteAt);
  if (addrAt(quote, 8) != pkt.dst) return false;
  if (!inPrefix(addrAt(quote, 24), cfg.mesh_prefix, 48)) return false;
  uint8_t quotedProto = quote[6];
  if (quotedProto == kProtoUdp) {
    uint16_t dport = read16(quote, kIpv6HeaderBytes + 2);
    return dport >= cfg.port_lo && dport <= cfg.port_hi;
  }
  if (quotedProto == kProtoIcmp6) {
    uint8_t quotedType = quote[kIpv6HeaderBytes];
    return quotedType == 128 || quotedType == 129;
  }
  return false;
}

ModelVerdict RelayPolicyModel::generateError(std::span<const uint8_t> frame, uint8_t type, uint8_t code,
                                             uint32_t param, uint32_t reason) const {
  const auto& cfg = maps_.config;
  In6 src;
  std::memcpy(src.b.data(), cfg.icmp_src, 16);
  ModelVerdict v = verdict(kTcActRedirect, reason);
  size_t l2 = cfg.l2_len_tunnel;
  v.output = buildIcmp6Error(frame, l2, src, type, code, param);
  ExpectedError e;
  e.type = type;
  e.code = code;
  e.param = param;
  e.src = src;
  std::copy_n(frame.begin() + static_cast<std::ptrdiff_t>(l2 + 8), 16, e.dst.b.begin());
  v.error = e;
  return v;
}

ModelVerdict RelayPolicyModel::decide(std::span<const uint8_t> frame) {
  const auto& cfg = maps_.config;
  // 1. No live config (an L2 length the program cannot frame counts as none).
  if (cfg.abi_version != MF_ABI_VERSION || (cfg.l2_len_tunnel != 0 && cfg.l2_len_tunnel != 14)) {
    ModelVerdict v = verdict(kTcActOk, MF_R_PASS_NO_CONFIG);
    v.output.assign(frame.begin(), frame.end());  // to the stack untouched
    return v;
  }

  // 2. What the frame carries: the ethertype after an L2 header, the IP
  // version nibble without one (what a TUN device sets skb->protocol from).
  size_t l2 = cfg.l2_len_tunnel;
  if (frame.size() < l2 || (l2 == 0 && frame.empty())) return verdict(kTcActShot, MF_R_DROP_NOT_IP);
  uint16_t proto = 0;
  if (l2 >= 2)
    proto = read16(frame, l2 - 2);
  else
    proto = (frame[0] >> 4) == 6 ? kEthertypeIpv6 : (frame[0] >> 4) == 4 ? kEthertypeIpv4 : 0;
  if (proto == kEthertypeIpv4) return verdict(kTcActShot, MF_R_DROP_IPV4);
  if (proto != kEthertypeIpv6) return verdict(kTcActShot, MF_R_DROP_NOT_IP);
  auto l3 = frame.subspan(l2);
  if (l3.size() < kIpv6HeaderBytes) return verdict(kTcActShot, MF_R_DROP_TRUNCATED);
  // A header that says it is not version 6 is "anything else not IPv6",
  // whatever the EtherType claimed.
  if ((l3[0] >> 4) != 6) return verdict(kTcActShot, MF_R_DROP_NOT_IP);

  // 3. The input path's business.
  Addr16 src = addrAt(l3, 8), dst = addrAt(l3, 24);
  if (isMulticast(dst) || isLinkLocal(dst) || isLinkLocal(src) || maps_.localAddrs.contains(dst)) {
    ModelVerdict v = verdict(kTcActOk, MF_R_PASS_LOCAL);
    v.output.assign(frame.begin(), frame.end());
    return v;
  }

  // 4. Extension headers and the first upper-layer bytes.
  WalkedIpv6 pkt = walkIpv6(l3, MF_R_DROP_EXTHDR_CHAIN, MF_R_DROP_TRUNCATED);
  if (pkt.walkDrop) {
    if (*pkt.walkDrop == MF_R_DROP_TRUNCATED && pkt.firstFragment)
      fragments_.remember(pkt.fragmentKey(), MF_FRAG_DROP);
    return verdict(kTcActShot, *pkt.walkDrop);
  }
  bool icmpError = pkt.isIcmpError();

  // 5. Hop limit, before the policy (as the kernel does before its filter).
  if (pkt.hopLimit <= 1) {
    if (icmpError) return verdict(kTcActShot, MF_R_DROP_ICMP_ERROR);
    return generateError(frame, 3, 0, 0, MF_R_TIME_EXCEEDED);
  }

  // 6. Egress and its MTU, also before the policy, but only inside the mesh
  // /48: a destination outside it is never forwarded, so whatever the
  // egress maps hold for it (route sync writes nothing there) gives no
  // packet too big; step 7 decides it alone.
  bool inMesh = inPrefix(pkt.dst, cfg.mesh_prefix, 48);
  auto egress = inMesh ? egressFor(pkt.dst) : std::nullopt;
  if (egress && l3.size() > egress->mtu) {
    if (icmpError) return verdict(kTcActShot, MF_R_DROP_ICMP_ERROR);
    return generateError(frame, 2, 0, egress->mtu, MF_R_PACKET_TOO_BIG);
  }

  auto forward = [&](uint32_t reason) {
    ModelVerdict v = verdict(kTcActRedirect, reason);
    v.output.assign(frame.begin(), frame.end());
    v.output[l2 + 7] = static_cast<uint8_t>(pkt.hopLimit - 1);
    v.egressIfindex = egress ? egress->ifindex : 0;
    if (egress) v.siteId = egress->siteId;
    return v;
  };

  // 7. Policy. A later fragment follows its first fragment.
  if (pkt.laterFragment) {
    auto remembered = fragments_.recall(pkt.fragmentKey());
    if (!remembered) return verdict(kTcActShot, MF_R_DROP_FRAG_NO_FIRST);
    if (*remembered == MF_FRAG_FORWARD && egress) return forward(MF_R_FWD_FRAG);
    if (*remembered == MF_FRAG_FORWARD) return generateError(frame, 1, 3, 0, MF_R_REJECT_NO_EGRESS);
    return verdict(kTcActShot, MF_R_DROP_FRAG_REJECTED);
  }

  enum class Outcome { Forward, Reject, Drop };
  Outcome outcome = Outcome::Reject;
  uint32_t reason = MF_R_REJECT_POLICY;
  if (pkt.upperProto == kProtoIcmp6) {
    uint8_t type = pkt.l3[pkt.upperOffset];
    uint8_t action = inMesh ? MF_ICMP_IN_MESH(cfg.icmp_action[type]) : MF_ICMP_ELSEWHERE(cfg.icmp_action[type]);
    if (action == MF_ICMP_DROP) {
      outcome = Outcome::Drop;
      reason = icmpError ? MF_R_DROP_ICMP_ERROR : MF_R_DROP_ICMP_TYPE;
    } else if (!inMesh) {
      // Outside the /48 anything but DROP is a reject.
    } else if (action == MF_ICMP_FORWARD) {
      outcome = Outcome::Forward;
      reason = MF_R_FWD_ICMP;
    } else if (action == MF_ICMP_FORWARD_IF_RELATED) {
      bool related = isRelated(pkt);
      outcome = related ? Outcome::Forward : Outcome::Drop;
      reason = related ? MF_R_FWD_ICMP_RELATED : MF_R_DROP_ICMP_ERROR;
    }
  } else if (inMesh && pkt.upperProto == kProtoUdp) {
    uint16_t dport = read16(pkt.l3, pkt.upperOffset + 2);
    if (dport >= cfg.port_lo && dport <= cfg.port_hi) {
      outcome = Outcome::Forward;
      reason = MF_R_FWD_MESH_UDP;
    }
  }
  if (outcome == Outcome::Forward && !egress) {
    // No site behind it: rejected, except that an ICMPv6 error is never
    // answered with one (steps 5 and 6 say so; DESIGN 2a and issue 3 say it
    // for every step), so a related error without egress is dropped.
    outcome = icmpError ? Outcome::Drop : Outcome::Reject;
    reason = icmpError ? MF_R_DROP_ICMP_ERROR : MF_R_REJECT_NO_EGRESS;
  }
  if (outcome == Outcome::Reject && icmpError) {
    // A table that says REJECT for an error type still never makes the
    // relay answer an error with an error.
    outcome = Outcome::Drop;
    reason = MF_R_DROP_ICMP_ERROR;
  }
  if (pkt.firstFragment)
    fragments_.remember(pkt.fragmentKey(), outcome == Outcome::Forward ? MF_FRAG_FORWARD : MF_FRAG_DROP);

  switch (outcome) {
    case Outcome::Forward:
      return forward(reason);
    case Outcome::Drop:
      return verdict(kTcActShot, reason);
    case Outcome::Reject:
      break;
  }
  return generateError(frame, 1, 3, 0, reason);
}

}  // namespace meshfwd::test
