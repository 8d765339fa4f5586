// Per-CPU counters out of a batch read: a batch of a per-CPU array holds,
// for each entry, one value per possible CPU, each at an 8-byte-aligned
// stride (mf_counter is 16 bytes, so the stride is the struct). Summing
// them is pure and unit-tested; BpfCounterSource does the reading.
#pragma once

#include <cstdint>
#include <vector>

#include "loader/batch_walk.h"
#include "maps/meshfwd_abi.h"

namespace meshfwd {

// Entries [first, first + count) of a per-CPU mf_counter array read as
// one range, summed over `cpus` CPUs, in index order. -EIO when the read
// is not exactly that range (a short read or a key out of place), else 0.
int sumCounterRange(const loader::BatchRead& read, uint32_t first, uint32_t count, size_t cpus,
                    std::vector<mf_counter>& totals);

}  // namespace meshfwd
