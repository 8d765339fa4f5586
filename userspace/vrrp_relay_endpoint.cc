#include "userspace/vrrp_relay_endpoint.h"

#include <arpa/inet.h>
#include <netdb.h>

#include <algorithm>

namespace meshfwd::vrrp {

std::optional<HostPort> parseHostPort(const std::string& text) {
  HostPort hp;
  size_t colon;
  if (!text.empty() && text[0] == '[') {
    size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') return std::nullopt;
    hp.host = text.substr(1, close - 1);
    colon = close + 1;
  } else {
    colon = text.rfind(':');
    if (colon == std::string::npos || text.find(':') != colon) return std::nullopt;  // bare IPv6 needs brackets
    hp.host = text.substr(0, colon);
  }
  hp.port = text.substr(colon + 1);
  if (hp.host.empty() || hp.port.empty() || hp.port.size() > 5 ||
      !std::all_of(hp.port.begin(), hp.port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stoul(hp.port) == 0 || std::stoul(hp.port) > 65535)
    return std::nullopt;
  return hp;
}

std::string formatEndpoint(const std::string& address, const std::string& port) {
  return address.find(':') != std::string::npos ? "[" + address + "]:" + port : address + ":" + port;
}

std::optional<std::string> nextEndpoint(const std::vector<std::string>& resolved, const std::string& port,
                                        const std::string& current) {
  if (resolved.empty()) return std::nullopt;  // keep what works rather than nothing
  for (const auto& a : resolved)
    if (formatEndpoint(a, port) == current) return std::nullopt;
  return formatEndpoint(resolved.front(), port);
}

std::vector<std::string> GetaddrinfoResolver::resolve(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* list = nullptr;
  std::vector<std::string> out;
  if (::getaddrinfo(host.c_str(), nullptr, &hints, &list) != 0) return out;
  for (addrinfo* ai = list; ai; ai = ai->ai_next) {
    char text[INET6_ADDRSTRLEN];
    const void* raw = ai->ai_family == AF_INET6 ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr)
                                                : static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr);
    if (::inet_ntop(ai->ai_family, raw, text, sizeof text) &&
        std::find(out.begin(), out.end(), text) == out.end())
      out.emplace_back(text);
  }
  ::freeaddrinfo(list);
  return out;
}

std::string RelayEndpointRefresher::refresh() {
  auto next = nextEndpoint(resolver_.resolve(relay_.host), relay_.port, applied_);
  if (!next) return "";
  if (auto e = setter_.setEndpoint(*next); !e.empty()) return e;
  applied_ = *next;
  ++updates_;
  return "";
}

}  // namespace meshfwd::vrrp
