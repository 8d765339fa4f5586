#include "userspace/counter_batch.h"

#include <cerrno>
#include <cstring>

namespace meshfwd {

namespace {

constexpr size_t kCounterStride = (sizeof(mf_counter) + 7) & ~size_t{7};

}  // namespace

int sumCounterRange(const loader::BatchRead& read, uint32_t first, uint32_t count, size_t cpus,
                    std::vector<mf_counter>& totals) {
  totals.assign(count, mf_counter{});
  size_t entryBytes = kCounterStride * cpus;
  if (read.count != count || read.keys.size() != count * sizeof(uint32_t) || read.values.size() != count * entryBytes)
    return -EIO;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t key;
    std::memcpy(&key, read.keys.data() + i * sizeof key, sizeof key);
    if (key != first + i) return -EIO;
    for (size_t cpu = 0; cpu < cpus; ++cpu) {
      mf_counter c;
      std::memcpy(&c, read.values.data() + i * entryBytes + cpu * kCounterStride, sizeof c);
      totals[i].packets += c.packets;
      totals[i].bytes += c.bytes;
    }
  }
  return 0;
}

}  // namespace meshfwd
