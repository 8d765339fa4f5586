#include "userspace/attach_resolve.h"

#include "userspace/local_addrs.h"

namespace meshfwd {

ResolvedAttach resolveAttach(const Config& config, const NetSnapshot& net, std::optional<uint16_t> wgPort,
                             const std::string& wgPortWhy, unsigned possibleCpus) {
  ResolvedAttach r;
  const bool edge = config.role == Role::Edge;
  r.inputs.possibleCpus = possibleCpus;

  const LinkFacts* tunnel = net.linkByName(config.tunnel);
  if (!tunnel) {
    r.errors.push_back("--tunnel: interface '" + config.tunnel + "' does not exist");
    return r;
  }
  auto tunnelL2 = l2HeaderLength(tunnel->arpType);
  if (!tunnelL2) {
    r.errors.push_back("--tunnel: '" + tunnel->name + "' is neither a WireGuard/TUN nor an Ethernet device (link type " +
                       std::to_string(tunnel->arpType) + ")");
    return r;
  }
  r.inputs.tunnelIfindex = tunnel->ifindex;
  r.inputs.tunnelMtu = tunnel->mtu;
  r.inputs.tunnelL2Len = *tunnelL2;

  uint32_t sourceIfindex = tunnel->ifindex;
  if (edge) {
    const LinkFacts* lan = net.linkByName(config.lan);
    if (!lan) {
      r.errors.push_back("LAN_IF: interface '" + config.lan + "' does not exist");
      return r;
    }
    if (l2HeaderLength(lan->arpType) != uint16_t{14}) {
      r.errors.push_back("LAN_IF: '" + lan->name + "' is not an Ethernet interface (XDP on the LAN needs one)");
      return r;
    }
    r.inputs.lanIfindex = lan->ifindex;
    r.inputs.lanL2Len = 14;
    r.inputs.routerMac = lan->mac;
    sourceIfindex = lan->ifindex;
  } else if (!config.uplink.empty() && !net.linkByName(config.uplink)) {
    r.errors.push_back("UPLINK: interface '" + config.uplink + "' does not exist");
    return r;
  }

  if (config.icmpSource) {
    r.inputs.icmpSource = *config.icmpSource;
  } else if (auto found = pickIcmpSource(net, sourceIfindex, edge ? config.sitePrefix : std::nullopt)) {
    r.inputs.icmpSource = *found;
  } else {
    const LinkFacts* l = net.linkByIndex(sourceIfindex);
    r.errors.push_back("no IPv6 address on " + (l ? l->name : std::string("?")) +
                       " to send ICMPv6 errors from: add one, or pass --icmp-source");
  }

  if (!edge && config.guard.enabled && !config.uplink.empty()) {
    if (config.guard.listenPort)
      r.inputs.wgListenPort = config.guard.listenPort;
    else if (wgPort)
      r.inputs.wgListenPort = *wgPort;
    else
      r.warnings.push_back("WireGuard-port guard on " + config.uplink + " is off: cannot read " + config.tunnel +
                           "'s listen port (" + wgPortWhy + "); pass --wg-port");
  }

  r.sync.mesh = config.meshPrefix;
  r.sync.tunnels = {config.tunnel};
  // The edge's only egress is its tunnel, named in mf_config; mf_egress is
  // the relay's routing table.
  r.sync.syncEgress = !edge;
  r.sync.preferredLocal = {config.tunnel};
  if (edge) r.sync.preferredLocal.push_back(config.lan);
  else if (!config.uplink.empty()) r.sync.preferredLocal.push_back(config.uplink);
  return r;
}

}  // namespace meshfwd
