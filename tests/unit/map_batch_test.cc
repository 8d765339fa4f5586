// walkBatches() against a scripted BPF_MAP_LOOKUP_BATCH: the shapes a
// kernel's answers take (the last batch ending in ENOENT, fewer entries
// than asked, ENOSPC for a hash bucket larger than the batch, EINTR), and
// sumCounterRange() decoding a per-CPU batch into per-index totals.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "loader/batch_walk.h"
#include "userspace/counter_batch.h"

namespace meshfwd {
namespace {

using loader::BatchLayout;
using loader::BatchRead;
using loader::walkBatches;

// An array of `size` u32 keys with u64 values key * 10, answering as the
// kernel's generic batch lookup does: from the key after `in`, at most
// min(asked, perCall) entries; -ENOENT once the map ends inside a call.
struct ScriptedArray {
  uint32_t size = 0;
  uint32_t perCall = UINT32_MAX;                 // a kernel that returns fewer than asked
  std::vector<int> injected;                     // returned (nothing copied) before answering normally
  std::vector<uint32_t> asks;                    // every call's *count
  std::vector<int64_t> starts;                   // every call's first key (-1: from the start)

  int operator()(const void* in, void* out, void* keys, void* values, uint32_t* count) {
    asks.push_back(*count);
    uint32_t start = 0;
    if (in) std::memcpy(&start, in, sizeof start), ++start;
    starts.push_back(in ? int64_t(start) : -1);
    if (!injected.empty()) {
      int rc = injected.front();
      injected.erase(injected.begin());
      *count = 0;
      return rc;
    }
    uint32_t want = std::min(*count, perCall);
    uint32_t n = start >= size ? 0 : std::min(want, size - start);
    for (uint32_t i = 0; i < n; ++i) {
      uint32_t key = start + i;
      uint64_t value = uint64_t(key) * 10;
      std::memcpy(static_cast<uint8_t*>(keys) + i * sizeof key, &key, sizeof key);
      std::memcpy(static_cast<uint8_t*>(values) + i * sizeof value, &value, sizeof value);
    }
    if (n > 0) {
      uint32_t last = start + n - 1;
      std::memcpy(out, &last, sizeof last);
    }
    *count = n;
    return n < want ? -ENOENT : 0;
  }
};

ScriptedArray scripted(uint32_t size, uint32_t perCall = UINT32_MAX, std::vector<int> injected = {}) {
  ScriptedArray a;
  a.size = size;
  a.perCall = perCall;
  a.injected = std::move(injected);
  return a;
}

constexpr BatchLayout layout(uint32_t chunk) { return BatchLayout{sizeof(uint32_t), sizeof(uint64_t), sizeof(uint32_t), chunk}; }

std::vector<uint32_t> keysOf(const BatchRead& r) {
  std::vector<uint32_t> keys(r.count);
  std::memcpy(keys.data(), r.keys.data(), r.count * sizeof(uint32_t));
  return keys;
}

std::vector<uint32_t> iota(uint32_t from, uint32_t n) {
  std::vector<uint32_t> v(n);
  for (uint32_t i = 0; i < n; ++i) v[i] = from + i;
  return v;
}

int walk(ScriptedArray& a, uint32_t chunk, BatchRead& out, const uint32_t* start = nullptr, size_t limit = SIZE_MAX) {
  return walkBatches(std::ref(a), layout(chunk), start, out, limit);
}

TEST(MapBatchWalk, ReadsEveryEntryWhenTheLastBatchEndsWithEnoent) {
  ScriptedArray a = scripted(10);
  BatchRead r;
  ASSERT_EQ(walk(a, 4, r), 0);
  EXPECT_EQ(keysOf(r), iota(0, 10));
  EXPECT_EQ(a.starts, (std::vector<int64_t>{-1, 4, 8}));
  uint64_t last;
  std::memcpy(&last, r.values.data() + 9 * sizeof last, sizeof last);
  EXPECT_EQ(last, 90u);
}

TEST(MapBatchWalk, ASizeThatIsAMultipleOfTheBatchEndsWithAnEmptyEnoentCall) {
  ScriptedArray a = scripted(8);
  BatchRead r;
  ASSERT_EQ(walk(a, 4, r), 0);
  EXPECT_EQ(keysOf(r), iota(0, 8));
  EXPECT_EQ(a.asks.size(), 3u);
}

TEST(MapBatchWalk, FewerEntriesThanAskedIsNotTheEnd) {
  ScriptedArray a = scripted(10, 3);
  BatchRead r;
  ASSERT_EQ(walk(a, 8, r), 0);
  EXPECT_EQ(keysOf(r), iota(0, 10));
  EXPECT_EQ(a.starts, (std::vector<int64_t>{-1, 3, 6, 9}));
}

TEST(MapBatchWalk, AnEmptyMapIsNoError) {
  ScriptedArray a = scripted(0);
  BatchRead r;
  EXPECT_EQ(walk(a, 4, r), 0);
  EXPECT_EQ(r.count, 0u);
  EXPECT_TRUE(r.keys.empty());
  EXPECT_TRUE(r.values.empty());
}

TEST(MapBatchWalk, ARangeStartsAfterItsPositionAndAsksForNoMoreThanItNeeds) {
  ScriptedArray a = scripted(100);
  BatchRead r;
  uint32_t before = 2;
  ASSERT_EQ(walk(a, 4, r, &before, 6), 0);
  EXPECT_EQ(keysOf(r), iota(3, 6));
  EXPECT_EQ(a.asks, (std::vector<uint32_t>{4, 2}));
  EXPECT_EQ(r.values.size(), 6 * sizeof(uint64_t));
}

TEST(MapBatchWalk, ARangeRunningPastTheEndIsShortNotAnError) {
  ScriptedArray a = scripted(5);
  BatchRead r;
  uint32_t before = 2;
  ASSERT_EQ(walk(a, 4, r, &before, 6), 0);
  EXPECT_EQ(keysOf(r), iota(3, 2));  // sumCounterRange() refuses a short range
}

TEST(MapBatchWalk, EnospcWithNothingCopiedRetriesWithALargerBatch) {
  ScriptedArray a = scripted(6, UINT32_MAX, {-ENOSPC, -ENOSPC});
  BatchRead r;
  ASSERT_EQ(walk(a, 2, r, nullptr, 6), 0);
  EXPECT_EQ(keysOf(r), iota(0, 6));
  EXPECT_EQ((std::vector<uint32_t>(a.asks.begin(), a.asks.begin() + 3)), (std::vector<uint32_t>{2, 4, 8}));
  EXPECT_EQ(a.starts[2], -1);  // still from the start
}

TEST(MapBatchWalk, EintrGoesOnButNotForever) {
  ScriptedArray a = scripted(5, UINT32_MAX, {-EINTR});
  BatchRead r;
  ASSERT_EQ(walk(a, 4, r), 0);
  EXPECT_EQ(keysOf(r), iota(0, 5));

  ScriptedArray stuck = scripted(5, UINT32_MAX, std::vector<int>(100, -EINTR));
  BatchRead none;
  EXPECT_EQ(walk(stuck, 4, none), -EINTR);
  EXPECT_LT(stuck.asks.size(), 10u);
}

TEST(MapBatchWalk, AnotherErrorStopsWithWhatWasRead) {
  ScriptedArray a = scripted(10);
  int calls = 0;
  loader::BatchCall failSecond = [&](const void* in, void* out, void* k, void* v, uint32_t* count) {
    if (++calls == 2) {
      *count = 0;
      return -EPERM;
    }
    return a(in, out, k, v, count);
  };
  BatchRead r;
  EXPECT_EQ(walkBatches(failSecond, layout(4), nullptr, r), -EPERM);
  EXPECT_EQ(keysOf(r), iota(0, 4));
}

TEST(MapBatchWalk, SuccessWithoutProgressEndsInsteadOfLooping) {
  int calls = 0;
  loader::BatchCall nothing = [&](const void*, void*, void*, void*, uint32_t* count) {
    ++calls;
    *count = 0;
    return 0;
  };
  BatchRead r;
  EXPECT_EQ(walkBatches(nothing, layout(4), nullptr, r), -EIO);
  EXPECT_LT(calls, 10);
}

// A per-CPU mf_counter batch of `keys` over `cpus` CPUs: CPU c of key k
// holds {k + c, 100 * (k + c)}.
BatchRead perCpuBatch(const std::vector<uint32_t>& keys, size_t cpus) {
  BatchRead r;
  r.count = keys.size();
  r.keys.resize(keys.size() * sizeof(uint32_t));
  std::memcpy(r.keys.data(), keys.data(), r.keys.size());
  for (uint32_t k : keys)
    for (size_t c = 0; c < cpus; ++c) {
      mf_counter v{k + c, 100 * (k + c)};
      auto* p = reinterpret_cast<const uint8_t*>(&v);
      r.values.insert(r.values.end(), p, p + sizeof v);
    }
  return r;
}

TEST(CounterBatch, SumsEachIndexOverItsCpus) {
  std::vector<mf_counter> totals;
  ASSERT_EQ(sumCounterRange(perCpuBatch({4, 5, 6}, 3), 4, 3, 3, totals), 0);
  ASSERT_EQ(totals.size(), 3u);
  EXPECT_EQ(totals[0].packets, 4u + 5 + 6);
  EXPECT_EQ(totals[2].packets, 6u + 7 + 8);
  EXPECT_EQ(totals[2].bytes, 100u * (6 + 7 + 8));
}

TEST(CounterBatch, RefusesAShortReadOrAKeyOutOfPlace) {
  std::vector<mf_counter> totals;
  EXPECT_EQ(sumCounterRange(perCpuBatch({4, 5}, 2), 4, 3, 2, totals), -EIO);
  EXPECT_EQ(sumCounterRange(perCpuBatch({4, 6, 7}, 2), 4, 3, 2, totals), -EIO);
  EXPECT_EQ(sumCounterRange(perCpuBatch({4, 5, 6}, 2), 4, 3, 3, totals), -EIO);  // a CPU count that does not fit the values
}

}  // namespace
}  // namespace meshfwd
