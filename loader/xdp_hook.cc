#include "loader/xdp_hook.h"

#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include <cerrno>

#include "loader/libbpf_log.h"

#include "loader/prog_info.h"

namespace meshfwd::loader {

namespace {

// Runs one libbpf hook call with its printing captured: expected failures
// (a query on an interface without clsact) stay quiet, and a real one
// leaves the kernel's message for the error text.
template <typename Call>
int quietly(Call&& call) {
  LibbpfLogCapture log;
  int rc = call();
  setLastKernelMessage(rc != 0 ? log.kernelMessage() : std::string());
  return rc;
}

uint32_t modeFlag(XdpMode mode) { return mode == XdpMode::Native ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE; }

}  // namespace

const char* xdpModeName(XdpMode mode) {
  switch (mode) {
    case XdpMode::Native: return "native";
    case XdpMode::Generic: return "generic";
    case XdpMode::None: return "none";
  }
  return "none";
}

int queryXdp(int ifindex, XdpHookState& state) {
  LIBBPF_OPTS(bpf_xdp_query_opts, opts);
  int rc = quietly([&] { return bpf_xdp_query(ifindex, 0, &opts); });
  if (rc != 0) return rc < 0 ? rc : -EINVAL;
  state = {};
  if (opts.drv_prog_id != 0) {
    state = {opts.drv_prog_id, XdpMode::Native};
  } else if (opts.skb_prog_id != 0) {
    state = {opts.skb_prog_id, XdpMode::Generic};
  }
  return 0;
}

int removeXdp(int ifindex, const XdpHookState& expected) {
  if (expected.progId == 0) return 0;
  UniqueFd old = programFdById(expected.progId);
  if (!old.valid()) return -errno;
  LIBBPF_OPTS(bpf_xdp_attach_opts, opts, .old_prog_fd = old.get());
  return quietly([&] { return bpf_xdp_detach(ifindex, modeFlag(expected.mode) | XDP_FLAGS_REPLACE, &opts); });
}

int installXdp(int ifindex, int progFd, XdpMode mode, const XdpHookState& expected) {
  if (expected.progId != 0 && expected.mode != mode) {
    if (int rc = removeXdp(ifindex, expected); rc != 0) return rc;
    return installXdp(ifindex, progFd, mode, XdpHookState{});
  }
  if (expected.progId == 0) return quietly([&] { return bpf_xdp_attach(ifindex, progFd, modeFlag(mode) | XDP_FLAGS_UPDATE_IF_NOEXIST, nullptr); });
  UniqueFd old = programFdById(expected.progId);
  if (!old.valid()) return -EEXIST;  // the expected program is gone: someone changed the hook
  LIBBPF_OPTS(bpf_xdp_attach_opts, opts, .old_prog_fd = old.get());
  return quietly([&] { return bpf_xdp_attach(ifindex, progFd, modeFlag(mode) | XDP_FLAGS_REPLACE, &opts); });
}

}  // namespace meshfwd::loader
