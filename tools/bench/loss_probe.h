// A continuous UDP stream from one namespace to an echo responder in
// another, sequence-numbered at a fixed interval: which packets made the
// round trip tells the loss window of a failover. Sender and receiver run
// on threads of their own with sockets opened in the source namespace.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/packet.h"

namespace meshfwd::lab {

struct LossReport {
  uint64_t sent = 0;
  uint64_t received = 0;
  // The longest run of lost packets between two that made it: from the
  // send time of the last one through before it to the first one through
  // after it, minus one interval (0 when nothing was lost). Packets lost
  // at the very end (none came back after them) count as a window that
  // never closed: `closed` is false.
  std::chrono::microseconds window{0};
  uint64_t lostInWindow = 0;
  bool closed = true;
  std::string describe() const;
};

// Pure: the report for packets sent at `sendTimes` (index = sequence
// number) of which `answered` came back.
LossReport lossReport(const std::vector<std::chrono::steady_clock::time_point>& sendTimes,
                      const std::vector<bool>& answered, std::chrono::microseconds interval);

class LossProbe {
 public:
  // Starts sending from [src]:srcPort in `netns` to [dst]:dstPort every `interval`.
  LossProbe(const std::string& netns, const test::In6& src, uint16_t srcPort, const test::In6& dst, uint16_t dstPort,
            std::chrono::microseconds interval);
  ~LossProbe();
  LossProbe(const LossProbe&) = delete;
  LossProbe& operator=(const LossProbe&) = delete;

  // Echoes received so far.
  uint64_t received() const { return received_.load(); }
  // Stops sending, waits `drain` for late echoes, and reports.
  LossReport stop(std::chrono::milliseconds drain = std::chrono::milliseconds(500));

 private:
  void sendLoop();
  void receiveLoop();

  int fd_ = -1;
  test::In6 dst_;
  uint16_t dstPort_;
  std::chrono::microseconds interval_;
  std::atomic<bool> sending_{true};
  std::atomic<bool> receiving_{true};
  std::atomic<uint64_t> received_{0};
  mutable std::mutex mutex_;
  std::vector<std::chrono::steady_clock::time_point> sendTimes_;
  std::vector<bool> answered_;
  std::thread sender_, receiver_;
  bool stopped_ = false;
  LossReport report_;
};

}  // namespace meshfwd::lab
