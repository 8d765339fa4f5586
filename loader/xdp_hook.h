// The XDP hook of one interface, through libbpf's bpf_xdp_attach /
// bpf_xdp_query with XDP_FLAGS_REPLACE.
//
// Why not libxdp: its multi-program dispatcher fails its compatibility
// check on this kernel and falls back to a single program (DESIGN.md 5),
// and its dispatcher pins live in /sys/fs/bpf/xdp, shared by every network
// namespace, so it cannot keep one instance per namespace. What meshfwd
// needs is one program per interface replaced atomically only when the
// hook still holds the program we expect; the kernel's XDP_FLAGS_REPLACE
// with an expected old program is exactly that, and libbpf exposes it.
#pragma once

#include <cstdint>

namespace meshfwd::loader {

enum class XdpMode : uint8_t { None = 0, Native = 1, Generic = 2 };

struct XdpHookState {
  uint32_t progId = 0;  // 0: the hook is empty
  XdpMode mode = XdpMode::None;
};

// 0 or -errno (e.g. -ENODEV).
int queryXdp(int ifindex, XdpHookState& state);

// Puts progFd on the hook in `mode`, succeeding only if the hook still
// holds `expected` (progId 0: only if it is empty). Atomic when expected is
// empty or in the same mode; a mode change detaches first (the kernel
// refuses native and generic at once). 0 or -errno (-EEXIST: the hook no
// longer holds what was expected; -EOPNOTSUPP: no native XDP here).
int installXdp(int ifindex, int progFd, XdpMode mode, const XdpHookState& expected);

// Removes `expected` from the hook, only if it is still there. 0 or -errno.
int removeXdp(int ifindex, const XdpHookState& expected);

const char* xdpModeName(XdpMode mode);  // "native" | "generic" | "none"

}  // namespace meshfwd::loader
