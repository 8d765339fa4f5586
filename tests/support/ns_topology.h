// The pieces of the seed's network (DESIGN.md 1) that the namespace tests
// and the demo assemble: an "internet" to plug boxes into, the relay's
// routing tunnel with one WireGuard peer per site, and a site's routing
// tunnel to the relay. Addresses follow one plan, below.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tests/support/netns.h"
#include "tests/support/ns_wireguard.h"
#include "tests/support/packet.h"

namespace meshfwd::test {

inline constexpr const char* kPlanMeshPrefix = "fd42:4242:4242::/48";
inline constexpr const char* kPlanPorts = "58000-60000";
inline constexpr uint16_t kPlanRelayWgPort = 51820;
inline constexpr int kPlanUplinkMtu = 1500;
inline constexpr int kPlanRoutingTunnelMtu = kPlanUplinkMtu - 80;  // DESIGN.md 1
inline constexpr int kPlanMeshMtu = kPlanRoutingTunnelMtu - 80;
inline const In6 kPlanRelayTunnelAddr = In6::parse("fd99::1");  // outside the /48, as the seed asks

// One site of the plan: site 'a' gets fd42:4242:4242:a::/64, routing-tunnel
// address fd99::a, and hosts from fd42:4242:4242:a::10 up.
struct SitePlan {
  char letter;
  std::string prefix() const { return std::string("fd42:4242:4242:") + letter + "::/64"; }
  In6 host(int n = 0x10) const;  // fd42:4242:4242:<letter>::<n in hex>
  In6 tunnelAddr() const { return In6::parse(std::string("fd99::") + letter); }
};

// A bridge in its own namespace; every box's uplink is a veth into it.
// Underlay addresses: 2001:db8:ffff::/64 and 192.0.2.0/24 (documentation
// ranges, only ever inside these namespaces).
class Internet {
 public:
  explicit Internet(const TestScope& scope);
  // A veth named `uplink` in `box`, its other end on the bridge; the
  // addresses (with prefix length) on it, MTU kPlanUplinkMtu, up.
  void plug(const NetNs& box, const std::string& uplink, const std::vector<std::string>& addresses);
  const NetNs& ns() const { return ns_; }

 private:
  const TestScope& scope_;
  NetNs ns_;
  std::string bridge_;
  int ports_ = 0;
};

// The relay's routing tunnel: address fd99::1/128, one peer per site with
// AllowedIPs = the site's tunnel /128 and its /64 (one WireGuard identity
// per site, DESIGN.md 1), and the matching routes, as wg-quick would add.
class RelayTunnel {
 public:
  RelayTunnel(const NetNs& relay, const std::string& ifname, const std::string& workDir);
  void addSite(const SitePlan& site, const std::string& sitePublicKey);
  WireguardInterface& wg() { return *wg_; }
  const std::string& name() const { return wg_->name(); }
  const std::string& publicKey() const { return wg_->keys().publicKey; }

 private:
  const NetNs& relay_;
  std::unique_ptr<WireguardInterface> wg_;
};

// A site's routing tunnel to the relay: the site's key, its tunnel /128,
// the relay as the only peer (AllowedIPs = the /48 + the relay's /128,
// PersistentKeepalive 25, endpoint = the relay's underlay address), and a
// route for the /48 through it. `extraAddresses` go on the tunnel too.
std::unique_ptr<WireguardInterface> makeSiteTunnel(const NetNs& box, const std::string& ifname, const SitePlan& site,
                                                   const WgKeyPair& siteKeys, const RelayTunnel& relay,
                                                   const std::string& relayEndpoint, const std::string& workDir);

// Pings from `src` in `box` to `dst` until a reply comes: the first packet
// makes wireguard-go handshake. True once it works.
bool waitForPing(const NetNs& box, const In6& src, const In6& dst, std::chrono::milliseconds timeout);

}  // namespace meshfwd::test
