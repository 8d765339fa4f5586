// The meshfwd CLI as the namespace tests drive it: the real binary, run
// inside a namespace (setns of the network namespace only, so bpffs stays
// visible), and its `stats --json` read back as numbers.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tests/support/netns.h"

namespace meshfwd::test {

struct PacketsBytes {
  uint64_t packets = 0;
  uint64_t bytes = 0;
};

struct SiteStats {
  PacketsBytes toSite;
  PacketsBytes fromSite;
};

struct MeshfwdStats {
  uint64_t generation = 0;
  std::map<std::string, PacketsBytes> reasons;  // "hook/reason", e.g. "relay_tc/fwd_mesh_udp"
  std::map<std::string, SiteStats> sites;       // by site prefix as printed

  // Throws when the JSON does not have the documented shape.
  static MeshfwdStats fromJson(const std::string& json);

  uint64_t packets(const std::string& hookReason) const;  // 0 when absent
  SiteStats site(const std::string& prefix) const;
  // Counters of `after` minus this one, reason by reason and site by site.
  MeshfwdStats deltaTo(const MeshfwdStats& after) const;
  // The non-zero reasons, one per line, for failure messages.
  std::string nonZero() const;
};

class MeshfwdCli {
 public:
  explicit MeshfwdCli(std::string binary) : binary_(std::move(binary)) {}

  CommandResult run(const NetNs& ns, const std::vector<std::string>& args) const;
  // `stats --json`; throws with the command's stderr when it fails.
  MeshfwdStats stats(const NetNs& ns) const;

 private:
  std::string binary_;
};

// `meshfwd attach ...` for the lifetime of the object; `meshfwd detach` in
// the destructor, so a failing test does not leave programs or pins behind.
class MeshfwdAttachment {
 public:
  // Throws with the CLI's output when attach fails.
  MeshfwdAttachment(const MeshfwdCli& cli, const NetNs& ns, const std::vector<std::string>& attachArgs);
  ~MeshfwdAttachment();
  MeshfwdAttachment(const MeshfwdAttachment&) = delete;
  MeshfwdAttachment& operator=(const MeshfwdAttachment&) = delete;

  const CommandResult& attachResult() const { return attach_; }
  // Detaches now; the result is what `meshfwd detach` said.
  CommandResult detach();

 private:
  const MeshfwdCli& cli_;
  const NetNs& ns_;
  CommandResult attach_;
  bool attached_ = false;
};

}  // namespace meshfwd::test
