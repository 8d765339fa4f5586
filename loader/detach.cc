// detach(): remove meshfwd's programs from every hook of the namespace
// (found in the kernel, not only in the record, so a run that died before
// recording is cleaned up too), the clsact qdiscs meshfwd added, and the
// pins.
#include <cerrno>
#include <optional>

#include "loader/bpffs.h"
#include "loader/datapath.h"
#include "loader/instance.h"
#include "loader/instance_state.h"
#include "loader/interfaces.h"
#include "loader/netns.h"
#include "loader/tc_hook.h"
#include "loader/xdp_hook.h"

namespace meshfwd::loader {

std::string detach() {
  bool mounted = false;
  if (std::string e = ensureBpffs(&mounted); !e.empty()) return e;
  PinLock lock;
  if (!lock.error().empty()) return lock.error();
  std::string root = pinRoot();
  if (root.empty()) return "cannot identify this network namespace (/proc/thread-self/ns/net)";

  InstanceState state;
  // A record left by a deleted namespace with the same inode says nothing
  // about this one's qdiscs.
  bool haveState = readState(root, state, nullptr) == StateRead::Ok && state.netnsCookie == netnsCookie();
  std::set<uint32_t> pinnedIds = pinnedProgramIds(root);

  std::string failures;
  auto note = [&failures](const std::string& e) { failures += (failures.empty() ? "" : "; ") + e; };
  std::string listError;
  for (const auto& [ifindex, iface] : listInterfaces(&listError)) {
    int index = static_cast<int>(ifindex);
    XdpHookState xdp;
    if (queryXdp(index, xdp) == 0 && isMeshfwdProgram(xdp.progId, pinnedIds, nullptr)) {
      if (int rc = removeXdp(index, xdp); rc != 0) note(hookError("detaching XDP", iface, rc));
    }
    uint32_t tcProg = 0;
    if (queryTc(index, &tcProg) == 0 && isMeshfwdProgram(tcProg, pinnedIds, nullptr)) {
      if (int rc = removeTc(index); rc != 0) note(hookError("detaching the TC ingress filter", iface, rc));
    }
    bool clsactIsOurs = false;
    for (const HookRecord& r : state.hooks)
      clsactIsOurs |= haveState && r.createdClsact && r.ifindex == ifindex && r.iface == iface;
    if (clsactIsOurs) {
      if (int rc = destroyClsact(index); rc != 0 && rc != -ENOENT && rc != -EINVAL)
        note(hookError("removing the clsact qdisc", iface, rc));
    }
  }
  if (!listError.empty()) note(listError);
  if (!failures.empty()) return failures;  // keep the pins: they still describe what is attached
  return removePinTree(root);
}

}  // namespace meshfwd::loader
