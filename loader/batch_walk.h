// Reading a map in batches (BPF_MAP_LOOKUP_BATCH) without the syscall: the
// loop that turns "copy up to N entries from this position" calls into the
// whole map, or the first `limit` entries from a start position. Kept apart
// from libbpf so its edge cases (the last batch that ends with ENOENT, a
// kernel that returns fewer entries than asked, a hash bucket larger than
// the batch) are unit-tested without root; map_batch.h runs it on a fd.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

namespace meshfwd::loader {

// One BPF_MAP_LOOKUP_BATCH: from position `in` (nullptr: the map's start)
// copy at most *count entries to keys/values, store the position after the
// last one copied in `out` and set *count to how many were copied. 0 or
// -errno; -ENOENT means the map ended (the *count entries copied are valid).
using BatchCall = std::function<int(const void* in, void* out, void* keys, void* values, uint32_t* count)>;

struct BatchLayout {
  size_t keySize = 0;
  size_t valueSize = 0;     // per entry; per-CPU maps: the 8-byte-aligned value times the possible CPUs
  size_t positionSize = 0;  // the kernel's batch token: the key (arrays, tries) or a u32 bucket (hash maps)
  uint32_t chunk = 4096;    // entries asked for per call
};

struct BatchRead {
  std::vector<uint8_t> keys;    // count * keySize
  std::vector<uint8_t> values;  // count * valueSize
  size_t count = 0;
};

// Calls `call` until the map ends or `limit` entries are read, starting
// after position `start` (nullptr: at the map's start). A call that copies
// fewer entries than asked is not the end: only -ENOENT is. -ENOSPC with
// nothing copied (a hash bucket holds more than the batch) retries with a
// batch twice as large; -EINTR (the kernel saw entries vanish under it)
// keeps what was copied and goes on, a few times at most. 0 or the first
// other -errno, with the entries read so far in `out`.
int walkBatches(const BatchCall& call, const BatchLayout& layout, const void* start, BatchRead& out,
                size_t limit = std::numeric_limits<size_t>::max());

}  // namespace meshfwd::loader
