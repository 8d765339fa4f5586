#include "userspace/stats.h"

#include "loader/map_ops.h"
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
  for (const auto& [siteId, prefix] : sites) {
    SiteStat s;
    s.siteId = siteId;
    s.site = prefix.str();
    auto read = [&](uint32_t direction, mf_counter& out) {
      uint32_t index = siteId * MF_DIR_COUNT + direction;
      if (auto perCpu = source.sitePerCpu(index))
        out = sumPerCpu(*perCpu);
      else if (unreadable)
        unreadable->push_back("mf_site_counters[" + std::to_string(index) + "]");
    };
    read(MF_DIR_TO_SITE, s.toSite);
    read(MF_DIR_FROM_SITE, s.fromSite);
    snap.sites.push_back(std::move(s));
  }
  return snap;
}

std::optional<std::vector<mf_counter>> BpfCounterSource::reasonPerCpu(uint32_t reasonId) const {
  std::vector<mf_counter> values;
  if (loader::lookupPerCpu(countersFd_, reasonId, values) != 0) return std::nullopt;
  return values;
}

std::optional<std::vector<mf_counter>> BpfCounterSource::sitePerCpu(uint32_t index) const {
  std::vector<mf_counter> values;
  if (loader::lookupPerCpu(siteCountersFd_, index, values) != 0) return std::nullopt;
  return values;
}

}  // namespace meshfwd
