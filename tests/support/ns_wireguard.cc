#include "tests/support/ns_wireguard.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tests/support/poll_until.h"

namespace meshfwd::test {

namespace {

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string mustRun(const std::vector<std::string>& argv, const std::string& input = {}) {
  CommandOptions options;
  options.input = input;
  auto r = runCommand(argv, options);
  if (!r.ok()) throw std::runtime_error(r.describe());
  return trimmed(r.out);
}

}  // namespace

WgKeyPair generateWgKeyPair() {
  WgKeyPair keys;
  keys.privateKey = mustRun({"wg", "genkey"});
  keys.publicKey = mustRun({"wg", "pubkey"}, keys.privateKey + "\n");
  return keys;
}

WireguardInterface::WireguardInterface(const NetNs& ns, const std::string& ifname, const WgKeyPair& keys,
                                       uint16_t listenPort, const std::string& workDir)
    : ns_(ns), name_(ifname), keys_(keys), listenPort_(listenPort),
      socketPath_("/var/run/wireguard/" + ifname + ".sock") {
  process_ = std::make_unique<BackgroundProcess>(std::vector<std::string>{"wireguard-go", "-f", ifname}, ns.name(),
                                                 workDir + "/" + ifname + ".log",
                                                 std::vector<std::string>{"LOG_LEVEL=error"});
  bool ready = pollUntil([&] { return std::filesystem::exists(socketPath_) || !process_->running(); }, 10s);
  if (!ready || !process_->running()) {
    std::ifstream log(process_->logPath());
    std::stringstream text;
    text << log.rdbuf();
    throw std::runtime_error("wireguard-go " + ifname + " in " + ns.name() + " did not create " + socketPath_ +
                             ": " + text.str());
  }

  // `wg set ... private-key` reads a file; keep it private to root.
  std::string keyPath = workDir + "/" + ifname + ".key";
  {
    std::ofstream key(keyPath, std::ios::trunc);
    key << keys.privateKey << "\n";
  }
  ::chmod(keyPath.c_str(), 0600);
  std::vector<std::string> set{"wg", "set", ifname, "private-key", keyPath};
  if (listenPort != 0) {
    set.push_back("listen-port");
    set.push_back(std::to_string(listenPort));
  }
  ns.must(set);
}

WireguardInterface::~WireguardInterface() {
  process_.reset();  // SIGTERM: wireguard-go closes its TUN, which removes the interface
  std::error_code ec;
  std::filesystem::remove(socketPath_, ec);
}

void WireguardInterface::addPeer(const WgPeer& peer) {
  std::vector<std::string> set{"wg", "set", name_, "peer", peer.publicKey};
  if (!peer.endpoint.empty()) {
    set.push_back("endpoint");
    set.push_back(peer.endpoint);
  }
  if (!peer.allowedIps.empty()) {
    std::string joined;
    for (const auto& p : peer.allowedIps) joined += (joined.empty() ? "" : ",") + p;
    set.push_back("allowed-ips");
    set.push_back(joined);
  }
  if (peer.persistentKeepalive > 0) {
    set.push_back("persistent-keepalive");
    set.push_back(std::to_string(peer.persistentKeepalive));
  }
  ns_.must(set);
}

void WireguardInterface::up(const std::vector<std::string>& addresses, int mtu) {
  for (const auto& a : addresses) ns_.ip("addr add " + a + " dev " + name_ + " nodad");
  ns_.ip("link set " + name_ + " mtu " + std::to_string(mtu) + " up");
}

uint64_t WireguardInterface::latestHandshake(const std::string& peerPublicKey) const {
  auto r = ns_.run({"wg", "show", name_, "latest-handshakes"});
  std::istringstream in(r.out);
  std::string key;
  uint64_t when = 0;
  while (in >> key >> when) {
    if (key == peerPublicKey) return when;
  }
  return 0;
}

std::string WireguardInterface::show() const { return ns_.run({"wg", "show", name_}).out; }

}  // namespace meshfwd::test
