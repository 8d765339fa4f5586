#include "tests/e2e/lab_client.h"

#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "tests/support/ns_json.h"
#include "tests/support/ns_poll.h"
#include "tests/support/ns_socket.h"

namespace meshfwd::test {

std::string LabClient::prefix() {
  const char* p = std::getenv("MESHFWD_LAB_PREFIX");
  if (!p || !*p) {
    ::setenv("MESHFWD_LAB_PREFIX", kE2ePrefix, 1);  // inherited by every `meshfwd lab` below
    return kE2ePrefix;
  }
  return p;
}

LabClient::LabClient() {
  prefix();
  auto env = lab({"env"}, 20s);
  if (!env.ok()) throw std::runtime_error("the lab '" + prefix() + "' is not up: " + env.describe());
  std::istringstream lines(env.out);
  for (std::string line; std::getline(lines, line);) {
    auto eq = line.find('=');
    if (eq != std::string::npos) plan_[line.substr(0, eq)] = line.substr(eq + 1);
  }
}

const std::string& LabClient::plan(const std::string& key) const {
  auto it = plan_.find(key);
  if (it == plan_.end()) throw std::runtime_error("`meshfwd lab env` has no " + key);
  return it->second;
}

CommandResult LabClient::lab(const std::vector<std::string>& args, std::chrono::milliseconds timeout) const {
  std::vector<std::string> argv{MESHFWD_BINARY, "lab"};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandOptions options;
  options.timeout = timeout;
  return runCommand(argv, options);
}

CommandResult LabClient::exec(const std::string& node, std::vector<std::string> argv,
                              std::chrono::milliseconds timeout) const {
  if (!argv.empty() && argv[0] == "meshfwd") argv[0] = MESHFWD_BINARY;
  argv.insert(argv.begin(), {"exec", node});
  return lab(argv, timeout);
}

CommandResult LabClient::must(const std::string& node, const std::vector<std::string>& argv) const {
  auto r = exec(node, argv);
  if (!r.ok()) throw std::runtime_error(r.describe());
  return r;
}

MeshfwdStats LabClient::stats(const std::string& router) const {
  return MeshfwdStats::fromJson(must(router, {"meshfwd", "stats", "--json"}).out);
}

std::string LabClient::statusJson(const std::string& router) const {
  return must(router, {"meshfwd", "status", "--json"}).out;
}

namespace {
std::string suffix(const std::string& node) { return node.substr(node.rfind('-') + 1); }  // server-a1 -> a1
}  // namespace

In6 LabClient::serverAddr(const std::string& s) const { return In6::parse(plan("SERVER_" + suffix(s) + "_ADDR")); }
In6 LabClient::serverMesh(const std::string& s) const { return In6::parse(plan("SERVER_" + suffix(s) + "_MESH")); }
uint16_t LabClient::serverPort(const std::string& s) const {
  return static_cast<uint16_t>(std::stoi(plan("SERVER_" + suffix(s) + "_PORT")));
}
In6 LabClient::meshPrefixAddr() const { return In6::parse(plan("MESH48") + "::"); }
std::string LabClient::sitePrefix(char site) const {
  return plan(std::string("SITE_") + static_cast<char>(std::toupper(site)) + "_PREFIX");
}
std::string LabClient::routingTunnel(const std::string& router) const {
  return router == "relay" ? prefix() + "-rt" : prefix() + "-rt-" + suffix(router);
}

bool LabClient::holdsVip(const std::string& edge) const {
  auto r = runCommand({"ip", "-n", ns(edge), "-6", "-o", "addr", "show"});
  return r.ok() && r.out.find(" " + plan("VIP") + "/128 ") != std::string::npos;
}

std::string LabClient::masterOf(char site) const {
  for (const char* i : {"1", "2"}) {
    std::string edge = std::string("edge-") + site + i;
    if (holdsVip(edge)) return edge;
  }
  return "";
}

bool pingOnce(const LabClient& lab, const std::string& server, const In6& src, const In6& dst,
              std::chrono::milliseconds timeout) {
  PingSocket ping(lab.ns(server), src);
  return ping.ping(dst, timeout);
}

bool waitForPath(const LabClient& lab, const std::string& server, const In6& src, const In6& dst,
                 std::chrono::milliseconds deadline) {
  PingSocket ping(lab.ns(server), src);
  return pollUntil([&] { return ping.ping(dst, 500ms); }, deadline, 0ms);
}

}  // namespace meshfwd::test
