// Batch reads (BPF_MAP_LOOKUP_BATCH) against real maps of the relay object:
// every entry and every per-CPU sum they return is what reading key by key
// returns, for the maps route sync diffs (mf_tunnels, an array written as
// another process would; mf_egress, an LPM trie; mf_egress64, a hash) and
// for mf_site_counters up to the last site id, MF_MAX_SITES.
#include <gtest/gtest.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <vector>

#include "loader/bpf_object.h"
#include "loader/map_batch.h"
#include "loader/map_ops.h"
#include "userspace/map_view.h"
#include "userspace/route_sync.h"
#include "userspace/stats.h"

namespace meshfwd {
namespace {

class MapBatchRead : public ::testing::Test {
 protected:
  void SetUp() override {
    relay_ = std::make_unique<loader::BpfObject>(loader::BpfObject::load(loader::ObjectKind::Relay));
    ASSERT_TRUE(relay_->ok()) << relay_->error();
    cpus_ = libbpf_num_possible_cpus();
    ASSERT_GT(cpus_, 0);
  }
  int fd(const char* name) const { return relay_->mapFd(name); }

  // Every CPU its own value, so a sum that drops or repeats a CPU shows.
  void writeSiteCounter(uint32_t index, uint64_t base) {
    std::vector<mf_counter> perCpu(cpus_);
    for (int c = 0; c < cpus_; ++c) perCpu[c] = {base + c, (base + c) * 1000 + 1};
    ASSERT_EQ(bpf_map_update_elem(fd("mf_site_counters"), &index, perCpu.data(), BPF_ANY), 0) << index;
  }
  mf_counter perKeySum(uint32_t index) {
    std::vector<mf_counter> perCpu;
    EXPECT_EQ(loader::lookupPerCpu(fd("mf_site_counters"), index, perCpu), 0) << index;
    return sumPerCpu(perCpu);
  }

  std::unique_ptr<loader::BpfObject> relay_;
  int cpus_ = 0;
};

// The batch path itself must work on these maps (a silent fallback to the
// key walk would pass the comparison below and lose the speed).
template <typename K, typename V>
void expectBatchable(int fd) {
  loader::BatchRead read;
  EXPECT_EQ(loader::lookupAllBatched(fd, sizeof(K), sizeof(V), read), 0);
}

template <typename K, typename V>
void expectSameEntries(const BpfMapView<K, V>& view, size_t expected) {
  int batchErr = -1, walkErr = -1;
  auto batched = view.entries(&batchErr);
  auto walked = view.walkedEntries(&walkErr);
  ASSERT_EQ(batchErr, 0);
  ASSERT_EQ(walkErr, 0);
  ASSERT_EQ(batched.size(), expected);
  ASSERT_EQ(walked.size(), expected);
  // Same set of (key, value), whatever order each read returns them in.
  auto less = [](const auto& a, const auto& b) {
    int c = std::memcmp(&a.first, &b.first, sizeof(K));
    return c != 0 ? c < 0 : std::memcmp(&a.second, &b.second, sizeof(V)) < 0;
  };
  std::sort(batched.begin(), batched.end(), less);
  std::sort(walked.begin(), walked.end(), less);
  for (size_t i = 0; i < expected; ++i) {
    ASSERT_TRUE(sameBytes(batched[i].first, walked[i].first)) << i;
    ASSERT_TRUE(sameBytes(batched[i].second, walked[i].second)) << i;
  }
}

TEST_F(MapBatchRead, TunnelSlotsWrittenByAnotherWriterReadAsByKey) {
  // Written straight into the array, as a daemon before a restart left them.
  for (uint32_t ifindex : {7u, 4095u, 4096u + 12, 3 * 4096u + 100})
    ASSERT_EQ(loader::updateElem(fd("mf_tunnels"), mf_tunnel_slot(ifindex), mf_tunnel{1420, 0, ifindex}), 0);
  BpfMapView<uint32_t, mf_tunnel> tunnels(fd("mf_tunnels"));
  expectBatchable<uint32_t, mf_tunnel>(fd("mf_tunnels"));
  expectSameEntries(tunnels, MF_TUNNEL_SLOTS);  // an array: every slot, empty ones too
  auto inSlots = tunnelsInSlots(tunnels.entries());
  EXPECT_EQ(inSlots.size(), 4u);
  EXPECT_EQ(inSlots.at(3 * 4096u + 100).mtu, 1420u);
}

TEST_F(MapBatchRead, EgressTrieAndExactHashReadAsByKey) {
  // More than one batch of each (4,096 a call).
  constexpr uint32_t kSites = 5000;
  for (uint32_t i = 0; i < kSites; ++i) {
    Ipv6Prefix p = *Ipv6Prefix::parse("fd42:4242:4242::/64");
    p.addr.bytes[6] = uint8_t(i >> 8);
    p.addr.bytes[7] = uint8_t(i);
    mf_egress e{10 + i % 3, 1420, i + 1, 0};
    ASSERT_EQ(loader::updateElem(fd("mf_egress"), egressKey(p), e), 0);
    ASSERT_EQ(loader::updateElem(fd("mf_egress64"), egress64Key(p), e), 0);
  }
  expectBatchable<mf_egress_key, mf_egress>(fd("mf_egress"));
  expectBatchable<mf_egress64_key, mf_egress>(fd("mf_egress64"));
  expectSameEntries(BpfMapView<mf_egress_key, mf_egress>(fd("mf_egress")), kSites);
  expectSameEntries(BpfMapView<mf_egress64_key, mf_egress>(fd("mf_egress64")), kSites);
}

TEST_F(MapBatchRead, EmptyHashAndTrieReadAsEmpty) {
  expectSameEntries(BpfMapView<mf_egress_key, mf_egress>(fd("mf_egress")), 0);
  expectSameEntries(BpfMapView<mf_egress64_key, mf_egress>(fd("mf_egress64")), 0);
}

TEST_F(MapBatchRead, SiteCounterRangeSumsEveryCpuAsPerKeyReadsDo) {
  const uint32_t last = MF_SITE_SLOTS * MF_DIR_COUNT - 1;  // site MF_MAX_SITES, from the site
  std::vector<uint32_t> written = {0, 1, 2, 3, 4095, 4096, 4097, 65535, 100000, last - 1, last};
  for (uint32_t index : written) writeSiteCounter(index, 10 * index + 3);

  loader::BatchRead read;
  ASSERT_EQ(loader::lookupArrayRange(fd("mf_site_counters"), 0, 1, loader::perCpuValueSize(sizeof(mf_counter)), read), 0);
  BpfCounterSource source(fd("mf_counters"), fd("mf_site_counters"));
  std::vector<mf_counter> totals;
  ASSERT_EQ(source.siteTotals(0, last + 1, totals), 0);
  ASSERT_EQ(totals.size(), size_t(last) + 1);
  for (uint32_t index = 0; index <= last; ++index) {
    mf_counter byKey = perKeySum(index);
    ASSERT_EQ(totals[index].packets, byKey.packets) << index;
    ASSERT_EQ(totals[index].bytes, byKey.bytes) << index;
  }
  // And what the sum must be: base + c over the CPUs.
  uint64_t base = 10 * uint64_t(last) + 3;
  EXPECT_EQ(totals[last].packets, base * cpus_ + uint64_t(cpus_) * (cpus_ - 1) / 2);

  // A range in the middle starts where it is asked to.
  ASSERT_EQ(source.siteTotals(4096, 3, totals), 0);
  ASSERT_EQ(totals.size(), 3u);
  EXPECT_EQ(totals[1].packets, perKeySum(4097).packets);
  EXPECT_NE(totals[1].packets, 0u);
}

TEST_F(MapBatchRead, ARangeBeyondTheArrayIsAnErrorNotShortCounts) {
  BpfCounterSource source(fd("mf_counters"), fd("mf_site_counters"));
  std::vector<mf_counter> totals;
  EXPECT_NE(source.siteTotals(MF_SITE_SLOTS * MF_DIR_COUNT - 2, 4, totals), 0);
}

TEST_F(MapBatchRead, CollectStatsCountsTheLastSite) {
  writeSiteCounter(MF_MAX_SITES * MF_DIR_COUNT + MF_DIR_TO_SITE, 40);
  writeSiteCounter(1 * MF_DIR_COUNT + MF_DIR_FROM_SITE, 7);
  BpfCounterSource source(fd("mf_counters"), fd("mf_site_counters"));
  std::vector<std::string> unreadable;
  StatsSnapshot s = collectStats(source, hooksOfRole(MF_ROLE_RELAY),
                                 {{1, *Ipv6Prefix::parse("fd42:4242:4242:1::/64")},
                                  {MF_MAX_SITES, *Ipv6Prefix::parse("fd42:4242:4242:ffff::/64")}},
                                 &unreadable);
  EXPECT_TRUE(unreadable.empty()) << unreadable.front();
  ASSERT_EQ(s.sites.size(), 2u);
  EXPECT_EQ(s.sites[0].fromSite.packets, perKeySum(1 * MF_DIR_COUNT + MF_DIR_FROM_SITE).packets);
  EXPECT_EQ(s.sites[1].siteId, uint32_t(MF_MAX_SITES));
  EXPECT_EQ(s.sites[1].toSite.packets, perKeySum(MF_MAX_SITES * MF_DIR_COUNT + MF_DIR_TO_SITE).packets);
  EXPECT_EQ(s.sites[1].toSite.packets, 40u * cpus_ + uint64_t(cpus_) * (cpus_ - 1) / 2);
}

}  // namespace
}  // namespace meshfwd
