/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Loader tests only: programs with the real programs' names and the real
 * maps, which pass every packet and count it. They let the attach, pin and
 * re-attach tests run independently of the policy programs, and the
 * counters show which program (and which map instance) saw a packet. */
#include <linux/pkt_cls.h>
#include "common.bpf.h"

SEC("tc")
int relay_tunnel_ingress(struct __sk_buff *skb)
{
	mf_count(MF_R_PASS_NO_CONFIG, skb->len);
	return TC_ACT_OK;
}

SEC("xdp")
int relay_uplink_guard(struct xdp_md *ctx)
{
	mf_count(MF_G_PASS_OTHER, ctx->data_end - ctx->data);
	return XDP_PASS;
}

SEC("xdp")
int edge_lan_xdp(struct xdp_md *ctx)
{
	mf_count(MF_E_PASS_OTHER, ctx->data_end - ctx->data);
	return XDP_PASS;
}

SEC("tc")
int edge_lan_ingress(struct __sk_buff *skb)
{
	mf_count(MF_T_PASS_OTHER, skb->len);
	return TC_ACT_OK;
}

SEC("tc")
int edge_tunnel_ingress(struct __sk_buff *skb)
{
	mf_count(MF_T_PASS_LOCAL, skb->len);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
