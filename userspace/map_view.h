// The small map interface the control plane writes through. Sync and
// policy code only see MapView, so they are unit-tested against InMemoryMap
// without root; BpfMapView is the thin real thing over a map fd.
#pragma once

#include <bpf/bpf.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

#include "loader/map_batch.h"
#include "loader/map_ops.h"

namespace meshfwd {

// Keys and values are the ABI's plain C structs: compared byte-wise, as the
// kernel does.
template <typename T>
bool sameBytes(const T& a, const T& b) {
  return std::memcmp(&a, &b, sizeof(T)) == 0;
}

template <typename K, typename V>
class MapView {
 public:
  virtual ~MapView() = default;
  // Every entry, or an -errno in `error` (entries then incomplete).
  virtual std::vector<std::pair<K, V>> entries(int* error = nullptr) const = 0;
  virtual std::optional<V> lookup(const K& key) const = 0;
  virtual int put(const K& key, const V& value) = 0;  // 0 or -errno
  virtual int erase(const K& key) = 0;                // 0 or -errno
};

// The entries of a batch read, as the ABI's structs.
template <typename K, typename V>
std::vector<std::pair<K, V>> batchEntries(const loader::BatchRead& read) {
  std::vector<std::pair<K, V>> out(read.count);
  for (size_t i = 0; i < read.count; ++i) {
    std::memcpy(&out[i].first, read.keys.data() + i * sizeof(K), sizeof(K));
    std::memcpy(&out[i].second, read.values.data() + i * sizeof(V), sizeof(V));
  }
  return out;
}

// Not for per-CPU maps (their values are one per possible CPU).
template <typename K, typename V>
class BpfMapView final : public MapView<K, V> {
 public:
  explicit BpfMapView(int fd) : fd_(fd) {}

  // In batches of thousands per syscall where the map type has batch
  // lookups (mf_tunnels' 4,096 slots: 2 syscalls instead of 8,192), by a
  // key walk where it has not. Either reads what is in the map, whoever
  // wrote it.
  std::vector<std::pair<K, V>> entries(int* error = nullptr) const override {
    loader::BatchRead read;
    int rc = loader::lookupAllBatched(fd_, sizeof(K), sizeof(V), read);
    if (rc != 0 && loader::batchUnsupported(rc) && read.count == 0) return walkedEntries(error);
    if (error) *error = rc;
    return batchEntries<K, V>(read);
  }
  std::optional<V> lookup(const K& key) const override {
    V value{};
    if (loader::lookupElem(fd_, key, value) != 0) return std::nullopt;
    return value;
  }
  int put(const K& key, const V& value) override { return loader::updateElem(fd_, key, value); }
  int erase(const K& key) override { return loader::deleteElem(fd_, key); }

  // Every entry by get_next_key + lookup: two syscalls per entry.
  std::vector<std::pair<K, V>> walkedEntries(int* error = nullptr) const {
    std::vector<std::pair<K, V>> out;
    K key{}, next{};
    const void* prev = nullptr;  // nullptr asks the kernel for the first key
    if (error) *error = 0;
    int rc;
    while ((rc = bpf_map_get_next_key(fd_, prev, &next)) == 0) {
      V value{};
      // An entry deleted between the two calls is simply skipped.
      if (bpf_map_lookup_elem(fd_, &next, &value) == 0) out.emplace_back(next, value);
      key = next;
      prev = &key;
    }
    // libbpf 1.x returns -errno; -ENOENT marks the end of the walk.
    if (rc != -ENOENT && error) *error = rc < 0 ? rc : -EIO;
    return out;
  }

 private:
  int fd_;
};

// A map held in memory, in insertion order; `failPuts` makes puts fail with
// that -errno so callers' error paths can be exercised.
template <typename K, typename V>
class InMemoryMap final : public MapView<K, V> {
 public:
  std::vector<std::pair<K, V>> entries(int* error = nullptr) const override {
    if (error) *error = 0;
    return entries_;
  }
  std::optional<V> lookup(const K& key) const override {
    for (const auto& [k, v] : entries_)
      if (sameBytes(k, key)) return v;
    return std::nullopt;
  }
  int put(const K& key, const V& value) override {
    log_.push_back({Op::Put, key});
    if (failPuts) return failPuts;
    for (auto& [k, v] : entries_)
      if (sameBytes(k, key)) {
        v = value;
        return 0;
      }
    entries_.emplace_back(key, value);
    return 0;
  }
  int erase(const K& key) override {
    log_.push_back({Op::Erase, key});
    for (auto it = entries_.begin(); it != entries_.end(); ++it)
      if (sameBytes(it->first, key)) {
        entries_.erase(it);
        return 0;
      }
    return -ENOENT;
  }

  enum class Op { Put, Erase };
  struct Write {
    Op op;
    K key;
  };
  // Every write in order, for tests that care about ordering.
  const std::vector<Write>& writes() const { return log_; }
  void clearWrites() { log_.clear(); }
  int failPuts = 0;

 private:
  std::vector<std::pair<K, V>> entries_;
  std::vector<Write> log_;
};

}  // namespace meshfwd
