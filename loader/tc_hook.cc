#include "loader/tc_hook.h"

#include <bpf/libbpf.h>
#include <net/if.h>

#include <cerrno>

#include "loader/libbpf_log.h"

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

bpf_tc_hook ingressHook(int ifindex) {
  LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
  return hook;
}

}  // namespace

int ensureClsact(int ifindex, bool* created) {
  bpf_tc_hook hook = ingressHook(ifindex);
  int rc = quietly([&] { return bpf_tc_hook_create(&hook); });
  *created = rc == 0;
  return rc == -EEXIST ? 0 : rc;
}

int destroyClsact(int ifindex) {
  // Ingress and egress together name the clsact qdisc itself.
  LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
              .attach_point = static_cast<bpf_tc_attach_point>(BPF_TC_INGRESS | BPF_TC_EGRESS));
  return quietly([&] { return bpf_tc_hook_destroy(&hook); });
}

int queryTc(int ifindex, uint32_t* progId) {
  *progId = 0;
  bpf_tc_hook hook = ingressHook(ifindex);
  LIBBPF_OPTS(bpf_tc_opts, opts, .handle = kTcHandle, .priority = kTcPriority);
  int rc = quietly([&] { return bpf_tc_query(&hook, &opts); });
  if (rc == 0) {
    *progId = opts.prog_id;
    return 0;
  }
  // No filter in the slot (ENOENT) or no clsact qdisc at all (EINVAL):
  // both mean "empty". A missing interface is an error.
  char name[IF_NAMESIZE];
  if (if_indextoname(static_cast<unsigned>(ifindex), name) == nullptr) return -ENODEV;
  return 0;
}

int installTc(int ifindex, int progFd) {
  bpf_tc_hook hook = ingressHook(ifindex);
  LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = progFd, .flags = BPF_TC_F_REPLACE, .handle = kTcHandle,
              .priority = kTcPriority);
  return quietly([&] { return bpf_tc_attach(&hook, &opts); });
}

int removeTc(int ifindex) {
  bpf_tc_hook hook = ingressHook(ifindex);
  LIBBPF_OPTS(bpf_tc_opts, opts, .handle = kTcHandle, .priority = kTcPriority);
  return quietly([&] { return bpf_tc_detach(&hook, &opts); });
}

}  // namespace meshfwd::loader
