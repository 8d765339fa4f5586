// The datapath's life cycle in one network namespace: load the role's
// program object, adopt or create its pinned maps, attach its programs to
// the interfaces (XDP and TC ingress), pin, detach, and read back what is
// attached. Everything above loader/ (the CLI's attach/detach/status, the
// daemon) goes through these verbs and never touches libbpf.
//
// One instance per network namespace: bpffs is shared by every namespace of
// the machine, and the lab runs a relay and several edges on one machine.
// All calls act on the calling *thread's* network namespace, so a test or
// a tool may run them on a thread that entered another namespace with
// setns(). (Not under `ip netns exec`: it remounts /sys and hides bpffs.)
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loader/bpf_object.h"

namespace meshfwd::loader {

// /sys/fs/bpf/meshfwd/net<netns inode>: the instance of this namespace.
// Below it: maps/<map name> (pinned by name), progs/<program name>, and
// `state`, a pinned map holding the layout version, the role and what was
// attached where (it survives a SIGKILLed daemon like the pins do).
// attach() mounts bpffs at /sys/fs/bpf when it is missing.
std::string pinRoot();

struct AttachRequest {
  ObjectKind kind = ObjectKind::Relay;  // the role: Relay or Edge
  std::string tunnel;                   // both roles: TC ingress
  std::string uplink;                   // relay: XDP WireGuard-port guard; empty = no guard
  std::string lan;                      // edge: XDP + TC ingress
  bool force = false;                   // replace a foreign XDP program (or TC filter in our slot)
  bool preferGeneric = false;           // XDP in generic (skb) mode even where native works; for tests
  // Leave a hook alone when it already runs this instance's pinned program
  // and that is the same code (loader/program_code.h) as the one just
  // loaded over the adopted maps: how a restarted daemon adopts the running
  // datapath without touching a hook. Otherwise (and by default) every
  // hook gets the new program by an atomic replace.
  bool keepIdenticalPrograms = false;
  // Called after load (maps adopted from the pins or new), before any hook is
  // attached, so the first packet already sees the policy. Returns "" or an
  // error (then nothing is attached and the previous state stays).
  std::function<std::string(const BpfObject&)> seedMaps;
  // Tests only: load the role's programs (same names, same maps) from another
  // object, e.g. ObjectKind::LoaderTest, while the real ones are not needed.
  std::optional<ObjectKind> programsFrom;
};

struct Attachment {
  std::string iface;
  uint32_t ifindex = 0;
  std::string hook;     // "xdp" | "tc-ingress"
  std::string mode;     // "native" | "generic" | "tc"
  uint32_t progId = 0;
  std::string program;  // e.g. "relay_tunnel_ingress"
};

struct AttachOutcome {
  std::string error;                  // "" on success; one line a person can act on
  std::vector<std::string> warnings;  // e.g. "generic XDP on 'tun0' ..."
  std::vector<Attachment> attached;   // on success: every hook of the instance
  bool adoptedMaps = false;           // the pinned maps were reused (counters survive)
  size_t keptHooks = 0;               // hooks left running their program (keepIdenticalPrograms)
  bool ok() const { return error.empty(); }
};

// Attach (or re-attach: atomic replace, never a second copy) the role's
// programs. On any failure everything this call changed is undone and the
// previous programs, if any, keep running.
AttachOutcome attach(const AttachRequest& request);

// Removes only what meshfwd created (its XDP programs, its TC filters, a
// clsact qdisc it added) and the pins. "" or an error; "" also when nothing
// was attached.
std::string detach();

// What is attached, read back from the kernel (bpf_xdp_query/bpf_tc_query
// on every interface of the namespace), matched against this instance's
// pinned programs. Empty when nothing is attached.
std::vector<Attachment> status(std::string* error = nullptr);

// The daemon calls this when the routing tunnel was deleted and recreated
// (new ifindex, no clsact): attaches the pinned tunnel program again and
// records it. "" or an error.
std::string reattachTunnel(const std::string& tunnel);

// The pinned maps of the instance in this namespace, for stats and the
// daemon. Owns its file descriptors.
class PinnedMaps {
 public:
  // Fails (ok() false, *error set) when no instance is attached here or its
  // maps have another layout version than this build.
  static PinnedMaps open(std::string* error);

  PinnedMaps(PinnedMaps&&) noexcept;
  PinnedMaps& operator=(PinnedMaps&&) noexcept;
  PinnedMaps(const PinnedMaps&) = delete;
  PinnedMaps& operator=(const PinnedMaps&) = delete;
  ~PinnedMaps();

  bool ok() const { return !fds_.empty(); }
  ObjectKind kind() const { return kind_; }  // the role: Relay or Edge
  // -1 when the instance has no map of that name.
  int fd(std::string_view name) const;
  std::vector<std::string> names() const;

 private:
  PinnedMaps() = default;
  ObjectKind kind_ = ObjectKind::Relay;
  std::vector<std::pair<std::string, int>> fds_;
};

}  // namespace meshfwd::loader
