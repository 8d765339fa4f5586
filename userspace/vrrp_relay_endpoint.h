// Keeps the routing tunnel's relay endpoint on the address the relay's DNS
// name resolves to now (DESIGN.md §6: a name resolved once goes stale
// after a DHCP lease or SIM switch), as wireguard-tools' reresolve-dns
// does. The decision is pure; resolving and applying sit behind interfaces.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace meshfwd::vrrp {

struct HostPort {
  std::string host;  // name or address, without brackets
  std::string port;
};
// "relay.example:51820", "[2001:db8::1]:51820", "192.0.2.1:51820".
std::optional<HostPort> parseHostPort(const std::string& text);
// The form `wg set ... endpoint` takes: IPv6 in brackets.
std::string formatEndpoint(const std::string& address, const std::string& port);

// The endpoint to apply, or nullopt to leave it: the current one while the
// name still resolves to it (no churn with round-robin DNS), the first
// resolved address otherwise; nothing when the name does not resolve now.
std::optional<std::string> nextEndpoint(const std::vector<std::string>& resolved, const std::string& port,
                                        const std::string& current);

class Resolver {
 public:
  virtual ~Resolver() = default;
  // Numeric addresses, in the resolver's preference order; empty on failure.
  virtual std::vector<std::string> resolve(const std::string& host) = 0;
};

class GetaddrinfoResolver : public Resolver {
 public:
  std::vector<std::string> resolve(const std::string& host) override;
};

class EndpointSetter {
 public:
  virtual ~EndpointSetter() = default;
  // "" or an error.
  virtual std::string setEndpoint(const std::string& endpoint) = 0;
};

class RelayEndpointRefresher {
 public:
  RelayEndpointRefresher(HostPort relay, Resolver& resolver, EndpointSetter& setter)
      : relay_(std::move(relay)), resolver_(resolver), setter_(setter) {}

  // Resolves and applies when it changed. "" or the setter's error.
  std::string refresh();
  const std::string& applied() const { return applied_; }
  uint64_t updates() const { return updates_; }

 private:
  HostPort relay_;
  Resolver& resolver_;
  EndpointSetter& setter_;
  std::string applied_;
  uint64_t updates_ = 0;
};

}  // namespace meshfwd::vrrp
