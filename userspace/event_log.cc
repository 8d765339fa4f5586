#include "userspace/event_log.h"

#include <arpa/inet.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <utility>

#include "userspace/addr.h"
#include "userspace/reasons.h"

namespace meshfwd {

namespace {

std::string addr(const uint8_t (&bytes)[16]) {
  Ipv6Addr a;
  std::memcpy(a.bytes.data(), bytes, 16);
  return a.str();
}

std::string isoTime(int64_t ns) {
  time_t secs = static_cast<time_t>(ns / 1000000000);
  int millis = static_cast<int>((ns / 1000000) % 1000);
  struct tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", millis);
  return buf;
}

}  // namespace

std::string formatEvent(const mf_event& e, int64_t realtimeMinusMonotonicNs, const std::string& ifname) {
  std::string out = isoTime(static_cast<int64_t>(e.ts_ns) + realtimeMinusMonotonicNs) + ' ';
  auto reason = reasonById(e.reason);
  out += reason ? std::string(reason->name) : "reason_" + std::to_string(e.reason);
  out += ' ' + (ifname.empty() ? "ifindex " + std::to_string(e.ifindex) : ifname);
  out += ' ' + addr(e.saddr) + " -> " + addr(e.daddr);
  uint16_t sport = ntohs(e.sport), dport = ntohs(e.dport);
  switch (e.l4proto) {
    case 17:
      out += " udp " + std::to_string(sport) + " -> " + std::to_string(dport);
      break;
    case 6:
      out += " tcp " + std::to_string(sport) + " -> " + std::to_string(dport);
      break;
    case 58:
      // The datapath packs ICMPv6 type << 8 | code into sport.
      out += " icmpv6 type " + std::to_string(sport >> 8) + " code " + std::to_string(sport & 0xff);
      break;
    default:
      out += " proto " + std::to_string(e.l4proto);
  }
  out += " len " + std::to_string(e.len);
  return out;
}

bool LineRateLimiter::allow(uint64_t nowNs) {
  if (!started_) {
    started_ = true;
    lastNs_ = nowNs;
  }
  if (nowNs > lastNs_) {
    tokens_ = std::min(burst_, tokens_ + rate_ * static_cast<double>(nowNs - lastNs_) / 1e9);
    lastNs_ = nowNs;
  }
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    return true;
  }
  ++suppressed_;
  return false;
}

uint64_t LineRateLimiter::takeSuppressed() { return std::exchange(suppressed_, 0); }

namespace {

struct ReadContext {
  const std::function<bool(const mf_event&)>* onEvent;
  bool stop = false;
};

int onSample(void* ctx, void* data, size_t size) {
  auto* c = static_cast<ReadContext*>(ctx);
  if (size < sizeof(mf_event)) return 0;  // not ours to interpret
  mf_event e;
  std::memcpy(&e, data, sizeof e);
  if (!(*c->onEvent)(e)) {
    c->stop = true;
    return 1;  // a positive return stops ring_buffer__poll's loop
  }
  return 0;
}

}  // namespace

std::string readEvents(int ringFd, const std::function<bool(const mf_event&)>& onEvent,
                       const std::function<bool()>& keepGoing) {
  ReadContext ctx{&onEvent};
  ring_buffer* rb = ring_buffer__new(ringFd, onSample, &ctx, nullptr);
  if (!rb) return std::string("opening mf_events failed: ") + std::strerror(errno);
  std::string error;
  while (!ctx.stop && keepGoing()) {
    int n = ring_buffer__poll(rb, 200 /* ms: how soon keepGoing is asked again */);
    if (n < 0 && n != -EINTR) {
      error = std::string("reading mf_events failed: ") + std::strerror(-n);
      break;
    }
  }
  ring_buffer__free(rb);
  return error;
}

int64_t realtimeMinusMonotonicNs() {
  timespec rt{}, mono{};
  clock_gettime(CLOCK_REALTIME, &rt);
  clock_gettime(CLOCK_MONOTONIC, &mono);
  return (static_cast<int64_t>(rt.tv_sec) - mono.tv_sec) * 1000000000 + (rt.tv_nsec - mono.tv_nsec);
}

}  // namespace meshfwd
