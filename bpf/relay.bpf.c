/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The relay's program object: the routing-tunnel policy (TC ingress on the
 * tunnel) and the WireGuard-port guard (XDP on the uplink). One object so
 * both count into the same mf_counters and share one pin directory. */
#include "common.bpf.h"
#include "relay_tc.h"
#include "wg_guard.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";
