/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * edge_xdp.h - the edge's XDP program on the LAN: the hairpin reject (E1)
 * answered at line rate with XDP_TX, and BCP 38 for traffic into the mesh.
 * Everything else it hands on untouched: to the kernel, or to
 * edge_lan_ingress for the forwarding fast path. The step numbers below are
 * docs/datapath-spec.md "LAN XDP".
 *
 * The LAN may also be the uplink (single-NIC edge, the seed's default), so
 * the program acts only on frames to this router's MAC (or the VRRP vmac
 * while master) that are not for the router itself.
 */
#ifndef MESHFWD_EDGE_XDP_H
#define MESHFWD_EDGE_XDP_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "edge_common.h"

/*
 * Turns the frame (Ethernet + the offending IPv6 packet) into an ICMPv6
 * error about it: cut the tail so the quote fits 1280, grow the head by the
 * 48 bytes of IPv6 + ICMPv6 header, then write the reply's Ethernet header
 * from the old one (addresses swapped) before the header fill overwrites
 * it. Returns 0, or -1 when the frame could not be reshaped.
 */
static __always_inline int mf_xdp_icmp6_error(struct xdp_md *ctx, __u8 type, __u8 code, __u32 param,
					      const __u8 *src)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 l3_len = data_end - data - ETH_HLEN;

	if (l3_len > MF_ICMP_QUOTE_MAX) {
		if (bpf_xdp_adjust_tail(ctx, -(int)(l3_len - MF_ICMP_QUOTE_MAX)))
			return -1;
	}
	if (bpf_xdp_adjust_head(ctx, -(int)MF_ICMP6_ERROR_HDRS))
		return -1;

	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ethhdr *old = data + MF_ICMP6_ERROR_HDRS;
	if ((void *)(old + 1) > data_end)
		return -1;
	__builtin_memcpy(eth->h_dest, old->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, old->h_dest, ETH_ALEN);
	eth->h_proto = bpf_htons(ETH_P_IPV6);
	return mf_icmp6_error_fill(data, data_end, ETH_HLEN, type, code, param, src);
}

/* Steps 2-12. Pure: reads the frame and the maps, writes nothing. */
static __always_inline void mf_edge_xdp_decide(void *data, void *data_end, const struct mf_config *cfg,
					       struct mf_edge_verdict *v)
{
	/* Step 2. */
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end) {
		mf_edge_set(v, MF_EDGE_DROP, MF_E_DROP_TRUNCATED);
		return;
	}
	/* Step 3. */
	if (!mf_edge_frame_is_ours(cfg, eth)) {
		mf_edge_set(v, MF_EDGE_PASS, MF_E_PASS_NOT_OURS);
		return;
	}
	/* Step 4: IPv4 is judged once, by edge_lan_ingress. */
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		mf_edge_set(v, MF_EDGE_PASS, MF_E_PASS_NOT_FORWARDED);
		return;
	}
	if (eth->h_proto != bpf_htons(ETH_P_IPV6)) {
		mf_edge_set(v, MF_EDGE_PASS, MF_E_PASS_OTHER);
		return;
	}
	/* Step 5. */
	struct ipv6hdr *ip6 = mf_ipv6_header(data, data_end, ETH_HLEN);
	if (!ip6) {
		mf_edge_set(v, MF_EDGE_DROP, MF_E_DROP_TRUNCATED);
		return;
	}
	if (ip6->version != 6) {
		mf_edge_set(v, MF_EDGE_PASS, MF_E_PASS_OTHER);
		return;
	}

	/* Steps 6-8 and 10 (BCP 38 only applies inside the /48, so it
	 * cannot catch what step 9 lets through). */
	struct mf_edge_pkt pkt = {};
	switch (mf_edge_prelude(data, data_end, ETH_HLEN, data_end - data - ETH_HLEN, cfg, &pkt, 1, 1)) {
	case MF_EDGE_LOCAL:
		mf_edge_set(v, MF_EDGE_PASS, MF_E_PASS_LOCAL);
		return;
	case MF_EDGE_TRUNCATED:
		mf_edge_set(v, MF_EDGE_DROP, MF_E_DROP_TRUNCATED);
		return;
	case MF_EDGE_CHAIN:
		mf_edge_set(v, MF_EDGE_DROP, MF_E_DROP_EXTHDR_CHAIN);
		return;
	case MF_EDGE_CONTROL:
		mf_edge_set(v, MF_EDGE_PASS, MF_E_PASS_CONTROL);
		return;
	case MF_EDGE_SPOOFED:
		mf_edge_set(v, MF_EDGE_DROP, MF_E_DROP_SPOOFED);
		return;
	default:
		break;
	}

	ip6 = mf_ipv6_header(data, data_end, ETH_HLEN);
	if (!ip6) {
		mf_edge_set(v, MF_EDGE_DROP, MF_E_DROP_TRUNCATED);
		return;
	}
	/* Step 9. */
	if (!mf_ipv6_in_48(&ip6->daddr, cfg->mesh_prefix)) {
		mf_edge_set(v, MF_EDGE_PASS, MF_E_PASS_NOT_FORWARDED);
		return;
	}
	/* Step 11. */
	if (!mf_ipv6_in_64(&ip6->daddr, cfg->site_prefix)) {
		mf_edge_set(v, MF_EDGE_PASS, MF_E_PASS_TO_TC);
		return;
	}
	/* Step 12: E1. The kernel answers hop limit first, before its filter. */
	if (ip6->hop_limit <= 1)
		mf_edge_error_or_silence(v, &pkt, MF_E_TIME_EXCEEDED, MF_E_DROP_ICMP_ERROR, ICMPV6_TIME_EXCEED,
					 ICMPV6_EXC_HOPLIMIT, 0);
	else
		mf_edge_error_or_silence(v, &pkt, MF_E_REJECT_HAIRPIN, MF_E_DROP_ICMP_ERROR, ICMPV6_DEST_UNREACH,
					 ICMPV6_PORT_UNREACH, 0);
}

SEC("xdp")
int edge_lan_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 len = data_end - data;

	/* Step 1. */
	const struct mf_config *cfg = mf_edge_config();
	if (!cfg) {
		mf_count(MF_E_PASS_NO_CONFIG, len);
		return XDP_PASS;
	}

	struct mf_edge_verdict v = {};
	mf_edge_xdp_decide(data, data_end, cfg, &v);

	switch (v.action) {
	case MF_EDGE_PASS:
		mf_count(v.reason, len);
		return XDP_PASS;
	case MF_EDGE_ERROR:
		if (!mf_percpu_bucket_take(MF_BUCKET_ICMP, cfg->icmp_rate, cfg->icmp_burst)) {
			mf_count(MF_E_DROP_ICMP_RATELIMIT, len);
			return XDP_DROP;
		}
		if (mf_xdp_icmp6_error(ctx, v.icmp_type, v.icmp_code, v.icmp_param, cfg->icmp_src)) {
			mf_count(MF_E_DROP_ERROR_BUILD, len);
			return XDP_DROP;
		}
		mf_count(v.reason, len);
		return XDP_TX;
	default:
		mf_count(v.reason, len);
		return XDP_DROP;
	}
}

#endif /* MESHFWD_EDGE_XDP_H */
