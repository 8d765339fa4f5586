// The end-to-end suite's view of `meshfwd lab`: the lab is brought up once
// per suite by the ctest fixture `e2e.lab_up` (`meshfwd lab up`) and taken
// down by `e2e.lab_down`; each case drives it through the real CLI
// (`meshfwd lab exec|link|daemon|tunnel|ports`) and sends its traffic from
// sockets opened inside the lab's namespaces.
//
// The prefix is MESHFWD_LAB_PREFIX (ctest sets "mle2e"), so the suite never
// touches a lab someone started by hand (default prefix "mlab").
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "tests/support/netns.h"
#include "tests/support/ns_command.h"
#include "tests/support/ns_meshfwd.h"
#include "tests/support/packet.h"

namespace meshfwd::test {

inline constexpr const char* kE2ePrefix = "mle2e";

class LabClient {
 public:
  // Reads `meshfwd lab env`; throws when the lab is not up.
  LabClient();

  static std::string prefix();
  std::string ns(const std::string& node) const { return prefix() + "-" + node; }
  const std::string& plan(const std::string& key) const;

  // `meshfwd lab ARGS...`.
  CommandResult lab(const std::vector<std::string>& args, std::chrono::milliseconds timeout = 60s) const;
  // `meshfwd lab exec NODE ARGV...`; "meshfwd" as argv[0] is this build's binary.
  CommandResult exec(const std::string& node, std::vector<std::string> argv,
                     std::chrono::milliseconds timeout = 20s) const;
  // Throws with the command's description when it fails.
  CommandResult must(const std::string& node, const std::vector<std::string>& argv) const;

  MeshfwdStats stats(const std::string& router) const;
  std::string statusJson(const std::string& router) const;

  In6 serverAddr(const std::string& server) const;  // its SLAAC ULA
  In6 serverMesh(const std::string& server) const;  // its mesh tunnel /128
  uint16_t serverPort(const std::string& server) const;
  In6 meshPrefixAddr() const;                        // <mesh>:: of the /48
  std::string meshPrefix() const { return plan("MESH_PREFIX"); }
  std::string sitePrefix(char site) const;
  std::string routingTunnel(const std::string& router) const;

  bool holdsVip(const std::string& edge) const;
  // The edge of `site` ('a' or 'b') holding the VIP, "" when none.
  std::string masterOf(char site) const;

  static std::vector<std::string> servers() { return {"server-a1", "server-a2", "server-b1", "server-b2"}; }

 private:
  std::map<std::string, std::string> plan_;
};

// One ICMPv6 echo from `src` in `server`'s namespace; true on a reply.
bool pingOnce(const LabClient& lab, const std::string& server, const In6& src, const In6& dst,
              std::chrono::milliseconds timeout);
// Pings until a reply or the deadline: the first packets of a path may go
// into a WireGuard handshake.
bool waitForPath(const LabClient& lab, const std::string& server, const In6& src, const In6& dst,
                 std::chrono::milliseconds deadline);

}  // namespace meshfwd::test
