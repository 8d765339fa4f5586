#include "tools/bench/scaling_bench.h"

#include <bpf/libbpf.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>

#include "loader/bpf_object.h"
#include "tools/bench/bench_netns.h"
#include "tools/bench/forward_bench.h"
#include "tools/bench/relay_rows.h"
#include "tools/bench/site_plan.h"
#include "userspace/live_state.h"
#include "userspace/map_view.h"
#include "userspace/netlink_snapshot.h"
#include "userspace/route_sync.h"
#include "userspace/stats.h"

namespace meshfwd::bench {

namespace {

constexpr const char* kBenchTunnel = "mfbench0";  // bench_netns.cc's tunnel

std::string loadavg() {
  std::ifstream f("/proc/loadavg");
  std::string a, b, c;
  f >> a >> b >> c;
  return a + " " + b + " " + c;
}

template <typename Fn>
double millis(Fn&& fn) {
  auto t0 = std::chrono::steady_clock::now();
  fn();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

uint64_t memlockOf(int fd) {
  std::ifstream f("/proc/self/fdinfo/" + std::to_string(fd));
  std::string key;
  uint64_t value = 0;
  while (f >> key) {
    if (key == "memlock:") {
      f >> value;
      return value;
    }
    f.ignore(4096, '\n');
  }
  return 0;
}

// Everything measured at one site count, kept alive for the whole run so
// the counts can be interleaved within each run.
struct CountState {
  ~CountState() {
    if (nsFd >= 0) close(nsFd);
  }
  uint32_t sites = 0;
  int nsFd = -1;  // the count's namespace: its routing table is what sync reads
  BenchNetns netns;
  std::unique_ptr<RelayBench> exact, lpm;
  BenchRow exactRow, lpmRow;
  loader::BpfObject syncObject = loader::BpfObject::load(loader::ObjectKind::Relay);
  NetSnapshot snapshot;
  std::vector<double> lookupExact, lookupLpm, floor, snapshotMs, addMs, noopMs, deleteMs, namesMs, countersMs;
  size_t synced = 0;
  std::string syncNote;
};

BenchRow allowedRow(const RelayBench& relay, const loader::BpfObject& bench, const std::string& group) {
  for (BenchRow& row : relay.rows(bench))
    if (row.group == "relay_tc" && row.path == "fwd_mesh_udp") {
      row.group = group;
      return row;
    }
  return {};
}

// The daemon's sync of `net` into the count's fresh relay maps.
SyncReport syncInto(const loader::BpfObject& object, const NetSnapshot& net) {
  BpfMapView<mf_egress_key, mf_egress> egress(object.mapFd("mf_egress"));
  BpfMapView<mf_egress64_key, mf_egress> exact(object.mapFd("mf_egress64"));
  BpfMapView<uint32_t, mf_tunnel> tunnels(object.mapFd("mf_tunnels"));
  BpfMapView<mf_local_key, uint32_t> local(object.mapFd("mf_local_addrs"));
  BpfMapView<uint32_t, mf_local_filter> localFilter(object.mapFd("mf_local_filter"));
  SyncTargets targets;
  targets.mesh = *Ipv6Prefix::parse(kMeshPrefix);
  targets.tunnels = {kBenchTunnel};
  targets.preferredLocal = {kBenchTunnel};
  return RouteSync(egress, exact, tunnels, local, localFilter).sync(net, targets);
}

std::string setUp(CountState& s, const loader::BpfObject& bench, uint64_t seed, uint32_t packets) {
  SitePlan plan(s.sites, seed);
  if (std::string err = enterBenchNetns(plan.sitePrefixTexts(), kTunnelMtu, s.netns); !err.empty()) return err;
  s.nsFd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (s.nsFd < 0) return "cannot keep the namespace open";
  s.exact = std::make_unique<RelayBench>(plan, s.netns, packets, false);
  if (!s.exact->ok()) return s.exact->error();
  SitePlan samePlan(s.sites, seed);  // the same destinations for the trie alone
  s.lpm = std::make_unique<RelayBench>(samePlan, s.netns, packets, true);
  if (!s.lpm->ok()) return s.lpm->error();
  s.exactRow = allowedRow(*s.exact, bench, "exact_" + std::to_string(s.sites));
  s.lpmRow = allowedRow(*s.lpm, bench, "lpm_" + std::to_string(s.sites));
  if (!s.exactRow.object || !s.lpmRow.object) return "no fwd_mesh_udp row";
  if (std::string err = verifyRow(s.exactRow); !err.empty()) return err;
  if (std::string err = verifyRow(s.lpmRow); !err.empty()) return err;
  if (!s.syncObject.ok()) return s.syncObject.error();
  std::string error;
  auto snap = readNetSnapshot(&error);
  if (!snap) return "netlink: " + error;
  s.snapshot = *snap;
  return "";
}

// One run of the sync measurements at this count; leaves the maps empty.
std::string syncRun(CountState& s) {
  if (setns(s.nsFd, CLONE_NEWNET) != 0) return "cannot re-enter the namespace";
  std::string error;
  std::optional<NetSnapshot> snap;
  s.snapshotMs.push_back(millis([&] { snap = readNetSnapshot(&error); }));
  if (!snap) return "netlink: " + error;
  SyncReport add, noop, del;
  s.addMs.push_back(millis([&] { add = syncInto(s.syncObject, *snap); }));
  if (!add.ok()) return add.errors.front();
  // Fewer than asked is a finding, not a failure (e.g. more routes than
  // MF_MAX_SITES site ids): reported with the warning.
  if (add.egress.adds.empty()) return "sync added no route";
  s.synced = add.egress.adds.size();
  if (s.synced != s.sites && !add.warnings.empty()) s.syncNote = add.warnings.front();
  s.noopMs.push_back(millis([&] { noop = syncInto(s.syncObject, *snap); }));
  if (!noop.ok()) return noop.errors.front();
  if (!noop.egress.empty()) return "a re-sync of an unchanged table wrote the egress map";
  // What a /metrics refresh reads with every site in the maps: the site
  // names (mf_egress) and every reason's and site's per-CPU counters.
  std::map<uint32_t, Ipv6Prefix> names;
  s.namesMs.push_back(millis([&] {
    names = siteNamesOf(BpfMapView<mf_egress_key, mf_egress>(s.syncObject.mapFd("mf_egress")));
  }));
  if (names.size() != s.synced) return "read " + std::to_string(names.size()) + " site names of " + std::to_string(s.synced);
  StatsSnapshot stats;
  std::vector<std::string> unreadable;
  s.countersMs.push_back(millis([&] {
    BpfCounterSource source(s.syncObject.mapFd("mf_counters"), s.syncObject.mapFd("mf_site_counters"));
    stats = collectStats(source, hooksOfRole(MF_ROLE_RELAY), names, &unreadable);
  }));
  if (!unreadable.empty()) return "counters: " + unreadable.front() + " unreadable";
  NetSnapshot empty = *snap;
  empty.routes.clear();
  s.deleteMs.push_back(millis([&] { del = syncInto(s.syncObject, empty); }));
  if (!del.ok()) return del.errors.front();
  return "";
}

Spread ratioSpread(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> r;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) r.push_back(b[i] > 0 ? a[i] / b[i] : 0);
  return spreadOf(r);
}

}  // namespace

std::string runScaling(const ScalingOptions& options, ScalingResult& out) {
  out.runs = options.runs;
  out.packets = options.packets;
  out.repeat = options.repeat;
  out.loadBefore = loadavg();
  auto bench = loader::BpfObject::load(loader::ObjectKind::Bench);
  if (!bench.ok()) return "bench programs: " + bench.error();

  std::vector<std::unique_ptr<CountState>> counts;
  for (uint32_t sites : options.sites) {
    auto s = std::make_unique<CountState>();
    s->sites = sites;
    if (std::string err = setUp(*s, bench, options.seed, options.packets); !err.empty())
      return std::to_string(sites) + " sites: " + err;
    counts.push_back(std::move(s));
  }

  for (uint32_t run = 0; run < options.runs; ++run) {
    // Lookup: every count's two rows in one measureRows pass (one run,
    // floor timed in it), so the counts are interleaved and share a floor.
    std::vector<BenchRow> rows;
    for (const auto& s : counts) {
      rows.push_back(s->exactRow);
      rows.push_back(s->lpmRow);
    }
    std::string error;
    MeasureOptions once{1, options.repeat};
    std::vector<RowResult> results = measureRows(rows, bench, counts.front()->exact->meshUdpPackets(), once, error);
    if (!error.empty()) return error;
    for (size_t i = 0; i < counts.size(); ++i) {
      counts[i]->lookupExact.push_back(results[2 * i].aboveFloor.median);
      counts[i]->lookupLpm.push_back(results[2 * i + 1].aboveFloor.median);
      counts[i]->floor.push_back(results[2 * i].floor.median);
    }
    for (const auto& s : counts)
      if (std::string err = syncRun(*s); !err.empty()) return std::to_string(s->sites) + " sites: " + err;
  }

  for (const auto& s : counts) {
    ScalingPoint p;
    p.sites = s->sites;
    p.lookupExactNs = spreadOf(s->lookupExact);
    p.lookupLpmNs = spreadOf(s->lookupLpm);
    p.floorNs = spreadOf(s->floor);
    p.snapshotMs = spreadOf(s->snapshotMs);
    p.syncAddMs = spreadOf(s->addMs);
    p.syncNoopMs = spreadOf(s->noopMs);
    p.syncDeleteMs = spreadOf(s->deleteMs);
    p.siteNamesMs = spreadOf(s->namesMs);
    p.countersMs = spreadOf(s->countersMs);
    p.synced = s->synced;
    p.syncNote = s->syncNote;
    // Memory as a relay of this many sites holds it: sync once more.
    if (setns(s->nsFd, CLONE_NEWNET) != 0) return "cannot re-enter the namespace";
    if (SyncReport r = syncInto(s->syncObject, s->snapshot); !r.ok()) return r.errors.front();
    bpf_map* map;
    bpf_object__for_each_map(map, s->syncObject.raw()) {
      uint64_t bytes = memlockOf(bpf_map__fd(map));
      p.memlock.emplace_back(bpf_map__name(map), bytes);
      p.memlockTotal += bytes;
    }
    out.points.push_back(p);
  }
  if (counts.size() >= 2) {
    out.lookupRatioExact = ratioSpread(counts.back()->lookupExact, counts.front()->lookupExact);
    out.lookupRatioLpm = ratioSpread(counts.back()->lookupLpm, counts.front()->lookupLpm);
  }
  out.loadAfter = loadavg();
  return "";
}

}  // namespace meshfwd::bench
