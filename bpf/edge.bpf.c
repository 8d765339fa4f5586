/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The edge router's program object: XDP on the LAN (hairpin reject, source
 * validation, early drops) and TC ingress on the LAN and on the routing
 * tunnel (E2/E3 fast path, E4 reject). */
#include "common.bpf.h"
#include "edge_xdp.h"
#include "edge_tc.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";
