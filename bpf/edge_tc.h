/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * edge_tc.h - the edge's forwarding fast path, TC ingress on the LAN (E2,
 * E4) and on the routing tunnel (E3, E4). The step numbers below are
 * docs/datapath-spec.md "LAN TC ingress" and "Tunnel TC ingress".
 *
 * Egress needs no lookup: the edge has exactly one tunnel and one LAN, both
 * in the config. The kernel's FIB is asked only on the rare IPv4 path,
 * where there is no map that knows the router's own IPv4 addresses.
 */
#ifndef MESHFWD_EDGE_TC_H
#define MESHFWD_EDGE_TC_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "edge_common.h"

#ifndef AF_INET
#define AF_INET 2
#endif

#define MF_DHCP_CLIENT_PORT 68
/* The edge's own site in mf_site_counters. */
#define MF_EDGE_SITE_ID 0

/*
 * IPv4 to our MAC: drop what the kernel would forward (the edge never
 * forwards IPv4, E4), pass everything else, above all the router's own
 * traffic. Only the FIB knows the router's IPv4 addresses.
 */
static __always_inline void mf_edge_lan_ipv4(struct __sk_buff *skb, void *data, void *data_end,
					     struct mf_edge_verdict *v)
{
	struct iphdr *ip4 = data + ETH_HLEN;
	if ((void *)(ip4 + 1) > data_end || ip4->ihl < 5) {
		mf_edge_set(v, MF_EDGE_DROP, MF_T_DROP_TRUNCATED);
		return;
	}
	__u32 daddr = bpf_ntohl(ip4->daddr);
	if ((daddr >> 28) == 0xe || daddr == 0xffffffff) {
		mf_edge_set(v, MF_EDGE_PASS, MF_T_PASS_LOCAL);
		return;
	}
	/* A DHCP client may be offered an address it does not hold yet. */
	if (ip4->protocol == IPPROTO_UDP && !(ip4->frag_off & bpf_htons(0x1fff))) {
		struct udphdr *udp = (void *)ip4 + ip4->ihl * 4;
		if ((void *)(udp + 1) <= data_end && udp->dest == bpf_htons(MF_DHCP_CLIENT_PORT)) {
			mf_edge_set(v, MF_EDGE_PASS, MF_T_PASS_LOCAL);
			return;
		}
	}

	struct bpf_fib_lookup fib = {};
	fib.family = AF_INET;
	fib.tos = ip4->tos;
	fib.l4_protocol = ip4->protocol;
	fib.tot_len = bpf_ntohs(ip4->tot_len);
	fib.ipv4_src = ip4->saddr;
	fib.ipv4_dst = ip4->daddr;
	fib.ifindex = skb->ifindex;
	switch (bpf_fib_lookup(skb, &fib, sizeof(fib), BPF_FIB_LOOKUP_SKIP_NEIGH)) {
	case BPF_FIB_LKUP_RET_SUCCESS:
	case BPF_FIB_LKUP_RET_NO_NEIGH:
	case BPF_FIB_LKUP_RET_FRAG_NEEDED:
		mf_edge_set(v, MF_EDGE_DROP, MF_T_DROP_IPV4);
		return;
	case BPF_FIB_LKUP_RET_NOT_FWDED:
		mf_edge_set(v, MF_EDGE_PASS, MF_T_PASS_LOCAL);
		return;
	default:
		/* Forwarding disabled, unreachable, blackhole, prohibit:
		 * the kernel does not forward these either. */
		mf_edge_set(v, MF_EDGE_PASS, MF_T_PASS_OTHER);
		return;
	}
}

/* LAN steps 2-13. Reads the frame and the maps; the GSO MTU check reads the
 * skb's GSO state. */
static __always_inline void mf_edge_lan_decide(struct __sk_buff *skb, void *data, void *data_end,
					       const struct mf_config *cfg, struct mf_edge_verdict *v)
{
	/* Step 2. */
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end) {
		mf_edge_set(v, MF_EDGE_DROP, MF_T_DROP_TRUNCATED);
		return;
	}
	/* Step 3. */
	if (!mf_edge_frame_is_ours(cfg, eth)) {
		mf_edge_set(v, MF_EDGE_PASS, MF_T_PASS_NOT_OURS);
		return;
	}
	/* Step 4. */
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		mf_edge_lan_ipv4(skb, data, data_end, v);
		return;
	}
	if (eth->h_proto != bpf_htons(ETH_P_IPV6)) {
		mf_edge_set(v, MF_EDGE_PASS, MF_T_PASS_OTHER);
		return;
	}
	/* Step 5. */
	struct ipv6hdr *ip6 = mf_ipv6_header(data, data_end, ETH_HLEN);
	if (!ip6) {
		mf_edge_set(v, MF_EDGE_DROP, MF_T_DROP_TRUNCATED);
		return;
	}
	if (ip6->version != 6) {
		mf_edge_set(v, MF_EDGE_PASS, MF_T_PASS_OTHER);
		return;
	}

	/* Steps 6-9. */
	struct mf_edge_pkt pkt = {};
	switch (mf_edge_prelude(data, data_end, ETH_HLEN, skb->len - ETH_HLEN, cfg, &pkt, 1, 1)) {
	case MF_EDGE_LOCAL:
		mf_edge_set(v, MF_EDGE_PASS, MF_T_PASS_LOCAL);
		return;
	case MF_EDGE_TRUNCATED:
		mf_edge_set(v, MF_EDGE_DROP, MF_T_DROP_TRUNCATED);
		return;
	case MF_EDGE_CHAIN:
		mf_edge_set(v, MF_EDGE_DROP, MF_T_DROP_EXTHDR_CHAIN);
		return;
	case MF_EDGE_CONTROL:
		mf_edge_set(v, MF_EDGE_PASS, MF_T_PASS_CONTROL);
		return;
	case MF_EDGE_SPOOFED:
		mf_edge_set(v, MF_EDGE_DROP, MF_T_DROP_SPOOFED);
		return;
	default:
		break;
	}

	ip6 = mf_ipv6_header(data, data_end, ETH_HLEN);
	if (!ip6) {
		mf_edge_set(v, MF_EDGE_DROP, MF_T_DROP_TRUNCATED);
		return;
	}
	/* Step 10: the kernel answers hop limit before its filter. */
	if (ip6->hop_limit <= 1) {
		mf_edge_error_or_silence(v, &pkt, MF_T_TIME_EXCEEDED, MF_T_DROP_ICMP_ERROR, ICMPV6_TIME_EXCEED,
					 ICMPV6_EXC_HOPLIMIT, 0);
		return;
	}
	/* Step 11: E1, for when the XDP program did not see it. */
	if (mf_ipv6_in_64(&ip6->daddr, cfg->site_prefix)) {
		mf_edge_error_or_silence(v, &pkt, MF_T_REJECT_HAIRPIN, MF_T_DROP_ICMP_ERROR, ICMPV6_DEST_UNREACH,
					 ICMPV6_PORT_UNREACH, 0);
		return;
	}
	/* Step 12: E2, with the tunnel's MTU. */
	if (mf_ipv6_in_48(&ip6->daddr, cfg->mesh_prefix)) {
		int too_big;
		if (skb->gso_size) {
			/* GRO'd on the way in: the segments must fit, not
			 * the super-packet. */
			__u32 mtu_len = 0;
			too_big = bpf_check_mtu(skb, cfg->tunnel_ifindex, &mtu_len, 0, BPF_MTU_CHK_SEGS) ==
				  BPF_MTU_CHK_RET_SEGS_TOOBIG;
		} else {
			too_big = skb->len - ETH_HLEN > cfg->tunnel_mtu;
		}
		if (too_big)
			mf_edge_error_or_silence(v, &pkt, MF_T_PACKET_TOO_BIG, MF_T_DROP_ICMP_ERROR,
						 ICMPV6_PKT_TOOBIG, 0, cfg->tunnel_mtu);
		else
			mf_edge_set(v, MF_EDGE_FORWARD, MF_T_FWD_TO_TUNNEL);
		return;
	}
	/* Step 13: E4. */
	mf_edge_error_or_silence(v, &pkt, MF_T_REJECT_OTHER, MF_T_DROP_ICMP_ERROR, ICMPV6_DEST_UNREACH,
				 ICMPV6_PORT_UNREACH, 0);
}

SEC("tc")
int edge_lan_ingress(struct __sk_buff *skb)
{
	__u32 len = skb->len;

	/* Step 1. */
	const struct mf_config *cfg = mf_edge_config();
	if (!cfg) {
		mf_count(MF_T_PASS_NO_CONFIG, len);
		return TC_ACT_OK;
	}

	struct mf_edge_verdict v = {};
	mf_tc_pull(skb, MF_TC_PULL_FIRST);
	mf_edge_lan_decide(skb, (void *)(long)skb->data, (void *)(long)skb->data_end, cfg, &v);
	if (v.reason == MF_T_DROP_TRUNCATED && mf_tc_nonlinear(skb)) {
		/* Extension headers beyond the linear area: pull them in and
		 * decide again; only this rare case pays for the copy. */
		mf_tc_pull(skb, MF_PARSE_SPAN_MAX);
		mf_edge_lan_decide(skb, (void *)(long)skb->data, (void *)(long)skb->data_end, cfg, &v);
	}

	switch (v.action) {
	case MF_EDGE_PASS:
		mf_count(v.reason, len);
		return TC_ACT_OK;

	case MF_EDGE_FORWARD: {
		void *data = (void *)(long)skb->data;
		void *data_end = (void *)(long)skb->data_end;
		struct ipv6hdr *ip6 = mf_ipv6_header(data, data_end, ETH_HLEN);
		if (!ip6) {
			mf_count(MF_T_DROP_TRUNCATED, len);
			return TC_ACT_SHOT;
		}
		ip6->hop_limit--;
		mf_count(v.reason, len);
		mf_count_site(MF_EDGE_SITE_ID, MF_DIR_FROM_SITE, len);
		/* Into the L3 tunnel: the kernel drops the MAC header. */
		return bpf_redirect(cfg->tunnel_ifindex, 0);
	}

	case MF_EDGE_ERROR:
		return mf_edge_tc_send_error(skb, cfg, ETH_HLEN, &v, len, MF_T_DROP_ICMP_RATELIMIT,
					     MF_T_DROP_ERROR_BUILD);

	default:
		mf_count(v.reason, len);
		return TC_ACT_SHOT;
	}
}

/* Tunnel steps 2-8. Pure: reads the packet and the maps. */
static __always_inline void mf_edge_tunnel_decide(void *data, void *data_end, const struct mf_config *cfg,
						  __u32 l2, __u32 l3_len, struct mf_edge_verdict *v)
{
	/* Step 2. With an L2 header the EtherType says what it is; without
	 * one (TUN/WireGuard) the version nibble does, as for the kernel. */
	__u8 version;
	if (l2 == ETH_HLEN) {
		__be16 *ethertype = data + ETH_HLEN - 2;
		if ((void *)(ethertype + 1) > data_end) {
			mf_edge_set(v, MF_EDGE_DROP, MF_T_DROP_TRUNCATED);
			return;
		}
		version = *ethertype == bpf_htons(ETH_P_IPV6) ? 6 : *ethertype == bpf_htons(ETH_P_IP) ? 4 : 0;
	} else {
		__u8 *first = data;
		if ((void *)(first + 1) > data_end) {
			mf_edge_set(v, MF_EDGE_DROP, MF_T_DROP_TRUNCATED);
			return;
		}
		version = *first >> 4;
	}
	if (version == 4) {
		mf_edge_set(v, MF_EDGE_DROP, MF_T_DROP_IPV4);
		return;
	}
	if (version != 6) {
		mf_edge_set(v, MF_EDGE_DROP, MF_T_DROP_NOT_IP);
		return;
	}
	/* Step 3. */
	struct ipv6hdr *ip6 = mf_ipv6_header(data, data_end, l2);
	if (!ip6) {
		mf_edge_set(v, MF_EDGE_DROP, MF_T_DROP_TRUNCATED);
		return;
	}
	if (ip6->version != 6) {
		mf_edge_set(v, MF_EDGE_DROP, MF_T_DROP_NOT_IP);
		return;
	}

	/* Steps 4-5. */
	struct mf_edge_pkt pkt = {};
	switch (mf_edge_prelude(data, data_end, l2, l3_len, cfg, &pkt, 0, 0)) {
	case MF_EDGE_LOCAL:
		mf_edge_set(v, MF_EDGE_PASS, MF_T_PASS_LOCAL);
		return;
	case MF_EDGE_CHAIN:
		mf_edge_set(v, MF_EDGE_DROP, MF_T_DROP_EXTHDR_CHAIN);
		return;
	case MF_EDGE_CONTINUE:
		break;
	default:
		mf_edge_set(v, MF_EDGE_DROP, MF_T_DROP_TRUNCATED);
		return;
	}

	ip6 = mf_ipv6_header(data, data_end, l2);
	if (!ip6) {
		mf_edge_set(v, MF_EDGE_DROP, MF_T_DROP_TRUNCATED);
		return;
	}
	/* Step 6. */
	if (ip6->hop_limit <= 1) {
		mf_edge_error_or_silence(v, &pkt, MF_T_TIME_EXCEEDED, MF_T_DROP_ICMP_ERROR, ICMPV6_TIME_EXCEED,
					 ICMPV6_EXC_HOPLIMIT, 0);
		return;
	}
	/* Step 7: E3. */
	if (mf_ipv6_in_64(&ip6->daddr, cfg->site_prefix)) {
		mf_edge_set(v, MF_EDGE_FORWARD, MF_T_FWD_TO_LAN);
		return;
	}
	/* Step 8: E4. */
	mf_edge_error_or_silence(v, &pkt, MF_T_REJECT_OTHER, MF_T_DROP_ICMP_ERROR, ICMPV6_DEST_UNREACH,
				 ICMPV6_PORT_UNREACH, 0);
}

/*
 * E3 out: hop limit - 1, then bpf_redirect_neigh to the LAN, which resolves
 * the host's MAC (queueing, not losing, the first packet). From an L3
 * device the skb needs a MAC header first or the kernel drops every packet
 * (DESIGN.md 3); only its unicast destination matters, the neighbour code
 * writes the real one.
 */
static __always_inline int mf_edge_tunnel_forward(struct __sk_buff *skb, const struct mf_config *cfg, __u32 l2,
						  __u32 reason, __u32 len)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ipv6hdr *ip6 = mf_ipv6_header(data, data_end, l2);
	if (!ip6) {
		mf_count(MF_T_DROP_TRUNCATED, len);
		return TC_ACT_SHOT;
	}
	ip6->hop_limit--;

	if (l2 == 0) {
		if (bpf_skb_change_head(skb, ETH_HLEN, 0)) {
			mf_count(MF_T_DROP_ERROR_BUILD, len);
			return TC_ACT_SHOT;
		}
		data = (void *)(long)skb->data;
		data_end = (void *)(long)skb->data_end;
		struct ethhdr *eth = data;
		if ((void *)(eth + 1) > data_end) {
			mf_count(MF_T_DROP_ERROR_BUILD, len);
			return TC_ACT_SHOT;
		}
		__builtin_memcpy(eth->h_dest, cfg->router_mac, ETH_ALEN);
		__builtin_memcpy(eth->h_source, cfg->router_mac, ETH_ALEN);
		eth->h_proto = bpf_htons(ETH_P_IPV6);
	}
	mf_count(reason, len);
	mf_count_site(MF_EDGE_SITE_ID, MF_DIR_TO_SITE, len);
	return bpf_redirect_neigh(cfg->lan_ifindex, 0, 0, 0);
}

SEC("tc")
int edge_tunnel_ingress(struct __sk_buff *skb)
{
	__u32 len = skb->len;

	/* Step 1. */
	const struct mf_config *cfg = mf_edge_config();
	__u32 l2 = cfg ? cfg->l2_len_tunnel : 0;
	if (!cfg || (l2 != 0 && l2 != ETH_HLEN)) {
		mf_count(MF_T_PASS_NO_CONFIG, len);
		return TC_ACT_OK;
	}

	struct mf_edge_verdict v = {};
	mf_tc_pull(skb, MF_TC_PULL_FIRST);
	mf_edge_tunnel_decide((void *)(long)skb->data, (void *)(long)skb->data_end, cfg, l2, len - l2, &v);
	if (v.reason == MF_T_DROP_TRUNCATED && mf_tc_nonlinear(skb)) {
		mf_tc_pull(skb, MF_PARSE_SPAN_MAX);
		mf_edge_tunnel_decide((void *)(long)skb->data, (void *)(long)skb->data_end, cfg, l2, len - l2, &v);
	}

	switch (v.action) {
	case MF_EDGE_PASS:
		mf_count(v.reason, len);
		return TC_ACT_OK;
	case MF_EDGE_FORWARD:
		return mf_edge_tunnel_forward(skb, cfg, l2, v.reason, len);
	case MF_EDGE_ERROR:
		return mf_edge_tc_send_error(skb, cfg, l2, &v, len, MF_T_DROP_ICMP_RATELIMIT, MF_T_DROP_ERROR_BUILD);
	default:
		mf_count(v.reason, len);
		return TC_ACT_SHOT;
	}
}

#endif /* MESHFWD_EDGE_TC_H */
