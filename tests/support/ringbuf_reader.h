// Drains a BPF ring buffer map from a test: every record the programs
// submitted since the last drain, as raw bytes, in submission order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

struct ring_buffer;

namespace meshfwd::test {

class RingbufReader {
 public:
  explicit RingbufReader(int mapFd);
  ~RingbufReader();
  RingbufReader(const RingbufReader&) = delete;
  RingbufReader& operator=(const RingbufReader&) = delete;

  bool ok() const { return ring_ != nullptr; }
  const std::string& error() const { return error_; }

  // Consumes everything available without waiting.
  std::vector<std::vector<uint8_t>> drain();

 private:
  static int onRecord(void* self, void* data, size_t size);

  ring_buffer* ring_ = nullptr;
  std::vector<std::vector<uint8_t>> records_;
  std::string error_;
};

}  // namespace meshfwd::test
