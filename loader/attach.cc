// attach(): load -> adopt pinned maps -> seed -> attach every hook (each an
// atomic replace) -> pin -> record. Any failure undoes this call's hook
// changes in reverse order, so the previous programs keep running.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <optional>
#include <set>

#include "loader/bpffs.h"
#include "loader/datapath.h"
#include "loader/instance.h"
#include "loader/instance_state.h"
#include "loader/interfaces.h"
#include "loader/map_pins.h"
#include "loader/netns.h"
#include "loader/prog_info.h"
#include "loader/program_code.h"
#include "loader/role_hooks.h"
#include "loader/tc_hook.h"
#include "loader/xdp_hook.h"
#include "maps/meshfwd_abi.h"

namespace meshfwd::loader {

namespace {

struct ResolvedHook {
  HookSpec spec;
  std::string iface;
  uint32_t ifindex = 0;
};

// One hook this call changed, with what it held before: the undo log.
struct HookChange {
  ResolvedHook hook;
  uint32_t previousProg = 0;
  XdpMode previousMode = XdpMode::None;
  uint32_t newProg = 0;
  XdpMode newMode = XdpMode::None;
  bool installed = false;      // the new program is on the hook
  bool createdClsact = false;  // this call added the qdisc
};

const std::string& ifaceFor(const AttachRequest& request, HookSlot slot) {
  switch (slot) {
    case HookSlot::TunnelTc: return request.tunnel;
    case HookSlot::UplinkXdp: return request.uplink;
    case HookSlot::LanXdp:
    case HookSlot::LanTc: return request.lan;
  }
  return request.tunnel;
}

// Undoes changes in reverse order; "" or what could not be undone.
std::string rollback(const std::vector<HookChange>& changes) {
  std::string failures;
  auto note = [&failures](const std::string& e) { failures += (failures.empty() ? "" : "; ") + e; };
  for (auto it = changes.rbegin(); it != changes.rend(); ++it) {
    const HookChange& c = *it;
    const ResolvedHook& h = c.hook;
    if (c.installed && h.spec.xdp) {
      XdpHookState ours{c.newProg, c.newMode};
      int rc = 0;
      if (c.previousProg != 0) {
        UniqueFd previous = programFdById(c.previousProg);
        rc = previous.valid() ? installXdp(h.ifindex, previous.get(), c.previousMode, ours) : -errno;
      } else {
        rc = removeXdp(h.ifindex, ours);
      }
      if (rc != 0) note(hookError("restoring XDP", h.iface, rc));
    } else if (c.installed) {
      int rc = 0;
      if (c.previousProg != 0) {
        UniqueFd previous = programFdById(c.previousProg);
        rc = previous.valid() ? installTc(h.ifindex, previous.get()) : -errno;
      } else {
        rc = removeTc(h.ifindex);
      }
      if (rc != 0) note(hookError("restoring the TC filter", h.iface, rc));
    }
    if (c.createdClsact) {
      if (int rc = destroyClsact(h.ifindex); rc != 0) note(hookError("removing the clsact qdisc", h.iface, rc));
    }
  }
  return failures;
}

class Attacher {
 public:
  Attacher(const AttachRequest& request, AttachOutcome& out) : request_(request), out_(out) {}

  void run() {
    if (request_.kind != ObjectKind::Relay && request_.kind != ObjectKind::Edge)
      return fail("attach needs the relay or the edge role");
    if (!prepareInstance()) return;
    if (!resolveHooks()) return;
    if (!loadObject()) return;
    if (request_.seedMaps) {
      if (std::string e = request_.seedMaps(*object_); !e.empty()) return fail("seeding the maps failed: " + e);
    }
    for (const ResolvedHook& hook : hooks_) {
      std::string e = hook.spec.xdp ? attachXdp(hook) : attachTc(hook);
      if (!e.empty()) return failAndRollback(e);
    }
    if (std::string e = commit(); !e.empty()) return failAndRollback(e);
    retireDroppedHooks();
    for (const HookChange& c : changes_) {
      out_.attached.push_back(Attachment{c.hook.iface, c.hook.ifindex, c.hook.spec.xdp ? "xdp" : "tc-ingress",
                                         c.hook.spec.xdp ? xdpModeName(c.newMode) : "tc", c.newProg,
                                         std::string(c.hook.spec.program)});
    }
  }

 private:
  void fail(const std::string& error) { out_.error = error; }

  void failAndRollback(const std::string& error) {
    out_.error = error;
    if (std::string e = rollback(changes_); !e.empty()) out_.error += "; rolling back also failed: " + e;
  }

  bool prepareInstance() {
    bool mounted = false;
    if (std::string e = ensureBpffs(&mounted); !e.empty()) return fail(e), false;
    if (mounted)
      out_.warnings.push_back(std::string("bpffs was not mounted: mounted it at ") + kBpffsMount +
                              " (under `ip netns exec` that is a private copy no other process sees; use "
                              "nsenter --net= instead)");
    lock_.emplace();
    if (!lock_->error().empty()) return fail(lock_->error()), false;
    root_ = pinRoot();
    if (root_.empty()) return fail("cannot identify this network namespace (/proc/thread-self/ns/net)"), false;
    cookie_ = netnsCookie();

    std::string why;
    switch (readState(root_, previous_, &why)) {
      case StateRead::Absent: break;
      case StateRead::Unreadable:
        out_.warnings.push_back(why + ": its pins are replaced");
        break;
      case StateRead::Ok:
        if (previous_.netnsCookie != cookie_) {
          // The inode was reused by a new namespace; the pins belong to a
          // deleted one whose interfaces (and attachments) are gone.
          if (std::string e = removePinTree(root_); !e.empty()) return fail(e), false;
          out_.warnings.push_back("removed pins under " + root_ +
                                  " left by a deleted network namespace that had the same inode");
          break;
        }
        if (previous_.role != request_.kind)
          return fail(std::string("meshfwd is attached in this namespace as ") +
                      std::string(objectKindName(previous_.role)) + "; run `meshfwd detach` first"),
                 false;
        havePrevious_ = true;
        break;
    }
    pinnedIds_ = pinnedProgramIds(root_);
    return true;
  }

  bool resolveHooks() {
    for (const HookSpec& spec : hooksOf(request_.kind)) {
      const std::string& iface = ifaceFor(request_, spec.slot);
      if (iface.empty()) {
        if (spec.slot == HookSlot::UplinkXdp) continue;  // the guard is optional
        return fail(std::string(objectKindName(request_.kind)) + " needs " +
                    (spec.slot == HookSlot::TunnelTc ? "a tunnel interface" : "a LAN interface")),
               false;
      }
      uint32_t ifindex = interfaceIndex(iface);
      if (ifindex == 0) return fail("interface '" + iface + "' does not exist"), false;
      hooks_.push_back(ResolvedHook{spec, iface, ifindex});
    }
    return true;
  }

  bool loadObject() {
    ObjectKind objectKind = request_.programsFrom.value_or(request_.kind);
    LoadOptions options;
    options.beforeLoad = [&](bpf_object* obj) {
      fingerprint_ = layoutFingerprint(obj);
      bool layoutMatches = havePrevious_ && previous_.abiVersion == MF_ABI_VERSION &&
                           previous_.layoutFingerprint == fingerprint_;
      if (havePrevious_ && !layoutMatches) {
        out_.warnings.push_back(
            "pinned maps have layout version " + std::to_string(previous_.abiVersion) + " (this meshfwd: " +
            std::to_string(MF_ABI_VERSION) +
            (previous_.abiVersion == MF_ABI_VERSION ? ", but the map shapes differ" : "") +
            "): re-created them; counters and policy start empty");
      }
      std::string e = adoptPinnedMaps(obj, mapsDir(root_), layoutMatches, adoption_);
      if (!havePrevious_ && adoption_.skippedPins > 0)
        out_.warnings.push_back("pinned maps under " + mapsDir(root_) +
                                " carry no layout record: re-created them; counters start empty");
      return e;
    };
    object_.emplace(BpfObject::load(objectKind, options));
    if (!object_->ok()) return fail(object_->error()), false;
    out_.adoptedMaps = adoption_.all;
    out_.warnings.insert(out_.warnings.end(), adoption_.warnings.begin(), adoption_.warnings.end());
    for (const ResolvedHook& hook : hooks_) {
      if (object_->progFd(hook.spec.program) < 0)
        return fail("the " + std::string(objectKindName(objectKind)) + " object has no program '" +
                    std::string(hook.spec.program) + "'"),
               false;
    }
    return true;
  }

  // The program on a hook is someone else's: refuse, or replace it with
  // --force (saying so).
  std::string checkForeign(const ResolvedHook& hook, uint32_t progId, const char* hookName) {
    if (progId == 0 || isMeshfwdProgram(progId, pinnedIds_, nullptr)) return "";
    std::string name = programInfoById(progId).name;
    std::string what = std::string(hookName) + " program '" + (name.empty() ? "?" : name) + "' (id " +
                       std::to_string(progId) + ")";
    if (!request_.force)
      return "interface '" + hook.iface + "' already has " + what +
             ", which is not meshfwd's; refusing to replace it (use --force)";
    out_.warnings.push_back("replaced " + what + " on '" + hook.iface + "' (--force)");
    return "";
  }

  std::string attachXdp(const ResolvedHook& hook) {
    XdpHookState current;
    if (int rc = queryXdp(static_cast<int>(hook.ifindex), current); rc != 0)
      return hookError("querying XDP", hook.iface, rc);
    if (std::string e = checkForeign(hook, current.progId, "XDP"); !e.empty()) return e;

    int progFd = object_->progFd(hook.spec.program);
    bool modeFits = !request_.preferGeneric || current.mode == XdpMode::Generic;
    if (modeFits && keep(hook, current.progId, current.mode, progFd)) return "";
    XdpMode mode = request_.preferGeneric ? XdpMode::Generic : XdpMode::Native;
    if (current.progId != 0 && current.mode == XdpMode::Generic && mode == XdpMode::Native) {
      // An atomic replace must stay in the mode the hook is in; the kernel
      // cannot tell us whether native would work without a gap.
      mode = XdpMode::Generic;
      out_.warnings.push_back("XDP on '" + hook.iface +
                              "' stays in generic mode like the program it replaces (slower than native; "
                              "detach and attach again to try native)");
    }
    int rc = installXdp(static_cast<int>(hook.ifindex), progFd, mode, current);
    if (rc == -EOPNOTSUPP && mode == XdpMode::Native) {
      mode = XdpMode::Generic;
      rc = installXdp(static_cast<int>(hook.ifindex), progFd, mode, current);
      if (rc == 0)
        out_.warnings.push_back("interface '" + hook.iface +
                                "' has no native XDP support: attached in generic mode (slower: every packet "
                                "gets an skb first)");
    }
    if (rc == -EEXIST || rc == -EBUSY)
      return "the XDP hook of '" + hook.iface + "' changed while attaching (another loader?); nothing replaced";
    if (rc != 0) return hookError("attaching XDP", hook.iface, rc);
    if (current.mode == XdpMode::Native && mode == XdpMode::Generic)
      out_.warnings.push_back("XDP on '" + hook.iface + "' moved from " + xdpModeName(current.mode) + " to " +
                              xdpModeName(mode) + " mode: packets passed unfiltered for a moment");
    changes_.push_back(HookChange{hook, current.progId, current.mode, programInfoByFd(progFd).id, mode, true, false});
    return "";
  }

  std::string attachTc(const ResolvedHook& hook) {
    uint32_t current = 0;
    if (int rc = queryTc(static_cast<int>(hook.ifindex), &current); rc != 0)
      return hookError("querying TC", hook.iface, rc);
    if (std::string e = checkForeign(hook, current, "TC ingress"); !e.empty()) return e;
    if (keep(hook, current, XdpMode::None, object_->progFd(hook.spec.program))) return "";

    HookChange change{hook, current, XdpMode::None, 0, XdpMode::None, false, false};
    if (int rc = ensureClsact(static_cast<int>(hook.ifindex), &change.createdClsact); rc != 0)
      return hookError("adding the clsact qdisc", hook.iface, rc);
    changes_.push_back(change);  // from here on a rollback removes the qdisc we added
    int progFd = object_->progFd(hook.spec.program);
    if (int rc = installTc(static_cast<int>(hook.ifindex), progFd); rc != 0)
      return hookError("attaching the TC ingress filter", hook.iface, rc);
    changes_.back().installed = true;
    changes_.back().newProg = programInfoByFd(progFd).id;
    return "";
  }

  // keepIdenticalPrograms: the hook runs this instance's pinned program
  // (which uses the adopted maps) and it is the same code as `newFd`, so
  // the hook is not touched at all. Recorded as a change that installed
  // nothing, which a rollback leaves alone.
  bool keep(const ResolvedHook& hook, uint32_t currentId, XdpMode currentMode, int newFd) {
    if (!request_.keepIdenticalPrograms || !out_.adoptedMaps || currentId == 0 || !pinnedIds_.count(currentId))
      return false;
    UniqueFd current = programFdById(currentId);
    auto running = programCodeOf(current.get());
    auto loaded = programCodeOf(newFd);
    if (!running || !loaded || !sameProgramCode(*running, *loaded)) return false;
    changes_.push_back(HookChange{hook, currentId, currentMode, currentId, currentMode, false, false});
    keptFds_[std::string(hook.spec.program)] = std::move(current);
    ++out_.keptHooks;
    return true;
  }

  // meshfwd created the clsact qdisc of ifindex, in this call or before.
  bool clsactIsOurs(uint32_t ifindex) const {
    for (const HookChange& c : changes_)
      if (c.hook.ifindex == ifindex && c.createdClsact) return true;
    for (const HookRecord& r : previous_.hooks)
      if (havePrevious_ && r.ifindex == ifindex && r.createdClsact) return true;
    return false;
  }

  std::string commit() {
    std::string maps = mapsDir(root_);
    std::string progs = progsDir(root_);
    if (std::string e = makePinDirs(maps); !e.empty()) return e;
    if (std::string e = makePinDirs(progs); !e.empty()) return e;
    if (std::string e = pinMaps(object_->raw(), maps, adoption_); !e.empty()) return e;
    if (std::string e = pinPrograms(progs); !e.empty()) return e;

    InstanceState next;
    next.abiVersion = MF_ABI_VERSION;
    next.layoutFingerprint = fingerprint_;
    next.netnsCookie = cookie_;
    next.role = request_.kind;
    next.programsFrom = request_.programsFrom.value_or(request_.kind);
    for (const HookChange& c : changes_) {
      next.hooks.push_back(HookRecord{c.hook.iface, c.hook.ifindex, c.hook.spec.slot, c.newMode,
                                      !c.hook.spec.xdp && clsactIsOurs(c.hook.ifindex)});
    }
    return writeState(root_, next);
  }

  std::string pinPrograms(const std::string& progs) {
    std::set<std::string> wanted;
    for (const ResolvedHook& hook : hooks_) wanted.insert(std::string(hook.spec.program));
    if (DIR* dir = opendir(progs.c_str())) {
      std::vector<std::string> stale;
      while (dirent* e = readdir(dir))
        if (e->d_name[0] != '.' && !wanted.count(e->d_name)) stale.push_back(e->d_name);
      closedir(dir);
      for (const std::string& name : stale) unlink((progs + "/" + name).c_str());
    }
    for (const std::string& name : wanted) {
      std::string path = progs + "/" + name;
      if (unlink(path.c_str()) != 0 && errno != ENOENT) return "cannot replace pin " + path + ": " + std::strerror(errno);
      auto kept = keptFds_.find(name);
      int fd = kept != keptFds_.end() ? kept->second.get() : object_->progFd(name);
      if (bpf_obj_pin(fd, path.c_str()) != 0)
        return "cannot pin " + path + ": " + std::strerror(errno);
    }
    return "";
  }

  // Hooks of the previous attach that this one no longer uses (e.g. the
  // guard's uplink was dropped or renamed) are removed after the commit.
  void retireDroppedHooks() {
    if (!havePrevious_) return;
    for (const HookRecord& r : previous_.hooks) {
      bool kept = false;
      for (const HookChange& c : changes_) kept |= c.hook.spec.slot == r.slot && c.hook.ifindex == r.ifindex;
      if (kept || interfaceName(r.ifindex) != r.iface) continue;  // gone or renamed: nothing of ours left there
      const HookSpec* spec = hookOf(previous_.role, r.slot);
      if (spec == nullptr) continue;
      int rc = 0;
      if (spec->xdp) {
        XdpHookState current;
        if (queryXdp(static_cast<int>(r.ifindex), current) == 0 && isMeshfwdProgram(current.progId, pinnedIds_, nullptr))
          rc = removeXdp(static_cast<int>(r.ifindex), current);
      } else {
        uint32_t current = 0;
        if (queryTc(static_cast<int>(r.ifindex), &current) == 0 && isMeshfwdProgram(current, pinnedIds_, nullptr))
          rc = removeTc(static_cast<int>(r.ifindex));
        bool stillUsed = false;
        for (const HookChange& c : changes_) stillUsed |= !c.hook.spec.xdp && c.hook.ifindex == r.ifindex;
        if (rc == 0 && r.createdClsact && !stillUsed) rc = destroyClsact(static_cast<int>(r.ifindex));
      }
      if (rc != 0) out_.warnings.push_back(hookError("removing the previous hook", r.iface, rc));
    }
  }

  const AttachRequest& request_;
  AttachOutcome& out_;
  std::optional<PinLock> lock_;  // taken once bpffs is surely mounted
  std::string root_;
  uint64_t cookie_ = 0;
  InstanceState previous_;
  bool havePrevious_ = false;
  std::set<uint32_t> pinnedIds_;
  std::vector<ResolvedHook> hooks_;
  uint64_t fingerprint_ = 0;
  MapAdoption adoption_;
  std::optional<BpfObject> object_;
  std::vector<HookChange> changes_;
  std::map<std::string, UniqueFd> keptFds_;  // program name -> the running program kept on its hook
};

}  // namespace

AttachOutcome attach(const AttachRequest& request) {
  AttachOutcome out;
  Attacher(request, out).run();
  return out;
}

}  // namespace meshfwd::loader
