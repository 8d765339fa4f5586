// The UDP port a WireGuard interface listens on, for the relay's guard when
// the config does not name it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace meshfwd {

// Asks wireguard-go through its UAPI socket (/var/run/wireguard/IF.sock,
// the same `get=1` exchange `wg show` uses). Kernel WireGuard answers over
// generic netlink, which this build does not speak: nullopt with `why`
// set then, and the caller asks for the port explicitly.
std::optional<uint16_t> wireguardListenPort(const std::string& ifname, std::string* why);

// True when `ifname` is served by wireguard-go (its UAPI socket exists).
bool isWireguardGoInterface(const std::string& ifname);

// The listen_port=N line of a UAPI `get` reply; nullopt when absent or 0.
std::optional<uint16_t> parseUapiListenPort(const std::string& reply);

}  // namespace meshfwd
