#include "loader/batch_walk.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace meshfwd::loader {

namespace {

constexpr uint32_t kLargestChunk = 1u << 20;
constexpr int kInterruptedRetries = 3;
constexpr int kEmptyCallRetries = 3;

}  // namespace

int walkBatches(const BatchCall& call, const BatchLayout& layout, const void* start, BatchRead& out, size_t limit) {
  out = BatchRead{};
  std::vector<uint8_t> in(layout.positionSize), next(layout.positionSize);
  bool fromStart = start == nullptr;
  if (!fromStart) std::memcpy(in.data(), start, layout.positionSize);
  uint32_t chunk = std::max<uint32_t>(layout.chunk, 1);
  bool grown = false;  // the last call asked for more than `limit` needs, after -ENOSPC
  int interrupted = 0, empty = 0;

  while (out.count < limit) {
    uint32_t ask = grown ? chunk : static_cast<uint32_t>(std::min<size_t>(chunk, limit - out.count));
    out.keys.resize((out.count + ask) * layout.keySize);
    out.values.resize((out.count + ask) * layout.valueSize);
    uint32_t copied = ask;
    int rc = call(fromStart ? nullptr : in.data(), next.data(), out.keys.data() + out.count * layout.keySize,
                  out.values.data() + out.count * layout.valueSize, &copied);
    copied = std::min(copied, ask);  // never trust more than the buffer held
    size_t kept = std::min<size_t>(copied, limit - out.count);
    out.count += kept;
    out.keys.resize(out.count * layout.keySize);
    out.values.resize(out.count * layout.valueSize);
    if (copied > 0) {
      in.swap(next);
      fromStart = false;
      grown = false;
      interrupted = empty = 0;
    }

    if (rc == -ENOENT) return 0;
    if (rc == -ENOSPC) {
      if (copied > 0) continue;  // what fitted is kept; the rest comes next
      if (chunk >= kLargestChunk) return rc;
      chunk = std::max(chunk, ask) * 2;
      grown = true;
      continue;
    }
    if (rc == -EINTR) {
      if (copied == 0 && ++interrupted > kInterruptedRetries) return rc;
      continue;
    }
    if (rc != 0) return rc;
    // Success with nothing copied: no progress. A few tries, then give up
    // rather than loop forever on a kernel that keeps doing it.
    if (copied == 0 && ++empty > kEmptyCallRetries) return -EIO;
  }
  return 0;
}

}  // namespace meshfwd::loader
