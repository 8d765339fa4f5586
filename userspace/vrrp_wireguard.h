// The routing tunnel as the VRRP router drives it (DESIGN.md §1: only the
// master keeps it up). Through `wg`, which speaks to kernel WireGuard and
// wireguard-go alike.
#pragma once

#include <string>
#include <vector>

#include "userspace/vrrp_relay_endpoint.h"

namespace meshfwd::vrrp {

// Runs `wg args...` in this thread's network namespace; "" or its stderr.
std::string runWg(const std::vector<std::string>& args, std::string* out = nullptr);

// The tunnel's relay peer: its only peer (an edge's routing tunnel has one).
std::string relayPeerKey(const std::string& tunnel, std::string* error);

// Makes WireGuard send a keepalive now, so the relay's endpoint roams to
// this router at once. Neither a link-up nor re-applying the same
// persistent-keepalive does that on wireguard-go (checked); turning
// persistent-keepalive from off to on does (wireguard-go and the kernel
// both send one on that edge), so set 0 and then the interval in one call.
std::string sendKeepaliveNow(const std::string& tunnel, const std::string& peerKey, int keepaliveSeconds);

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
