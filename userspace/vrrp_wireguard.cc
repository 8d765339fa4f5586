#include "userspace/vrrp_wireguard.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace meshfwd::vrrp {

namespace {

void drain(int fd, std::string& into) {
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) into.append(buf, static_cast<size_t>(n));
}

}  // namespace

std::string runWg(const std::vector<std::string>& args, std::string* out) {
  int outPipe[2], errPipe[2];
  if (::pipe2(outPipe, O_CLOEXEC) != 0) return std::string("pipe: ") + std::strerror(errno);
  if (::pipe2(errPipe, O_CLOEXEC) != 0) {
    ::close(outPipe[0]), ::close(outPipe[1]);
    return std::string("pipe: ") + std::strerror(errno);
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, outPipe[1], 1);
  posix_spawn_file_actions_adddup2(&fa, errPipe[1], 2);
  std::vector<std::string> argv{"wg"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, "wg", &fa, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(outPipe[1]), ::close(errPipe[1]);
  std::string stdoutText, stderrText;
  if (rc == 0) {
    // wg prints little; read both to EOF (stderr after stdout is fine at
    // these sizes, far below a pipe buffer).
    drain(outPipe[0], stdoutText);
    drain(errPipe[0], stderrText);
  }
  ::close(outPipe[0]), ::close(errPipe[0]);
  if (rc != 0) return std::string("cannot run wg: ") + std::strerror(rc);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (out) *out = stdoutText;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string cmd = "wg";
    for (const auto& a : args) cmd += " " + a;
    while (!stderrText.empty() && stderrText.back() == '\n') stderrText.pop_back();
    return cmd + " failed: " + (stderrText.empty() ? "exit " + std::to_string(WEXITSTATUS(status)) : stderrText);
  }
  return "";
}

std::string relayPeerKey(const std::string& tunnel, std::string* error) {
  std::string out;
  if (auto e = runWg({"show", tunnel, "peers"}, &out); !e.empty()) {
    *error = e;
    return "";
  }
  std::string key = out.substr(0, out.find('\n'));
  if (key.empty()) *error = "routing tunnel " + tunnel + " has no peer (the relay) configured";
  if (out.find('\n') != std::string::npos && out.find('\n') + 1 < out.size())
    *error = "routing tunnel " + tunnel + " has more than one peer; an edge's tunnel has only the relay";
  return error->empty() ? key : "";
}

std::optional<PeerDump> parsePeerDump(const std::string& dump, const std::string& peerKey) {
  size_t at = 0;
  while (at < dump.size()) {
    size_t end = dump.find('\n', at);
    if (end == std::string::npos) end = dump.size();
    std::vector<std::string> fields;
    for (size_t f = at; f <= end;) {
      size_t tab = dump.find('\t', f);
      if (tab == std::string::npos || tab > end) tab = end;
      fields.push_back(dump.substr(f, tab - f));
      f = tab + 1;
    }
    at = end + 1;
    // A peer line has 8 fields; the interface's own (first) line has 4.
    if (fields.size() < 4 || fields[0] != peerKey || fields.size() == 4) continue;
    auto value = [](const std::string& v) { return v == "(none)" ? std::string() : v; };
    return PeerDump{value(fields[1]), value(fields[2]), value(fields[3])};
  }
  return std::nullopt;
}

namespace {

// The relay peer removed and re-added in one `wg set` with its endpoint,
// allowed IPs and preshared key; with a keepalive when keepaliveSeconds > 0.
std::string reAddPeer(const std::string& tunnel, const std::string& peerKey, int keepaliveSeconds) {
  // One `wg` for all three fields: a takeover waits for this before its
  // tunnel comes up (VrrpRouter::setTunnel), so every spawn is loss window.
  std::string dump;
  if (auto e = runWg({"show", tunnel, "dump"}, &dump); !e.empty()) return e;
  auto peer = parsePeerDump(dump, peerKey);
  if (!peer) return "routing tunnel " + tunnel + " has no peer " + peerKey;
  const std::string& endpoint = peer->endpoint;
  const std::string& allowed = peer->allowedIps;
  const std::string& psk = peer->presharedKey;
  if (allowed.empty()) return "the relay peer of " + tunnel + " has no allowed IPs";
  std::vector<std::string> args{"set", tunnel, "peer", peerKey, "remove", "peer", peerKey};
  if (!endpoint.empty()) args.insert(args.end(), {"endpoint", endpoint});
  args.insert(args.end(), {"allowed-ips", allowed});
  if (keepaliveSeconds > 0) args.insert(args.end(), {"persistent-keepalive", std::to_string(keepaliveSeconds)});
  // `wg` reads a preshared key from a file only: hand it an unnamed one.
  int pskFd = -1;
  if (!psk.empty()) {
    pskFd = ::memfd_create("meshfwd-psk", 0);  // inherited by wg, closed below
    if (pskFd < 0) return std::string("memfd_create: ") + std::strerror(errno);
    std::string line = psk + "\n";
    if (::write(pskFd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
      ::close(pskFd);
      return std::string("writing the preshared key: ") + std::strerror(errno);
    }
    args.insert(args.end(), {"preshared-key", "/proc/self/fd/" + std::to_string(pskFd)});
  }
  std::string result = runWg(args);
  if (pskFd >= 0) ::close(pskFd);
  return result;
}

}  // namespace

std::string handshakeNow(const std::string& tunnel, const std::string& peerKey, int keepaliveSeconds) {
  return reAddPeer(tunnel, peerKey, keepaliveSeconds);
}

std::string silenceNow(const std::string& tunnel, const std::string& peerKey) { return reAddPeer(tunnel, peerKey, 0); }

}  // namespace meshfwd::vrrp
