#include "loader/test_run.h"

#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include <cerrno>

namespace meshfwd::loader {

TestRunResult testRun(int progFd, std::span<const uint8_t> packet, const TestRunOptions& options) {
  TestRunResult result;
  // Room for the largest thing a program may grow a packet into (an ICMPv6
  // error quotes up to 1232 bytes, plus headers) and for any input.
  result.output.resize(packet.size() + 2048);

  __sk_buff skbCtx{};
  LIBBPF_OPTS(bpf_test_run_opts, opts);
  opts.data_in = packet.data();
  opts.data_size_in = static_cast<uint32_t>(packet.size());
  opts.data_out = result.output.data();
  opts.data_size_out = static_cast<uint32_t>(result.output.size());
  opts.repeat = options.repeat;
  if (options.ingressIfindex != 0) {
    skbCtx.ifindex = options.ingressIfindex;
    opts.ctx_in = &skbCtx;
    opts.ctx_size_in = sizeof(skbCtx);
  }
  if (options.liveFrames) opts.flags = BPF_F_TEST_XDP_LIVE_FRAMES;

  if (bpf_prog_test_run_opts(progFd, &opts) != 0) {
    result.error = -errno;
    result.output.clear();
    return result;
  }
  result.retval = opts.retval;
  result.durationNs = opts.duration;
  result.output.resize(opts.data_size_out);
  return result;
}

}  // namespace meshfwd::loader
