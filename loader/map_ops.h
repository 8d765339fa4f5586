// Typed map access over libbpf's fd-based calls.
#pragma once

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <vector>

namespace meshfwd::loader {

// 0 or -errno.
template <typename K, typename V>
int updateElem(int mapFd, const K& key, const V& value, unsigned long long flags = BPF_ANY) {
  return bpf_map_update_elem(mapFd, &key, &value, flags) == 0 ? 0 : -errno;
}

template <typename K, typename V>
int lookupElem(int mapFd, const K& key, V& value) {
  return bpf_map_lookup_elem(mapFd, &key, &value) == 0 ? 0 : -errno;
}

template <typename K>
int deleteElem(int mapFd, const K& key) {
  return bpf_map_delete_elem(mapFd, &key) == 0 ? 0 : -errno;
}

// Per-CPU maps return one value per possible CPU.
template <typename K, typename V>
int lookupPerCpu(int mapFd, const K& key, std::vector<V>& values) {
  int ncpu = libbpf_num_possible_cpus();
  if (ncpu <= 0) return ncpu;
  values.assign(static_cast<size_t>(ncpu), V{});
  return bpf_map_lookup_elem(mapFd, &key, values.data()) == 0 ? 0 : -errno;
}

}  // namespace meshfwd::loader
