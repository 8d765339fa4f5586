// Counter snapshots: mf_counters summed over CPUs per verdict reason, and
// mf_site_counters per site and direction, as plain structs (Katran's
// getStatsForVip spirit). Reading goes through CounterSource so summing and
// labelling are unit-tested without root; rendering is metrics_render.*.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "maps/meshfwd_abi.h"
#include "userspace/addr.h"

namespace meshfwd {

struct ReasonStat {
  uint32_t id = 0;
  std::string hook;  // relay_tc, relay_guard, edge_xdp, edge_tc
  std::string name;  // the Prometheus label value
  uint64_t packets = 0;
  uint64_t bytes = 0;
};

struct SiteStat {
  uint32_t siteId = 0;
  std::string site;  // the site's prefix ("fd00:1:2:a::/64")
  mf_counter toSite{};
  mf_counter fromSite{};
};

// One attached program, for status and for meshfwd_attached.
struct AttachedHook {
  std::string iface;
  std::string hook;     // the program's hook label, e.g. "relay_tc"
  std::string mode;     // "tc", "xdp-native", "xdp-generic"
  std::string program;  // the BPF program's name
  uint32_t progId = 0;
};

struct StatsSnapshot {
  std::vector<ReasonStat> reasons;  // in ABI id order
  std::vector<SiteStat> sites;      // in site-id order
  std::vector<AttachedHook> attached;
  uint32_t generation = 0;          // the live config generation (0: none)
};

// Where the per-CPU values come from: mf_counters and mf_site_counters.
class CounterSource {
 public:
  virtual ~CounterSource() = default;
  // One value per possible CPU; nullopt when the key cannot be read.
  virtual std::optional<std::vector<mf_counter>> reasonPerCpu(uint32_t reasonId) const = 0;
  // mf_site_counters[first, first + count) summed over CPUs, in index
  // order: one read of the range, not a syscall per index (65,536 sites
  // are 131,074 per-CPU entries). 0 or -errno.
  virtual int siteTotals(uint32_t first, uint32_t count, std::vector<mf_counter>& totals) const = 0;
};

mf_counter sumPerCpu(std::span<const mf_counter> perCpu);

// The hooks whose reasons a role's programs count.
std::set<std::string> hooksOfRole(uint32_t mfRole);

// Every reason of `hooks` (all hooks when empty) and every site in `sites`
// (site id -> prefix, from mf_egress or the edge's own site). A key that
// cannot be read counts as zero and is named in `unreadable`; the sites'
// counters are read as one range, so a failed read names the range.
StatsSnapshot collectStats(const CounterSource& source, const std::set<std::string>& hooks,
                           const std::map<uint32_t, Ipv6Prefix>& sites, std::vector<std::string>* unreadable = nullptr);

// mf_counters and mf_site_counters through their fds.
class BpfCounterSource final : public CounterSource {
 public:
  BpfCounterSource(int countersFd, int siteCountersFd) : countersFd_(countersFd), siteCountersFd_(siteCountersFd) {}
  std::optional<std::vector<mf_counter>> reasonPerCpu(uint32_t reasonId) const override;
  // In batches (BPF_MAP_LOOKUP_BATCH); key by key on a kernel without them.
  int siteTotals(uint32_t first, uint32_t count, std::vector<mf_counter>& totals) const override;

 private:
  int countersFd_;
  int siteCountersFd_;
};

}  // namespace meshfwd
