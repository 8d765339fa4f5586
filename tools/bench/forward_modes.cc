#include "tools/bench/forward_modes.h"

#include <bpf/libbpf.h>
#include <net/if.h>

#include <cerrno>
#include <cstring>

#include "loader/datapath.h"
#include "loader/tc_hook.h"
#include "loader/xdp_hook.h"
#include "tools/bench/netns_run.h"
#include "tools/bench/site_plan.h"
#include "userspace/attach_resolve.h"
#include "userspace/datapath_apply.h"
#include "userspace/map_view.h"
#include "userspace/netlink_snapshot.h"
#include "userspace/policy_maps.h"
#include "userspace/route_sync.h"

namespace meshfwd::bench {

namespace {

constexpr const char* kNftTable = "inet meshfwd_bench_seed";

// The product's relay config for the bench's mesh, with its defaults
// (ICMPv6 errors 100/s burst 20, sampled reject events): mode (c) is
// meshfwd as a user would run it.
Config relayConfig(const std::string& tunnel) {
  Config config;
  config.role = Role::Relay;
  config.tunnel = tunnel;
  config.meshPrefix = *Ipv6Prefix::parse(kMeshPrefix);
  config.ports = {kMeshPortLo, kMeshPortHi};
  return config;
}

std::string errnoText(const std::string& what, const std::string& iface, int rc) {
  return what + " on " + iface + ": " + std::strerror(-rc);
}

}  // namespace

const char* modeName(RouterMode mode) {
  switch (mode) {
    case RouterMode::Baseline: return "baseline";
    case RouterMode::Kernel: return "a_kernel";
    case RouterMode::KernelNft: return "b_kernel_nft";
    case RouterMode::Meshfwd: return "c_meshfwd";
    case RouterMode::BareForwarder: return "d_bare_fwd";
  }
  return "?";
}

const char* modeTitle(RouterMode mode) {
  switch (mode) {
    case RouterMode::Baseline: return "drop at the router's ingress hook (subtracted from every mode)";
    case RouterMode::Kernel: return "kernel IPv6 forwarding, no filter";
    case RouterMode::KernelNft: return "kernel forwarding + the seed's nft forward chain (conntrack)";
    case RouterMode::Meshfwd: return "meshfwd relay fast path, full policy (loader attach)";
    case RouterMode::BareForwarder: return "bare BPF forwarder: FIB lookup + redirect, no policy";
  }
  return "?";
}

// Puts one of fwdbench's programs on the ingress hook (XDP on veth, TC on
// the TUN), replacing whatever is there. Runs inside the router netns.
std::string RouterModes::setIngress(const char* program) {
  int ifindex = static_cast<int>(if_nametoindex(spec_.inIf.c_str()));
  if (ifindex == 0) return "no interface " + spec_.inIf;
  int fd = fwdbench_.progFd(program);
  if (fd < 0) return std::string("no program ") + program;
  if (spec_.tun) {
    bool created = false;
    if (int rc = loader::ensureClsact(ifindex, &created)) return errnoText("clsact", spec_.inIf, rc);
    if (int rc = loader::installTc(ifindex, fd)) return errnoText("TC ingress", spec_.inIf, rc);
    return "";
  }
  loader::XdpHookState current;
  if (int rc = loader::queryXdp(ifindex, current)) return errnoText("XDP query", spec_.inIf, rc);
  if (int rc = loader::installXdp(ifindex, fd, loader::XdpMode::Native, current))
    return errnoText("native XDP", spec_.inIf, rc);
  return "";
}

// `meshfwd attach --role relay --tunnel IN`: on the TUN exactly that
// (attachDatapath). On veth the egress is a second interface, so the
// seeding step is the same as attachDatapath's with that interface added to
// the sync targets, as a relay with two tunnels would have it.
std::string RouterModes::attachRelay() {
  std::string error;
  auto net = readNetSnapshot(&error);
  if (!net) return "netlink: " + error;
  Config config = relayConfig(spec_.inIf);
  if (spec_.tun) {
    DatapathApply applied = attachDatapath(config, *net, false);
    if (!applied.configErrors.empty()) return applied.configErrors.front();
    return applied.error;
  }
  ResolvedAttach resolved = resolveOnThisMachine(config, *net);
  if (!resolved.ok()) return resolved.errors.front();
  resolved.sync.tunnels.push_back(spec_.outIf);

  loader::AttachRequest request;
  request.kind = loader::ObjectKind::Relay;
  request.tunnel = spec_.inIf;
  request.seedMaps = [&](const loader::BpfObject& object) -> std::string {
    BpfMapView<mf_egress_key, mf_egress> egress(object.mapFd("mf_egress"));
    BpfMapView<mf_egress64_key, mf_egress> exact(object.mapFd("mf_egress64"));
    BpfMapView<uint32_t, mf_tunnel> tunnels(object.mapFd("mf_tunnels"));
    BpfMapView<mf_local_key, uint32_t> local(object.mapFd("mf_local_addrs"));
    BpfMapView<uint32_t, mf_local_filter> localFilter(object.mapFd("mf_local_filter"));
    SyncReport report = RouteSync(egress, exact, tunnels, local, localFilter).sync(*net, resolved.sync);
    if (!report.ok()) return report.errors.front();
    if (report.egress.adds.empty()) return "route sync found no route to a site through " + spec_.outIf;
    BpfConfigSlots slots(object.mapFd("mf_config"), object.mapFd("mf_active"));
    ApplyResult applied = applyGeneration(slots, buildMfConfig(config, resolved.inputs));
    return applied.ok ? "" : applied.error;
  };
  return loader::attach(request).error;
}

std::string RouterModes::enter(RouterMode mode) {
  return runInNetns(spec_.netns, [&]() -> std::string {
    switch (mode) {
      case RouterMode::Baseline:
        return setIngress(spec_.tun ? "fwdbench_tc_drop" : "fwdbench_xdp_drop");
      case RouterMode::Kernel:
        return setIngress(spec_.tun ? "fwdbench_tc_pass" : "fwdbench_xdp_pass");
      case RouterMode::KernelNft: {
        if (std::string err = setIngress(spec_.tun ? "fwdbench_tc_pass" : "fwdbench_xdp_pass"); !err.empty())
          return err;
        return runShell("ip netns exec " + spec_.netns + " nft --define in_if=" + spec_.inIf +
                            " --define out_if=" + spec_.outIf + " -f -",
                        spec_.nftRuleset);
      }
      case RouterMode::Meshfwd:
        // On the TUN the relay's own TC program is the ingress hook.
        if (!spec_.tun) {
          if (std::string err = setIngress("fwdbench_xdp_pass"); !err.empty()) return err;
        }
        return attachRelay();
      case RouterMode::BareForwarder:
        return setIngress(spec_.tun ? "fwdbench_tc_fib_fwd" : "fwdbench_xdp_fib_fwd");
    }
    return "unknown mode";
  });
}

std::string RouterModes::leave(RouterMode mode) {
  return runInNetns(spec_.netns, [&]() -> std::string {
    if (mode == RouterMode::Meshfwd) return loader::detach();
    if (mode == RouterMode::KernelNft) {
      if (std::string err = runShell("ip netns exec " + spec_.netns + " nft delete table " + kNftTable); !err.empty())
        return err;
    }
    // The TUN's TC slot must be free for the relay's attach; an XDP
    // program on veth is simply replaced by the next mode's.
    if (spec_.tun) {
      int ifindex = static_cast<int>(if_nametoindex(spec_.inIf.c_str()));
      if (int rc = loader::removeTc(ifindex)) return errnoText("removing the TC filter", spec_.inIf, rc);
    }
    return "";
  });
}

void RouterModes::clear() {
  runInNetns(spec_.netns, [&]() -> std::string {
    loader::detach();
    runShell("ip netns exec " + spec_.netns + " nft delete table " + kNftTable + " 2>/dev/null");
    int ifindex = static_cast<int>(if_nametoindex(spec_.inIf.c_str()));
    if (ifindex == 0) return "";
    if (spec_.tun) {
      loader::destroyClsact(ifindex);
    } else {
      loader::XdpHookState current;
      if (loader::queryXdp(ifindex, current) == 0) loader::removeXdp(ifindex, current);
    }
    return "";
  });
}

}  // namespace meshfwd::bench
