#include "tests/support/ringbuf_reader.h"

#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>

namespace meshfwd::test {

RingbufReader::RingbufReader(int mapFd) {
  ring_ = ring_buffer__new(mapFd, &RingbufReader::onRecord, this, nullptr);
  if (!ring_) error_ = std::string("ring_buffer__new: ") + std::strerror(errno);
}

RingbufReader::~RingbufReader() {
  if (ring_) ring_buffer__free(ring_);
}

int RingbufReader::onRecord(void* self, void* data, size_t size) {
  auto* reader = static_cast<RingbufReader*>(self);
  const auto* bytes = static_cast<const uint8_t*>(data);
  reader->records_.emplace_back(bytes, bytes + size);
  return 0;
}

std::vector<std::vector<uint8_t>> RingbufReader::drain() {
  records_.clear();
  if (ring_) ring_buffer__consume(ring_);
  return std::move(records_);
}

}  // namespace meshfwd::test
