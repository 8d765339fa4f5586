#include "tools/bench/bpf_run_stats.h"

#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <net/if.h>

#include "loader/prog_info.h"
#include "loader/tc_hook.h"
#include "loader/xdp_hook.h"
#include "tools/bench/netns_run.h"

namespace meshfwd::bench {

namespace {

void addProgram(uint32_t id, BpfRunSample& sum) {
  if (id == 0) return;
  loader::UniqueFd fd = loader::programFdById(id);
  bpf_prog_info info{};
  __u32 len = sizeof info;
  if (!fd.valid() || bpf_obj_get_info_by_fd(fd.get(), &info, &len) != 0) return;
  sum.runTimeNs += info.run_time_ns;
  sum.runCount += info.run_cnt;
}

}  // namespace

loader::UniqueFd enableBpfRunStats() { return loader::UniqueFd(bpf_enable_stats(BPF_STATS_RUN_TIME)); }

BpfRunSample sampleIngressPrograms(const std::string& netns, const std::string& ifname) {
  BpfRunSample sum;
  runInNetns(netns, [&]() -> std::string {
    int ifindex = static_cast<int>(if_nametoindex(ifname.c_str()));
    if (ifindex == 0) return "";
    loader::XdpHookState xdp;
    if (loader::queryXdp(ifindex, xdp) == 0) addProgram(xdp.progId, sum);
    uint32_t tc = 0;
    if (loader::queryTc(ifindex, &tc) == 0) addProgram(tc, sum);
    return "";
  });
  return sum;
}

}  // namespace meshfwd::bench
