// WireGuard interfaces made by wireguard-go (there is no kernel module on
// these machines, DESIGN.md 5) and configured with `wg`, exactly as a person
// would: same commands, a TUN device underneath.
//
// wireguard-go's control socket is /var/run/wireguard/<ifname>.sock for the
// whole machine, so every interface name must be unique machine-wide; the
// TestScope prefix guarantees that.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/netns.h"

namespace meshfwd::test {

struct WgKeyPair {
  std::string privateKey;
  std::string publicKey;
};
WgKeyPair generateWgKeyPair();

struct WgPeer {
  std::string publicKey;
  std::string endpoint;                 // "[addr]:port" or "a.b.c.d:port"; empty: learned by roaming
  std::vector<std::string> allowedIps;  // prefixes
  int persistentKeepalive = 0;          // seconds; 0 off
};

class WireguardInterface {
 public:
  // Starts `wireguard-go -f ifname` inside `ns` and waits for its control
  // socket, then sets the key and listen port (0: none, a pure initiator).
  WireguardInterface(const NetNs& ns, const std::string& ifname, const WgKeyPair& keys, uint16_t listenPort,
                     const std::string& workDir);
  // Stops wireguard-go (which removes its TUN) and removes its socket.
  ~WireguardInterface();
  WireguardInterface(const WireguardInterface&) = delete;
  WireguardInterface& operator=(const WireguardInterface&) = delete;

  const std::string& name() const { return name_; }
  const WgKeyPair& keys() const { return keys_; }
  uint16_t listenPort() const { return listenPort_; }

  void addPeer(const WgPeer& peer);
  // Address (with nodad: the tests do not wait for DAD), MTU, link up.
  void up(const std::vector<std::string>& addresses, int mtu);
  // The Unix time of the last handshake with this peer, 0 if none.
  uint64_t latestHandshake(const std::string& peerPublicKey) const;
  // `wg show <if>`, for failure messages.
  std::string show() const;

 private:
  const NetNs& ns_;
  std::string name_;
  WgKeyPair keys_;
  uint16_t listenPort_;
  std::string socketPath_;
  std::unique_ptr<BackgroundProcess> process_;
};

}  // namespace meshfwd::test
