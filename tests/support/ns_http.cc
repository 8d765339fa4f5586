#include "tests/support/ns_http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "tests/support/netns.h"

namespace meshfwd::test {

namespace {

using Clock = std::chrono::steady_clock;

int msLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

std::string lowercase(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Splits "HTTP/1.x NNN reason\r\nheaders\r\n\r\nbody".
std::optional<HttpReply> parseReply(const std::string& raw, std::string* error) {
  size_t headEnd = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.", 0) != 0 || headEnd == std::string::npos || raw.size() < 12) {
    *error = "not an HTTP reply: " + raw.substr(0, 80);
    return std::nullopt;
  }
  HttpReply reply;
  reply.status = std::atoi(raw.c_str() + 9);
  std::string head = raw.substr(0, headEnd);
  std::string wanted = "\r\ncontent-type:";
  if (size_t at = lowercase(head).find(wanted); at != std::string::npos) {
    size_t begin = at + wanted.size();
    size_t end = head.find("\r\n", begin);
    reply.contentType = head.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
    while (!reply.contentType.empty() && reply.contentType.front() == ' ') reply.contentType.erase(0, 1);
  }
  reply.body = raw.substr(headEnd + 4);
  return reply;
}

}  // namespace

std::optional<HttpReply> httpGet(const std::string& netns, const std::string& ipv4, uint16_t port,
                                 const std::string& path, std::chrono::milliseconds timeout, std::string* error) {
  int fd = -1;
  runInNetns(netns, [&] { fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0); });
  if (fd < 0) {
    *error = std::string("socket: ") + std::strerror(errno);
    return std::nullopt;
  }
  auto deadline = Clock::now() + timeout;
  std::string raw;
  std::string failure;
  do {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    if (::inet_pton(AF_INET, ipv4.c_str(), &sa.sin_addr) != 1) {
      failure = "bad IPv4 address " + ipv4;
      break;
    }
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 && errno != EINPROGRESS) {
      failure = "connect to " + ipv4 + ":" + std::to_string(port) + ": " + std::strerror(errno);
      break;
    }
    pollfd pfd{fd, POLLOUT, 0};
    if (::poll(&pfd, 1, msLeft(deadline)) != 1) {
      failure = "connect to " + ipv4 + ":" + std::to_string(port) + " timed out";
      break;
    }
    int soError = 0;
    socklen_t len = sizeof soError;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &len);
    if (soError != 0) {
      failure = "connect to " + ipv4 + ":" + std::to_string(port) + ": " + std::strerror(soError);
      break;
    }
    std::string request = "GET " + path + " HTTP/1.0\r\nHost: " + ipv4 + "\r\nConnection: close\r\n\r\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
      failure = std::string("send: ") + std::strerror(errno);
      break;
    }
    // HTTP/1.0: the server closes the connection after the body.
    char buf[16384];
    while (true) {
      pfd = {fd, POLLIN, 0};
      if (::poll(&pfd, 1, msLeft(deadline)) != 1) {
        failure = "no complete reply within " + std::to_string(timeout.count()) + " ms";
        break;
      }
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n < 0) {
        failure = std::string("recv: ") + std::strerror(errno);
        break;
      }
      if (n == 0) break;
      raw.append(buf, static_cast<size_t>(n));
    }
  } while (false);
  ::close(fd);
  if (!failure.empty()) {
    *error = failure;
    return std::nullopt;
  }
  return parseReply(raw, error);
}

}  // namespace meshfwd::test
