// meshfwd's filter on the clsact ingress hook of one interface, through
// libbpf's bpf_tc_* (libbpf 1.1 has no TCX). One fixed handle and priority
// is meshfwd's slot: attaching with BPF_TC_F_REPLACE there replaces
// atomically and can never add a second copy.
#pragma once

#include <cstdint>

namespace meshfwd::loader {

inline constexpr uint32_t kTcHandle = 0x6d66;  // "mf"
// First in the chain: the fast path must see packets before filters that
// end classification with TC_ACT_OK.
inline constexpr uint32_t kTcPriority = 1;

// Adds the clsact qdisc. *created is false when it already existed. 0 or -errno.
int ensureClsact(int ifindex, bool* created);
// Deletes the clsact qdisc with every filter on it. 0 or -errno.
int destroyClsact(int ifindex);

// *progId = the program in meshfwd's slot, 0 when the slot (or the clsact
// qdisc) is empty. 0 or -errno (-ENODEV: no such interface).
int queryTc(int ifindex, uint32_t* progId);
// Creates or replaces the filter in meshfwd's slot. 0 or -errno.
int installTc(int ifindex, int progFd);
// Deletes the filter in meshfwd's slot. 0 or -errno.
int removeTc(int ifindex);

}  // namespace meshfwd::loader
