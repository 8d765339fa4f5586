// Whole-map and range reads with BPF_MAP_LOOKUP_BATCH: one syscall per few
// thousand entries instead of two per entry (get_next_key + lookup). Arrays,
// per-CPU arrays, hash maps and (this kernel) LPM tries support it; a map or
// kernel without it answers -ENOTSUPP/-EOPNOTSUPP/-EINVAL, which
// batchUnsupported() recognises so callers can fall back to a key walk.
#pragma once

#include <cstddef>
#include <cstdint>

#include "loader/batch_walk.h"

namespace meshfwd::loader {

// Every entry of the map behind `fd`: keys of keySize bytes, values of
// valueSize (per-CPU maps: perCpuValueSize()). 0 or -errno.
int lookupAllBatched(int fd, size_t keySize, size_t valueSize, BatchRead& out);

// Entries [first, first + count) of an array or per-CPU array (keys are
// u32 indexes; the range must lie inside the array). 0 or -errno.
int lookupArrayRange(int fd, uint32_t first, uint32_t count, size_t valueSize, BatchRead& out);

// The bytes one entry of a per-CPU map takes in a batch or lookup buffer:
// one value per possible CPU, each rounded up to 8 bytes. 0 when the
// number of CPUs cannot be read.
size_t perCpuValueSize(size_t valueSize);

bool batchUnsupported(int err);

}  // namespace meshfwd::loader
