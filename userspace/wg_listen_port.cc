#include "userspace/wg_listen_port.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <sstream>

namespace meshfwd {

namespace {
std::string socketPath(const std::string& ifname) { return "/var/run/wireguard/" + ifname + ".sock"; }
}  // namespace

bool isWireguardGoInterface(const std::string& ifname) {
  struct stat st{};
  return stat(socketPath(ifname).c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

std::optional<uint16_t> parseUapiListenPort(const std::string& reply) {
  std::istringstream in(reply);
  std::string line;
  while (std::getline(in, line)) {
    constexpr std::string_view kKey = "listen_port=";
    if (line.rfind(kKey, 0) != 0) continue;
    unsigned port = 0;
    const char* begin = line.data() + kKey.size();
    auto [end, ec] = std::from_chars(begin, line.data() + line.size(), port);
    if (ec != std::errc() || end != line.data() + line.size() || port == 0 || port > 65535) return std::nullopt;
    return static_cast<uint16_t>(port);
  }
  return std::nullopt;
}

std::optional<uint16_t> wireguardListenPort(const std::string& ifname, std::string* why) {
  std::string path = socketPath(ifname);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *why = std::string("socket: ") + std::strerror(errno);
    return std::nullopt;
  }
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    *why = "no wireguard-go control socket " + path + " (" + std::strerror(errno) + ")";
    close(fd);
    return std::nullopt;
  }
  const char request[] = "get=1\n\n";
  std::string reply;
  if (write(fd, request, sizeof request - 1) == static_cast<ssize_t>(sizeof request - 1)) {
    char buf[4096];
    ssize_t n;
    // The reply ends with "errno=N\n\n"; the peer then keeps the socket open.
    while ((n = read(fd, buf, sizeof buf)) > 0) {
      reply.append(buf, static_cast<size_t>(n));
      if (reply.find("\n\n") != std::string::npos) break;
    }
  }
  close(fd);
  auto port = parseUapiListenPort(reply);
  if (!port) *why = ifname + " reports no listen port";
  return port;
}

}  // namespace meshfwd
