#include "loader/xdp_pass.h"

#include <bpf/bpf.h>
#include <linux/bpf.h>

namespace meshfwd::loader {

int loadXdpPassProgram() {
  // r0 = XDP_PASS; exit. Two instructions need no object file.
  bpf_insn program[2] = {};
  program[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
  program[0].dst_reg = BPF_REG_0;
  program[0].imm = XDP_PASS;
  program[1].code = BPF_JMP | BPF_EXIT;
  int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "mf_xdp_pass", "GPL", program, 2, nullptr);
  return fd;  // libbpf 1.x returns -errno on failure
}

}  // namespace meshfwd::loader
