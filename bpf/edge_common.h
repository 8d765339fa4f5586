/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * edge_common.h - what the three edge programs agree on: whose frame it is
 * (VRRP MAC awareness), what is the router's own traffic, which link-scoped
 * protocols are never ours to forward, and the IPv6 prelude every edge
 * decision starts with. docs/datapath-spec.md "Edge" defines the terms used
 * here (*ours*, *local*, *walk*, *control*, *spoofed*).
 */
#ifndef MESHFWD_EDGE_COMMON_H
#define MESHFWD_EDGE_COMMON_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "common.bpf.h"
#include "parse.h"
#include "icmp6_error.h"

#define MF_IPPROTO_VRRP 112

/* MLD query/report/done (130-132), RS, RA, NS, NA, redirect (133-137). */
#define MF_ICMP6_LINK_SCOPED_FIRST 130
#define MF_ICMP6_LINK_SCOPED_LAST 137
#define MF_ICMP6_MLD2_REPORT 143

enum mf_edge_action {
	MF_EDGE_PASS = 0,
	MF_EDGE_DROP = 1,
	MF_EDGE_FORWARD = 2,
	MF_EDGE_ERROR = 3,
};

/* What a decision returns; the program counts and acts on it. */
struct mf_edge_verdict {
	__u32 action;   /* enum mf_edge_action */
	__u32 reason;   /* enum mf_reason */
	__u8 icmp_type; /* MF_EDGE_ERROR */
	__u8 icmp_code;
	__u16 pad0;
	__u32 icmp_param;
};

static __always_inline void mf_edge_set(struct mf_edge_verdict *v, __u32 action, __u32 reason)
{
	v->action = action;
	v->reason = reason;
}

static __always_inline void mf_edge_set_error(struct mf_edge_verdict *v, __u32 reason, __u8 type, __u8 code,
					      __u32 param)
{
	v->action = MF_EDGE_ERROR;
	v->reason = reason;
	v->icmp_type = type;
	v->icmp_code = code;
	v->icmp_param = param;
}

/* The live config, but only an edge's: a relay config in these maps is not
 * something these programs can act on. */
static __always_inline const struct mf_config *mf_edge_config(void)
{
	const struct mf_config *cfg = mf_live_config();
	if (cfg && cfg->role != MF_ROLE_EDGE)
		return 0;
	return cfg;
}

static __always_inline int mf_mac_equal(const __u8 *a, const __u8 *b)
{
	return *(const __u32 *)a == *(const __u32 *)b && *(const __u16 *)(a + 4) == *(const __u16 *)(b + 4);
}

/*
 * VRRP awareness: only frames sent to this router's MAC, or to the virtual
 * MAC while this router is master, are ours. On a flooding bridge a backup
 * sees the master's frames too and must leave them alone, or both would
 * forward and both would answer. The state map is read only when the
 * router MAC does not match, so the common case costs one compare.
 */
static __always_inline int mf_edge_frame_is_ours(const struct mf_config *cfg, const struct ethhdr *eth)
{
	if (mf_mac_equal(eth->h_dest, cfg->router_mac))
		return 1;
	__u32 zero = 0;
	const struct mf_edge_state *st = bpf_map_lookup_elem(&mf_edge_state, &zero);
	return st && st->vrrp_master && mf_mac_equal(eth->h_dest, st->vmac);
}

/* The input path's business: link-scoped or addressed to this box. On a
 * single-NIC edge this is what keeps the WireGuard outer UDP to the
 * router's own uplink address away from the forwarding policy. */
static __always_inline int mf_edge_is_local(const struct ipv6hdr *ip6)
{
	if (mf_ipv6_is_multicast(&ip6->daddr) || mf_ipv6_is_link_local(&ip6->daddr) ||
	    mf_ipv6_is_link_local(&ip6->saddr))
		return 1;
	return mf_is_local_addr(&ip6->daddr);
}

/* What the walk saw of the upper layer. */
struct mf_edge_pkt {
	struct mf_ip6_layout lay;
	int icmp_type;  /* -1 when the upper layer is not ICMPv6 or not visible */
};

static __always_inline int mf_edge_is_icmp_error(const struct mf_edge_pkt *pkt)
{
	return pkt->icmp_type >= 0 && pkt->icmp_type < 128;
}

/* Link-scoped protocols: ND, RA/RS, redirect, MLD, VRRP. A receiver drops
 * any of them that was forwarded (hop limit 255 or a link-local source is
 * required), so they are handed to the kernel and its daemons whatever
 * their addresses say. */
static __always_inline int mf_edge_is_control(const struct mf_edge_pkt *pkt)
{
	int t = pkt->icmp_type;
	return pkt->lay.l4proto == MF_IPPROTO_VRRP ||
	       (t >= MF_ICMP6_LINK_SCOPED_FIRST && t <= MF_ICMP6_LINK_SCOPED_LAST) || t == MF_ICMP6_MLD2_REPORT;
}

enum mf_edge_prelude {
	MF_EDGE_CONTINUE = 0,  /* a candidate for forwarding: the policy decides */
	MF_EDGE_LOCAL,
	MF_EDGE_TRUNCATED,
	MF_EDGE_CHAIN,
	MF_EDGE_CONTROL,       /* only with check_control */
	MF_EDGE_SPOOFED,       /* only with check_source */
};

/*
 * The steps every edge decision starts with once the IPv6 header at l3_off
 * is known to fit (l3_len: the packet's length from there): local, walk, then (LAN only) control and BCP 38 for
 * destinations in the mesh /48. Fills pkt for the policy that follows.
 * check_control and check_source are constants at every call site.
 */
static __always_inline enum mf_edge_prelude mf_edge_prelude(void *data, void *data_end, __u32 l3_off,
							    __u32 l3_len, const struct mf_config *cfg,
							    struct mf_edge_pkt *pkt, const int check_control,
							    const int check_source)
{
	struct ipv6hdr *ip6 = mf_ipv6_header(data, data_end, l3_off);
	if (!ip6)
		return MF_EDGE_TRUNCATED;
	if (mf_edge_is_local(ip6))
		return MF_EDGE_LOCAL;
	/* The kernel drops a packet shorter than its payload length says;
	 * never forward one into the mesh. */
	if (sizeof(*ip6) + bpf_ntohs(ip6->payload_len) > l3_len)
		return MF_EDGE_TRUNCATED;

	pkt->lay.l3_off = l3_off;
	pkt->icmp_type = -1;
	int st = mf_ipv6_walk(data, data_end, &pkt->lay);
	if (st == MF_PARSE_CHAIN_TOO_LONG)
		return MF_EDGE_CHAIN;
	if (st != MF_PARSE_OK)
		return MF_EDGE_TRUNCATED;
	if (pkt->lay.l4proto == IPPROTO_ICMPV6 && !mf_is_later_fragment(&pkt->lay)) {
		__u8 *l4 = mf_l4_header(data, data_end, &pkt->lay);
		if (l4)
			pkt->icmp_type = l4[0];
	}

	if (check_control && mf_edge_is_control(pkt))
		return MF_EDGE_CONTROL;

	/* The walk may have moved the verifier's view of data: look again. */
	ip6 = mf_ipv6_header(data, data_end, l3_off);
	if (!ip6)
		return MF_EDGE_TRUNCATED;
	if (check_source && (cfg->flags & MF_F_SOURCE_VALIDATION) &&
	    mf_ipv6_in_48(&ip6->daddr, cfg->mesh_prefix) && !mf_ipv6_in_64(&ip6->saddr, cfg->site_prefix))
		return MF_EDGE_SPOOFED;
	return MF_EDGE_CONTINUE;
}

/* An error about the packet, unless the packet is an ICMPv6 error itself
 * (RFC 4443 2.4(e)): then it is dropped without a word. */
static __always_inline void mf_edge_error_or_silence(struct mf_edge_verdict *v, const struct mf_edge_pkt *pkt,
						     __u32 reason, __u32 silent_reason, __u8 type, __u8 code,
						     __u32 param)
{
	if (mf_edge_is_icmp_error(pkt))
		mf_edge_set(v, MF_EDGE_DROP, silent_reason);
	else
		mf_edge_set_error(v, reason, type, code, param);
}

/*
 * TC: headers past the linear area. The first pull covers Ethernet, IPv6
 * and the upper-layer header of a packet without extension headers, which
 * is nearly always linear already, so the common path pays a compare. A
 * decision that found the packet truncated while the skb holds more asks
 * for mf_tc_pull_all() and decides again.
 */
#define MF_TC_PULL_FIRST (MF_L2_MAX + 40 + MF_L4_MIN_LEN)

static __always_inline int mf_tc_nonlinear(struct __sk_buff *skb)
{
	return (__u32)(skb->data_end - skb->data) < skb->len;
}

static __always_inline void mf_tc_pull(struct __sk_buff *skb, __u32 want)
{
	__u32 len = skb->len;
	if (mf_tc_nonlinear(skb))
		bpf_skb_pull_data(skb, len < want ? len : want);
}

/* The ICMP token, then the error built in place and sent back out of the
 * device the packet came in on. Returns the TC verdict. */
static __always_inline int mf_edge_tc_send_error(struct __sk_buff *skb, const struct mf_config *cfg, __u32 l2_len,
						 const struct mf_edge_verdict *v, __u32 len, __u32 ratelimit_reason,
						 __u32 build_reason)
{
	if (!mf_percpu_bucket_take(MF_BUCKET_ICMP, cfg->icmp_rate, cfg->icmp_burst)) {
		mf_count(ratelimit_reason, len);
		return TC_ACT_SHOT;
	}
	if (mf_tc_icmp6_error(skb, l2_len, v->icmp_type, v->icmp_code, v->icmp_param, cfg->icmp_src)) {
		mf_count(build_reason, len);
		return TC_ACT_SHOT;
	}
	mf_count(v->reason, len);
	return bpf_redirect(skb->ifindex, 0);
}

#endif /* MESHFWD_EDGE_COMMON_H */
