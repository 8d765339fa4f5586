#include "tests/support/ns_topology.h"

#include <cstdio>

#include "tests/support/poll_until.h"
#include "tests/support/ns_socket.h"

namespace meshfwd::test {

In6 SitePlan::host(int n) const {
  char text[64];
  std::snprintf(text, sizeof text, "fd42:4242:4242:%c::%x", letter, n);
  return In6::parse(text);
}

Internet::Internet(const TestScope& scope) : scope_(scope), ns_(scope.name("inet")), bridge_(scope.name("br")) {
  ns_.ip("link add " + bridge_ + " type bridge");
  // No multicast snooping: neighbour discovery between the boxes must not
  // depend on MLD reports the bridge may not have learnt yet.
  ns_.ip("link set " + bridge_ + " type bridge mcast_snooping 0");
  ns_.ip("link set " + bridge_ + " up");
}

void Internet::plug(const NetNs& box, const std::string& uplink, const std::vector<std::string>& addresses) {
  std::string port = scope_.name("p" + std::to_string(++ports_));
  addVethPair(box, uplink, ns_, port);
  ns_.ip("link set " + port + " master " + bridge_ + " up");
  for (const auto& a : addresses) {
    bool v6 = a.find(':') != std::string::npos;
    box.ip("addr add " + a + " dev " + uplink + (v6 ? " nodad" : ""));
  }
  box.ip("link set " + uplink + " mtu " + std::to_string(kPlanUplinkMtu) + " up");
}

RelayTunnel::RelayTunnel(const NetNs& relay, const std::string& ifname, const std::string& workDir)
    : relay_(relay) {
  wg_ = std::make_unique<WireguardInterface>(relay, ifname, generateWgKeyPair(), kPlanRelayWgPort, workDir);
  wg_->up({kPlanRelayTunnelAddr.str() + "/128"}, kPlanRoutingTunnelMtu);
}

void RelayTunnel::addSite(const SitePlan& site, const std::string& sitePublicKey) {
  // No endpoint: a site may sit behind CG-NAT; the relay learns it from the
  // site's handshake (roaming).
  wg_->addPeer({sitePublicKey, "", {site.tunnelAddr().str() + "/128", site.prefix()}, 0});
  relay_.ip("route add " + site.tunnelAddr().str() + "/128 dev " + name());
  relay_.ip("route add " + site.prefix() + " dev " + name());
}

std::unique_ptr<WireguardInterface> makeSiteTunnel(const NetNs& box, const std::string& ifname, const SitePlan& site,
                                                   const WgKeyPair& siteKeys, const RelayTunnel& relay,
                                                   const std::string& relayEndpoint, const std::string& workDir) {
  auto wg = std::make_unique<WireguardInterface>(box, ifname, siteKeys, 0, workDir);
  wg->addPeer({relay.publicKey(), relayEndpoint, {kPlanMeshPrefix, kPlanRelayTunnelAddr.str() + "/128"}, 25});
  wg->up({site.tunnelAddr().str() + "/128"}, kPlanRoutingTunnelMtu);
  box.ip(std::string("route add ") + kPlanMeshPrefix + " dev " + ifname);
  box.ip("route add " + kPlanRelayTunnelAddr.str() + "/128 dev " + ifname);
  return wg;
}

bool waitForPing(const NetNs& box, const In6& src, const In6& dst, std::chrono::milliseconds timeout) {
  PingSocket ping(box.name(), src);
  // Each attempt waits a little for its own reply; the handshake that the
  // first one triggers takes a round trip or two.
  return pollUntil([&] { return ping.ping(dst, 300ms); }, timeout, 0ms);
}

}  // namespace meshfwd::test
