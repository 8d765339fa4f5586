#include "tools/bench/forward_bench.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <map>
#include <optional>
#include <ostream>
#include <thread>

#include "loader/map_ops.h"
#include "loader/xdp_hook.h"
#include "tests/support/poll_until.h"
#include "tools/bench/bpf_run_stats.h"
#include "tools/bench/forward_topology.h"
#include "tools/bench/netns_run.h"

namespace meshfwd::bench {

namespace {

constexpr uint32_t kSinkDeliveredSlot = 0;  // fwdbench_counts, bpf/fwdbench.bpf.c

std::string loadavg() {
  std::ifstream f("/proc/loadavg");
  std::string a, b, c;
  f >> a >> b >> c;
  return a + " " + b + " " + c;
}

uint64_t sinkDelivered(const loader::BpfObject& fwdbench) {
  std::vector<uint64_t> perCpu;
  if (loader::lookupPerCpu(fwdbench.mapFd("fwdbench_counts"), kSinkDeliveredSlot, perCpu) != 0) return 0;
  uint64_t sum = 0;
  for (uint64_t n : perCpu) sum += n;
  return sum;
}

// The TUN's far end: reads what the router sends back into the tunnel and
// counts it, as the sink's XDP counter does on veth.
class TunReader {
 public:
  explicit TunReader(int fd) : fd_(fd), thread_([this] { loop(); }) {}
  ~TunReader() {
    stop_ = true;
    thread_.join();
  }
  uint64_t count() const { return count_.load(); }

 private:
  void loop() {
    std::vector<uint8_t> buf(65536);
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      while (read(fd_, buf.data(), buf.size()) > 0) {
        count_.fetch_add(1, std::memory_order_relaxed);
        pollfd again{fd_, POLLIN, 0};
        if (poll(&again, 1, 0) <= 0) break;
      }
    }
  }
  int fd_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> count_{0};
  std::thread thread_;
};

struct Shape {
  std::string name;
  RouterSpec router;
  std::string sendNetns, sendIf;
  int tunFd = -1;
  uint32_t pps = 0;
  const std::vector<LoadPackets>* loads = nullptr;
  bool l2 = true;
};

ForwardCell& cellFor(std::vector<ForwardCell>& cells, const std::string& shape, RouterMode mode, Load load) {
  for (ForwardCell& c : cells)
    if (c.shape == shape && c.mode == mode && c.load == load) return c;
  ForwardCell cell;
  cell.shape = shape;
  cell.mode = mode;
  cell.load = load;
  cells.push_back(cell);
  return cells.back();
}

const ForwardCell* findCell(const std::vector<ForwardCell>& cells, const std::string& shape, RouterMode mode,
                            Load load) {
  for (const ForwardCell& c : cells)
    if (c.shape == shape && c.mode == mode && c.load == load) return &c;
  return nullptr;
}

std::string routerError(RouterMode mode, const std::string& what, const std::string& err) {
  return std::string(modeName(mode)) + ": " + what + ": " + err;
}

// One run of one shape: every mode, in an order rotated by the run number
// so no mode always follows the same one, every load in each.
std::string runShape(const Shape& shape, RouterModes& modes, const ForwardOptions& options, uint32_t run,
                     const std::function<uint64_t()>& delivered, std::vector<ForwardCell>& cells,
                     std::ostream* progress) {
  std::vector<RouterMode> order(std::begin(kRouterModes), std::end(kRouterModes));
  std::rotate(order.begin(), order.begin() + run % order.size(), order.end());
  std::map<std::pair<RouterMode, Load>, double> cpu;
  for (RouterMode mode : order) {
    if (!options.runsMode(mode)) continue;
    if (std::string err = modes.enter(mode); !err.empty()) {
      modes.clear();
      return routerError(mode, "entering", err);
    }
    for (const LoadPackets& lp : *shape.loads) {
      PacedSend pace{shape.pps, options.seconds, options.cpu};
      SendWindow w;
      uint64_t before = delivered();
      BpfRunSample bpf0, bpf1;
      if (options.profile) bpf0 = sampleIngressPrograms(shape.router.netns, shape.router.inIf);
      std::string err = sendPaced(shape.sendNetns, shape.sendIf, shape.tunFd, shape.l2 ? lp.l2 : lp.l3, pace, w);
      if (options.profile) bpf1 = sampleIngressPrograms(shape.router.netns, shape.router.inIf);
      if (!err.empty()) {
        modes.clear();
        return routerError(mode, "sending", err);
      }
      // Count once the last burst has drained through the router: the sink
      // unchanged over one poll interval (at most 200 ms).
      uint64_t settled = UINT64_MAX;
      test::pollUntil(
          [&] {
            uint64_t now = delivered();
            bool same = now == settled;
            settled = now;
            return same;
          },
          std::chrono::milliseconds(200), std::chrono::milliseconds(10));
      uint64_t got = settled - before;
      ForwardCell& c = cellFor(cells, shape.name, mode, lp.load);
      c.cpuNs.push_back(w.cpuNsPerPacket());
      c.delivered.push_back(w.sent ? double(got) / double(w.sent) : 0);
      c.offeredPps.push_back(w.seconds > 0 ? double(w.sent) / w.seconds : 0);
      cpu[{mode, lp.load}] = w.cpuNsPerPacket();
      if (options.profile && w.sent) c.bpfNs.push_back(double(bpf1.runTimeNs - bpf0.runTimeNs) / double(w.sent));
      if (progress)
        *progress << "  run " << run + 1 << " " << shape.name << " " << modeName(mode) << " " << loadName(lp.load)
                  << ": " << static_cast<int>(w.cpuNsPerPacket()) << " ns/packet, " << w.sent << " sent, " << got
                  << " delivered\n";
    }
    if (std::string err = modes.leave(mode); !err.empty()) {
      modes.clear();
      return routerError(mode, "leaving", err);
    }
  }
  for (const LoadPackets& lp : *shape.loads) {
    double base = cpu[{RouterMode::Baseline, lp.load}];
    double b = cpu[{RouterMode::KernelNft, lp.load}] - base;
    for (RouterMode mode : kRouterModes) {
      if (!options.runsMode(mode)) continue;
      ForwardCell& c = cellFor(cells, shape.name, mode, lp.load);
      double share = cpu[{mode, lp.load}] - base;
      c.routerNs.push_back(share);
      c.ratioToB.push_back(b > 0 ? share / b : 0);
    }
  }
  return "";
}

// Ratio of two modes' router shares, run by run.
Spread pairRatio(const std::vector<ForwardCell>& cells, const std::string& shape, Load load, RouterMode mode,
                 RouterMode against) {
  const ForwardCell* a = findCell(cells, shape, mode, load);
  const ForwardCell* b = findCell(cells, shape, against, load);
  if (!a || !b) return {};
  std::vector<double> r;
  for (size_t i = 0; i < a->routerNs.size() && i < b->routerNs.size(); ++i)
    r.push_back(b->routerNs[i] > 0 ? a->routerNs[i] / b->routerNs[i] : 0);
  return spreadOf(r);
}

std::vector<LoadPackets> selectLoads(std::vector<LoadPackets> all, const std::vector<std::string>& names) {
  if (names.empty()) return all;
  std::vector<LoadPackets> kept;
  for (LoadPackets& lp : all)
    if (std::find(names.begin(), names.end(), loadName(lp.load)) != names.end()) kept.push_back(std::move(lp));
  return kept;
}

}  // namespace

bool ForwardOptions::runsMode(RouterMode mode) const {
  if (mode == RouterMode::Baseline || modes.empty()) return true;
  return std::find(modes.begin(), modes.end(), modeName(mode)) != modes.end();
}

std::string runForward(const ForwardOptions& options, ForwardResult& out, std::ostream* progress) {
  out.options = options;
  out.loadBefore = loadavg();
  ForwardOptions opts = options;
  if (opts.cpu < 0) opts.cpu = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)) - 1;

  for (const std::string& name : opts.loads) {
    bool known = false;
    for (Load l : kLoads) known |= name == loadName(l);
    if (!known) return "--loads: no load named '" + name + "' (allowed, flood_wrong_port, flood_wrong_dest, mix)";
  }
  for (const std::string& name : opts.modes) {
    bool known = false;
    for (RouterMode m : kRouterModes) known |= name == modeName(m);
    if (!known) return "--modes: no mode named '" + name + "' (a_kernel, b_kernel_nft, c_meshfwd, d_bare_fwd)";
  }
  loader::UniqueFd stats;
  if (opts.profile) {
    stats = enableBpfRunStats();
    if (!stats.valid()) return "--profile: cannot enable BPF run-time stats";
  }
  auto fwdbench = loader::BpfObject::load(loader::ObjectKind::FwdBench);
  if (!fwdbench.ok()) return "fwdbench programs: " + fwdbench.error();

  SitePlan plan(opts.sites, opts.seed);
  sweepStaleForwardLabs();
  ForwardLab lab(std::to_string(getpid()));
  std::vector<LoadPackets> vethLoads, tunLoads;

  if (opts.veth) {
    if (std::string err = lab.buildVeth(plan); !err.empty()) return "veth lab: " + err;
    const VethLab& v = lab.veth();
    if (std::string err = runInNetns(v.sink, [&]() -> std::string {
          loader::XdpHookState none;
          int rc = loader::installXdp(static_cast<int>(v.sinkIfindex), fwdbench.progFd("fwdbench_sink_count"),
                                      loader::XdpMode::Native, none);
          return rc ? "sink XDP counter: " + std::string(strerror(-rc)) : "";
        });
        !err.empty())
      return err;
    vethLoads = selectLoads(buildLoads(plan, opts.packetsPerLoad, v.genMac, v.routerInMac), opts.loads);
  }
  if (opts.tun) {
    if (std::string err = lab.buildTun(plan); !err.empty()) return "TUN lab: " + err;
    tunLoads = selectLoads(buildLoads(plan, opts.packetsPerLoad, {}, {}), opts.loads);
  }

  std::optional<RouterModes> vethModes, tunModes;
  std::optional<TunReader> reader;
  Shape veth, tun;
  if (opts.veth) {
    const VethLab& v = lab.veth();
    veth = {"veth", {v.router, v.routerIn, v.routerOut, false, opts.nftRuleset}, v.gen, v.genIf, -1, opts.vethPps,
            &vethLoads, true};
    vethModes.emplace(veth.router, fwdbench);
  }
  if (opts.tun) {
    const TunLab& t = lab.tun();
    tun = {"tun", {t.router, t.tunIf, t.tunIf, true, opts.nftRuleset}, t.router, t.tunIf, t.tunFd, opts.tunPps,
           &tunLoads, false};
    tunModes.emplace(tun.router, fwdbench);
    reader.emplace(t.tunFd);
  }

  for (uint32_t run = 0; run < opts.runs; ++run) {
    if (opts.veth) {
      auto delivered = [&] { return sinkDelivered(fwdbench); };
      if (std::string err = runShape(veth, *vethModes, opts, run, delivered, out.cells, progress); !err.empty())
        return "veth: " + err;
    }
    if (opts.tun) {
      auto delivered = [&] { return reader->count(); };
      if (std::string err = runShape(tun, *tunModes, opts, run, delivered, out.cells, progress); !err.empty())
        return "tun: " + err;
    }
  }
  if (vethModes) vethModes->clear();
  if (tunModes) tunModes->clear();

  auto goal = [&](std::string what, const std::string& shape, Load load, RouterMode mode, RouterMode against,
                  double limit) {
    if (!findCell(out.cells, shape, mode, load) || !findCell(out.cells, shape, against, load)) return;
    ForwardGoal g{std::move(what), shape, load, mode, against, limit, {}};
    g.ratio = pairRatio(out.cells, shape, load, mode, against);
    out.goals.push_back(g);
  };
  for (const char* shape : {"veth", "tun"}) {
    goal("fast path within 1.1x of the bare forwarder (d)", shape, Load::Allowed, RouterMode::Meshfwd,
         RouterMode::BareForwarder, 1.1);
    goal("fast path at most 0.5x of kernel + nft (b)", shape, Load::Allowed, RouterMode::Meshfwd,
         RouterMode::KernelNft, 0.5);
    goal("wrong-port flood at most 1/5 of (b) per dropped packet", shape, Load::FloodWrongPort, RouterMode::Meshfwd,
         RouterMode::KernelNft, 0.2);
    goal("wrong-destination flood at most 1/5 of (b) per dropped packet", shape, Load::FloodWrongDest,
         RouterMode::Meshfwd, RouterMode::KernelNft, 0.2);
  }
  out.loadAfter = loadavg();
  return "";
}

}  // namespace meshfwd::bench
