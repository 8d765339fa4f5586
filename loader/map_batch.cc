#include "loader/map_batch.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cerrno>

namespace meshfwd::loader {

namespace {

constexpr int kENOTSUPP = 524;  // the kernel's internal "no batch op for this map" (not in userspace errno.h)

BatchCall callOn(int fd) {
  return [fd](const void* in, void* out, void* keys, void* values, uint32_t* count) {
    LIBBPF_OPTS(bpf_map_batch_opts, opts);
    // libbpf returns -errno; the const_cast is libbpf's prototype, it only reads `in`.
    return bpf_map_lookup_batch(fd, const_cast<void*>(in), out, keys, values, count, &opts);
  };
}

}  // namespace

int lookupAllBatched(int fd, size_t keySize, size_t valueSize, BatchRead& out) {
  BatchLayout layout{keySize, valueSize, std::max(keySize, sizeof(uint32_t))};
  return walkBatches(callOn(fd), layout, nullptr, out);
}

int lookupArrayRange(int fd, uint32_t first, uint32_t count, size_t valueSize, BatchRead& out) {
  BatchLayout layout{sizeof(uint32_t), valueSize, sizeof(uint32_t)};
  // The kernel continues after the position it is given: start after
  // first - 1, or at the array's start for index 0.
  uint32_t before = first - 1;
  return walkBatches(callOn(fd), layout, first == 0 ? nullptr : &before, out, count);
}

size_t perCpuValueSize(size_t valueSize) {
  int ncpu = libbpf_num_possible_cpus();
  if (ncpu <= 0) return 0;
  return ((valueSize + 7) & ~size_t{7}) * static_cast<size_t>(ncpu);
}

bool batchUnsupported(int err) { return err == -kENOTSUPP || err == -EOPNOTSUPP || err == -EINVAL; }

}  // namespace meshfwd::loader
