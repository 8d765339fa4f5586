// The routing tunnel as the VRRP router drives it (DESIGN.md §1: only the
// master keeps it up). Through `wg`, which speaks to kernel WireGuard and
// wireguard-go alike.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "userspace/vrrp_relay_endpoint.h"

namespace meshfwd::vrrp {

// What re-adding a peer needs from its line of `wg show TUNNEL dump`
// (tab-separated: public key, preshared key, endpoint, allowed IPs, ...);
// "(none)" reads as "". nullopt when the dump has no line for the peer.
struct PeerDump {
  std::string presharedKey;
  std::string endpoint;
  std::string allowedIps;  // comma-separated, as `wg set ... allowed-ips` takes them
};
std::optional<PeerDump> parsePeerDump(const std::string& dump, const std::string& peerKey);

// Runs `wg args...` in this thread's network namespace; "" or its stderr.
std::string runWg(const std::vector<std::string>& args, std::string* out = nullptr);

// The tunnel's relay peer: its only peer (an edge's routing tunnel has one).
std::string relayPeerKey(const std::string& tunnel, std::string* error);

// Makes the tunnel handshake with the relay now, so the relay's endpoint
// and its current session both move to this router at once (DESIGN.md 1).
// A keepalive alone is not enough: a router that was master less than
// 180 s ago (or whose tunnel wg-quick brought up before meshfwd started)
// still holds a session, and its keepalive only moves the relay's
// endpoint, while the relay keeps sending with the session of whichever
// router of the site handshook last, which this one cannot decrypt; the
// site stays cut off until this router re-keys, ~15 s later (found by the
// lab; a link down/up does not clear wireguard-go's sessions). So the
// peer is removed and re-added in one `wg set` with its endpoint, allowed
// IPs, preshared key and keepalive: no session is left, and turning the
// keepalive on makes WireGuard send one, which starts a handshake.
std::string handshakeNow(const std::string& tunnel, const std::string& peerKey, int keepaliveSeconds);

// The other half: a backup's tunnel must send nothing. Taking the link down
// does not stop wireguard-go: it keeps sending persistent keepalives on its
// last session (checked: 32 bytes every 25 s through a down TUN), and the
// relay, which still accepts that session for up to 180 s, moves the
// site's endpoint to the backup and black-holes the site until the master
// re-keys (~15 s; found by the lab after every start and failover). So the
// peer is re-added the same way without a keepalive: no session, no timer.
std::string silenceNow(const std::string& tunnel, const std::string& peerKey);

class WgEndpointSetter : public EndpointSetter {
 public:
  WgEndpointSetter(std::string tunnel, std::string peerKey) : tunnel_(std::move(tunnel)), peerKey_(std::move(peerKey)) {}
  std::string setEndpoint(const std::string& endpoint) override {
    return runWg({"set", tunnel_, "peer", peerKey_, "endpoint", endpoint});
  }

 private:
  std::string tunnel_;
  std::string peerKey_;
};

}  // namespace meshfwd::vrrp
