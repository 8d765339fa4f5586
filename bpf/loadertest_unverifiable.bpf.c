/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Loader tests only: a relay-shaped object the verifier must reject (a
 * packet read without a bounds check), so the test can check that the
 * error carries the verifier log's tail. */
#include <linux/pkt_cls.h>
#include "common.bpf.h"

SEC("tc")
int relay_tunnel_ingress(struct __sk_buff *skb)
{
	const __u8 *data = (const __u8 *)(long)skb->data;
	return data[0] == 0x60 ? TC_ACT_OK : TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
