#include "userspace/capabilities.h"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace meshfwd {

namespace {

// CAP_BPF and CAP_PERFMON are newer than some libc headers.
constexpr int kCapPerfmon = 38;
constexpr int kCapBpf = 39;

bool has(const __user_cap_data_struct (&data)[_LINUX_CAPABILITY_U32S_3], int cap) {
  return (data[cap / 32].effective >> (cap % 32)) & 1u;
}

}  // namespace

Capabilities currentCapabilities() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3]{};
  // glibc has no capget wrapper without libcap; the raw syscall is stable ABI.
  if (syscall(SYS_capget, &header, data) != 0) return {};
  Capabilities caps;
  caps.bpf = has(data, kCapBpf);
  caps.netAdmin = has(data, CAP_NET_ADMIN);
  caps.sysAdmin = has(data, CAP_SYS_ADMIN);
  caps.perfmon = has(data, kCapPerfmon);
  return caps;
}

std::vector<std::string> missingForAttach(const Capabilities& caps) {
  std::vector<std::string> missing;
  if (!caps.bpf && !caps.sysAdmin) missing.push_back("CAP_BPF");
  if (!caps.netAdmin) missing.push_back("CAP_NET_ADMIN");
  return missing;
}

}  // namespace meshfwd
