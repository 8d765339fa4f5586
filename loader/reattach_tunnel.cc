// reattachTunnel(): the routing tunnel was deleted and recreated (wg-quick
// down/up, a wireguard-go restart), which took our filter and the clsact
// qdisc with it. Put the pinned tunnel program back; the maps and the
// other hooks never stopped.
#include <bpf/bpf.h>

#include <cerrno>
#include <cstring>

#include "loader/bpffs.h"
#include "loader/datapath.h"
#include "loader/instance.h"
#include "loader/instance_state.h"
#include "loader/interfaces.h"
#include "loader/netns.h"
#include "loader/prog_info.h"
#include "loader/role_hooks.h"
#include "loader/tc_hook.h"
#include "loader/unique_fd.h"

namespace meshfwd::loader {

std::string reattachTunnel(const std::string& tunnel) {
  bool mounted = false;
  if (std::string e = ensureBpffs(&mounted); !e.empty()) return e;
  PinLock lock;
  if (!lock.error().empty()) return lock.error();
  std::string root = pinRoot();
  InstanceState state;
  std::string why;
  StateRead read = readState(root, state, &why);
  if (read == StateRead::Unreadable) return why;
  if (read == StateRead::Absent || state.netnsCookie != netnsCookie())
    return "no meshfwd instance is attached in this network namespace; run `meshfwd attach` first";

  const HookSpec* spec = hookOf(state.role, HookSlot::TunnelTc);
  if (spec == nullptr) return "the recorded role has no tunnel hook";
  std::string pin = progsDir(root) + "/" + std::string(spec->program);
  UniqueFd prog(bpf_obj_get(pin.c_str()));
  if (!prog.valid()) return "the pinned tunnel program " + pin + " is missing (" + std::strerror(errno) + "); attach again";

  uint32_t ifindex = interfaceIndex(tunnel);
  if (ifindex == 0) return "interface '" + tunnel + "' does not exist";
  int index = static_cast<int>(ifindex);
  uint32_t current = 0;
  if (int rc = queryTc(index, &current); rc != 0) return hookError("querying TC", tunnel, rc);
  if (current != 0 && current != programInfoByFd(prog.get()).id &&
      !isMeshfwdProgram(current, pinnedProgramIds(root), nullptr))
    return "interface '" + tunnel + "' has TC ingress program '" + programInfoById(current).name + "' (id " +
           std::to_string(current) + ") in meshfwd's slot; refusing to replace it (use attach --force)";
  bool created = false;
  if (int rc = ensureClsact(index, &created); rc != 0) return hookError("adding the clsact qdisc", tunnel, rc);
  if (int rc = installTc(index, prog.get()); rc != 0) {
    if (created) destroyClsact(index);
    return hookError("attaching the TC ingress filter", tunnel, rc);
  }

  bool recorded = false;
  for (HookRecord& r : state.hooks) {
    if (r.slot != HookSlot::TunnelTc) continue;
    r.createdClsact = created || (r.ifindex == ifindex && r.createdClsact);
    r.iface = tunnel;
    r.ifindex = ifindex;
    recorded = true;
  }
  if (!recorded) state.hooks.push_back(HookRecord{tunnel, ifindex, HookSlot::TunnelTc, XdpMode::None, created});
  return writeState(root, state);
}

}  // namespace meshfwd::loader
