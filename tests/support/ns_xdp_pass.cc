#include "tests/support/ns_xdp_pass.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include "tests/support/netns.h"

namespace meshfwd::test {

void attachXdpPass(const std::string& netns, const std::string& ifname) {
  // r0 = XDP_PASS; exit. Two instructions need no object file.
  bpf_insn program[2] = {};
  program[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
  program[0].dst_reg = BPF_REG_0;
  program[0].imm = XDP_PASS;
  program[1].code = BPF_JMP | BPF_EXIT;

  runInNetns(netns, [&] {
    int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "xdp_pass", "GPL", program, 2, nullptr);
    if (fd < 0) throw std::runtime_error(std::string("loading an XDP pass program: ") + std::strerror(-fd));
    unsigned index = if_nametoindex(ifname.c_str());
    int rc = index == 0 ? -ENODEV : bpf_xdp_attach(static_cast<int>(index), fd, XDP_FLAGS_DRV_MODE, nullptr);
    ::close(fd);
    if (rc < 0) {
      throw std::runtime_error("attaching XDP pass to " + ifname + " in " + netns + ": " + std::strerror(-rc));
    }
  });
}

}  // namespace meshfwd::test
