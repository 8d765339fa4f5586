#include "userspace/stats.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "loader/map_batch.h"
#include "loader/map_ops.h"
#include "userspace/counter_batch.h"
#include "userspace/reasons.h"

namespace meshfwd {

mf_counter sumPerCpu(std::span<const mf_counter> perCpu) {
  mf_counter sum{};
  for (const auto& c : perCpu) {
    sum.packets += c.packets;
    sum.bytes += c.bytes;
  }
  return sum;
}

std::set<std::string> hooksOfRole(uint32_t mfRole) {
  switch (mfRole) {
    case MF_ROLE_RELAY:
      return {"relay_tc", "relay_guard"};
    case MF_ROLE_EDGE:
      return {"edge_xdp", "edge_tc"};
    default:
      return {};
  }
}

StatsSnapshot collectStats(const CounterSource& source, const std::set<std::string>& hooks,
                           const std::map<uint32_t, Ipv6Prefix>& sites, std::vector<std::string>* unreadable) {
  StatsSnapshot snap;
  for (const auto& r : allReasons()) {
    if (!hooks.empty() && !hooks.count(std::string(r.hook))) continue;
    ReasonStat s{r.id, std::string(r.hook), std::string(r.name), 0, 0};
    if (auto perCpu = source.reasonPerCpu(r.id)) {
      mf_counter sum = sumPerCpu(*perCpu);
      s.packets = sum.packets;
      s.bytes = sum.bytes;
    } else if (unreadable) {
      unreadable->push_back("mf_counters[" + std::to_string(r.id) + "]");
    }
    snap.reasons.push_back(std::move(s));
  }
  // One range over every listed site's two slots; ids beyond the array
  // (only a foreign writer's mf_egress could hold them) are left out of it.
  auto inArray = [](uint32_t siteId) { return siteId < MF_SITE_SLOTS; };
  uint32_t first = 0, end = 0;
  for (const auto& [siteId, prefix] : sites) {
    if (!inArray(siteId)) continue;
    if (end == 0) first = siteId * MF_DIR_COUNT;
    end = (siteId + 1) * MF_DIR_COUNT;
  }
  std::vector<mf_counter> totals;
  int err = end > first ? source.siteTotals(first, end - first, totals) : 0;
  if (err == 0 && totals.size() != end - first) err = -EIO;
  if (err != 0 && unreadable)
    unreadable->push_back("mf_site_counters[" + std::to_string(first) + ".." + std::to_string(end - 1) +
                          "]: " + std::strerror(-err));
  for (const auto& [siteId, prefix] : sites) {
    SiteStat s;
    s.siteId = siteId;
    s.site = prefix.str();
    if (!inArray(siteId)) {
      if (unreadable) unreadable->push_back("mf_site_counters[" + std::to_string(siteId * MF_DIR_COUNT) + "]");
    } else if (err == 0) {
      s.toSite = totals[siteId * MF_DIR_COUNT + MF_DIR_TO_SITE - first];
      s.fromSite = totals[siteId * MF_DIR_COUNT + MF_DIR_FROM_SITE - first];
    }
    snap.sites.push_back(std::move(s));
  }
  return snap;
}

std::optional<std::vector<mf_counter>> BpfCounterSource::reasonPerCpu(uint32_t reasonId) const {
  std::vector<mf_counter> values;
  if (loader::lookupPerCpu(countersFd_, reasonId, values) != 0) return std::nullopt;
  return values;
}

int BpfCounterSource::siteTotals(uint32_t first, uint32_t count, std::vector<mf_counter>& totals) const {
  size_t entryBytes = loader::perCpuValueSize(sizeof(mf_counter));
  if (entryBytes == 0) return -EINVAL;
  // Summed piece by piece: the raw per-CPU values of all 131,074 slots
  // would take 134 MB on a 64-CPU box; a piece takes 1/32 of that.
  constexpr uint32_t kPiece = 4096;
  totals.clear();
  totals.reserve(count);
  std::vector<mf_counter> piece;
  int rc = 0;
  for (uint32_t done = 0; done < count && rc == 0; done += kPiece) {
    uint32_t n = std::min(kPiece, count - done);
    loader::BatchRead read;
    rc = loader::lookupArrayRange(siteCountersFd_, first + done, n, entryBytes, read);
    if (rc == 0) rc = sumCounterRange(read, first + done, n, entryBytes / sizeof(mf_counter), piece);
    if (rc == 0) totals.insert(totals.end(), piece.begin(), piece.end());
    if (rc != 0 && (done != 0 || read.count != 0 || !loader::batchUnsupported(rc))) return rc;
  }
  if (rc == 0) return 0;
  // A kernel without batch lookups: one syscall per index.
  totals.assign(count, mf_counter{});
  std::vector<mf_counter> perCpu;
  for (uint32_t i = 0; i < count; ++i) {
    if (int err = loader::lookupPerCpu(siteCountersFd_, first + i, perCpu); err != 0) return err;
    totals[i] = sumPerCpu(perCpu);
  }
  return 0;
}

}  // namespace meshfwd
