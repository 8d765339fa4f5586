#include "tools/bench/loss_probe.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>

#include "tests/support/netns.h"
#include "tests/support/poll_until.h"

namespace meshfwd::lab {

namespace {

using Clock = std::chrono::steady_clock;

sockaddr_in6 socketAddress(const test::In6& addr, uint16_t port) {
  sockaddr_in6 sa{};
  sa.sin6_family = AF_INET6;
  sa.sin6_port = htons(port);
  std::memcpy(&sa.sin6_addr, addr.b.data(), 16);
  return sa;
}

}  // namespace

std::string LossReport::describe() const {
  return std::to_string(sent) + " sent, " + std::to_string(received) + " echoed, longest loss " +
         std::to_string(lostInWindow) + " packets over " + std::to_string(window.count() / 1000.0).substr(0, 7) +
         " ms" + (closed ? "" : " (never recovered)");
}

LossReport lossReport(const std::vector<Clock::time_point>& sendTimes, const std::vector<bool>& answered,
                      std::chrono::microseconds interval) {
  LossReport r;
  r.sent = sendTimes.size();
  std::optional<size_t> lastThrough;
  for (size_t i = 0; i < answered.size(); ++i) {
    if (!answered[i]) continue;
    ++r.received;
    if (lastThrough && i > *lastThrough + 1) {
      auto gap = std::chrono::duration_cast<std::chrono::microseconds>(sendTimes[i] - sendTimes[*lastThrough]) -
                 interval;
      if (gap > r.window) {
        r.window = gap;
        r.lostInWindow = i - *lastThrough - 1;
      }
    }
    lastThrough = i;
  }
  // Lost up to the end: a window that had not closed when the probe stopped.
  if (lastThrough && *lastThrough + 1 < answered.size()) {
    auto open = std::chrono::duration_cast<std::chrono::microseconds>(sendTimes.back() - sendTimes[*lastThrough]);
    if (open >= r.window) {
      r.window = open;
      r.lostInWindow = answered.size() - *lastThrough - 1;
      r.closed = false;
    }
  }
  if (!lastThrough && !answered.empty()) r.closed = false;
  return r;
}

LossProbe::LossProbe(const std::string& netns, const test::In6& src, uint16_t srcPort, const test::In6& dst,
                     uint16_t dstPort, std::chrono::microseconds interval)
    : dst_(dst), dstPort_(dstPort), interval_(interval) {
  test::runInNetns(netns, [&] {
    fd_ = ::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error(std::string("probe socket: ") + std::strerror(errno));
    sockaddr_in6 sa = socketAddress(src, srcPort);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
      int e = errno;
      ::close(fd_);
      fd_ = -1;
      throw std::runtime_error("probe bind [" + src.str() + "]:" + std::to_string(srcPort) + ": " + std::strerror(e));
    }
  });
  sendTimes_.reserve(1 << 16);
  answered_.reserve(1 << 16);
  receiver_ = std::thread([this] { receiveLoop(); });
  sender_ = std::thread([this] { sendLoop(); });
}

LossProbe::~LossProbe() {
  stop(std::chrono::milliseconds(0));
  if (fd_ >= 0) ::close(fd_);
}

void LossProbe::sendLoop() {
  sockaddr_in6 to = socketAddress(dst_, dstPort_);
  auto next = Clock::now();
  for (uint64_t seq = 0; sending_.load(); ++seq) {
    {
      std::lock_guard lock(mutex_);
      sendTimes_.push_back(Clock::now());
      answered_.push_back(false);
    }
    uint8_t payload[16] = {};
    std::memcpy(payload, &seq, sizeof seq);
    // A send error (no route for a moment) is a lost packet like any other.
    (void)::sendto(fd_, payload, sizeof payload, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&to), sizeof to);
    next += interval_;
    std::this_thread::sleep_until(next);
  }
}

void LossProbe::receiveLoop() {
  while (receiving_.load()) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 20) <= 0) continue;
    uint8_t payload[64];
    ssize_t n = ::recv(fd_, payload, sizeof payload, MSG_DONTWAIT);
    if (n < static_cast<ssize_t>(sizeof(uint64_t))) continue;
    uint64_t seq = 0;
    std::memcpy(&seq, payload, sizeof seq);
    std::lock_guard lock(mutex_);
    if (seq < answered_.size() && !answered_[seq]) {
      answered_[seq] = true;
      ++received_;
    }
  }
}

LossReport LossProbe::stop(std::chrono::milliseconds drain) {
  if (stopped_) return report_;
  stopped_ = true;
  sending_ = false;
  if (sender_.joinable()) sender_.join();
  // Echoes still in flight: until every packet is answered or `drain` ends.
  test::pollUntil([&] { return received_.load() == sendTimes_.size(); }, drain);
  receiving_ = false;
  if (receiver_.joinable()) receiver_.join();
  std::lock_guard lock(mutex_);
  report_ = lossReport(sendTimes_, answered_, interval_);
  return report_;
}

}  // namespace meshfwd::lab
