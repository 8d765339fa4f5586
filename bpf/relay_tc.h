/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * relay_tc.h - the relay's forwarding policy, TC ingress on the routing
 * tunnel. The decision order is docs/datapath-spec.md "Relay", step by step;
 * the step numbers in the comments below are that document's.
 *
 * The program decides first (mf_relay_decide: a pure function of the packet
 * and the maps, apart from remembering first fragments) and acts after
 * (mf_relay_act: count, rate-limit, build the error or rewrite the hop
 * limit, redirect). Forward and generated errors leave with
 * TC_ACT_REDIRECT, drops are TC_ACT_SHOT, the input path gets TC_ACT_OK.
 */
#ifndef MESHFWD_RELAY_TC_H
#define MESHFWD_RELAY_TC_H

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "common.bpf.h"
#include "parse.h"
#include "icmp6_error.h"

enum mf_relay_action {
	MF_ACT_PASS = 0,
	MF_ACT_DROP = 1,
	MF_ACT_FORWARD = 2,
	MF_ACT_ICMP_ERROR = 3,
};

struct mf_relay_verdict {
	__u32 action;      /* enum mf_relay_action */
	__u32 reason;      /* enum mf_reason */
	__u8 icmp_type;    /* MF_ACT_ICMP_ERROR */
	__u8 icmp_code;
	__u16 pad0;
	__u32 icmp_param;  /* MTU for packet too big */
	__u32 egress_ifindex; /* MF_ACT_FORWARD */
	__u32 site_id;
};

/* What the decision knows about the packet besides its bytes. */
struct mf_relay_pkt {
	struct mf_ip6_layout lay;
	struct ipv6hdr *ip6;
	__u8 *l4;            /* first 8 upper-layer bytes, NULL if not visible */
	__u32 l3_len;
	int icmp_error;      /* upper layer ICMPv6 with type < 128 */
};

static __always_inline void mf_verdict(struct mf_relay_verdict *v, __u32 action, __u32 reason)
{
	v->action = action;
	v->reason = reason;
}

static __always_inline void mf_verdict_error(struct mf_relay_verdict *v, __u32 reason, __u8 type, __u8 code,
					     __u32 param)
{
	v->action = MF_ACT_ICMP_ERROR;
	v->reason = reason;
	v->icmp_type = type;
	v->icmp_code = code;
	v->icmp_param = param;
}

static __always_inline int mf_port_in_range(const struct mf_config *cfg, __u16 port)
{
	return port >= cfg->port_lo && port <= cfg->port_hi;
}

/* Step 8: does the error quote an allowed mesh flow in the reverse
 * direction? The quote starts after the 8-byte ICMPv6 header. */
static __always_inline int mf_icmp_error_related(void *data, void *data_end, const struct mf_config *cfg,
						 const struct mf_relay_pkt *pkt)
{
	__u32 off = pkt->lay.l4_off + 8;
	if (off > MF_PARSE_SPAN_MAX)
		return 0;
	struct ipv6hdr *q = data + off;
	__u8 *ql4 = (void *)(q + 1);
	if ((void *)(ql4 + 8) > data_end)
		return 0;
	const struct ipv6hdr *ip6 = pkt->ip6;
	if (q->saddr.in6_u.u6_addr32[0] != ip6->daddr.in6_u.u6_addr32[0] ||
	    q->saddr.in6_u.u6_addr32[1] != ip6->daddr.in6_u.u6_addr32[1] ||
	    q->saddr.in6_u.u6_addr32[2] != ip6->daddr.in6_u.u6_addr32[2] ||
	    q->saddr.in6_u.u6_addr32[3] != ip6->daddr.in6_u.u6_addr32[3])
		return 0;
	if (!mf_ipv6_in_48(&q->daddr, cfg->mesh_prefix))
		return 0;
	if (q->nexthdr == IPPROTO_UDP)
		return mf_port_in_range(cfg, bpf_ntohs(*(__be16 *)(ql4 + 2)));
	if (q->nexthdr == IPPROTO_ICMPV6)
		return ql4[0] == 128 || ql4[0] == 129;
	return 0;
}

static __always_inline void mf_frag_remember(const struct mf_relay_pkt *pkt, __u32 verdict, __u32 reason)
{
	struct mf_frag_key key = {};
	__builtin_memcpy(key.saddr, &pkt->ip6->saddr, 16);
	__builtin_memcpy(key.daddr, &pkt->ip6->daddr, 16);
	key.id = pkt->lay.frag_id;
	struct mf_frag_state st = { .verdict = verdict, .reason = reason };
	bpf_map_update_elem(&mf_frags, &key, &st, BPF_ANY);
}

static __always_inline const struct mf_frag_state *mf_frag_lookup(const struct mf_relay_pkt *pkt)
{
	struct mf_frag_key key = {};
	__builtin_memcpy(key.saddr, &pkt->ip6->saddr, 16);
	__builtin_memcpy(key.daddr, &pkt->ip6->daddr, 16);
	key.id = pkt->lay.frag_id;
	return bpf_map_lookup_elem(&mf_frags, &key);
}

/* Step 7 for a packet that is not a later fragment: the policy table. */
static __always_inline void mf_relay_policy(void *data, void *data_end, const struct mf_config *cfg,
					    const struct mf_relay_pkt *pkt, struct mf_relay_verdict *v)
{
	int in_mesh = mf_ipv6_in_48(&pkt->ip6->daddr, cfg->mesh_prefix);
	__u8 proto = pkt->lay.l4proto;

	if (proto == IPPROTO_ICMPV6 && pkt->l4) {
		__u8 type = pkt->l4[0];
		__u8 a = cfg->icmp_action[type];
		if (!in_mesh) {
			if (MF_ICMP_ELSEWHERE(a) == MF_ICMP_DROP)
				mf_verdict(v, MF_ACT_DROP,
					   pkt->icmp_error ? MF_R_DROP_ICMP_ERROR : MF_R_DROP_ICMP_TYPE);
			else
				mf_verdict_error(v, MF_R_REJECT_POLICY, ICMPV6_DEST_UNREACH, ICMPV6_ADDR_UNREACH, 0);
			return;
		}
		switch (MF_ICMP_IN_MESH(a)) {
		case MF_ICMP_FORWARD:
			mf_verdict(v, MF_ACT_FORWARD, MF_R_FWD_ICMP);
			return;
		case MF_ICMP_FORWARD_IF_RELATED:
			if (mf_icmp_error_related(data, data_end, cfg, pkt))
				mf_verdict(v, MF_ACT_FORWARD, MF_R_FWD_ICMP_RELATED);
			else
				mf_verdict(v, MF_ACT_DROP, MF_R_DROP_ICMP_ERROR);
			return;
		case MF_ICMP_REJECT:
			mf_verdict_error(v, MF_R_REJECT_POLICY, ICMPV6_DEST_UNREACH, ICMPV6_ADDR_UNREACH, 0);
			return;
		default:
			mf_verdict(v, MF_ACT_DROP, pkt->icmp_error ? MF_R_DROP_ICMP_ERROR : MF_R_DROP_ICMP_TYPE);
			return;
		}
	}

	if (in_mesh && proto == IPPROTO_UDP && pkt->l4 &&
	    mf_port_in_range(cfg, bpf_ntohs(*(__be16 *)(pkt->l4 + 2)))) {
		mf_verdict(v, MF_ACT_FORWARD, MF_R_FWD_MESH_UDP);
		return;
	}
	mf_verdict_error(v, MF_R_REJECT_POLICY, ICMPV6_DEST_UNREACH, ICMPV6_ADDR_UNREACH, 0);
}

/*
 * Steps 2-8. Fills v; the caller counts and acts. skb is only read (its
 * length and GSO state for the MTU check).
 */

/* The egress for a destination: the exact /64 table first, the LPM trie on
 * a miss, and only if it names a configured tunnel. Copied out by value so
 * the verifier sees one kind of register afterwards whichever map answered;
 * a pointer that may come from either map doubles every path after it. */
static __noinline int mf_relay_egress(const struct ipv6hdr *ip6, struct mf_egress *out)
{
	if (!ip6 || !out)
		return 0;
	struct mf_egress64_key site_key;
	__builtin_memcpy(site_key.prefix, &ip6->daddr, 8);
	const struct mf_egress *e = bpf_map_lookup_elem(&mf_egress64, &site_key);
	if (!e) {
		struct mf_egress_key ekey = { .prefixlen = 128 };
		__builtin_memcpy(ekey.addr, &ip6->daddr, 16);
		e = bpf_map_lookup_elem(&mf_egress, &ekey);
	}
	if (!e)
		return 0;
	/* The oifname check: the tunnel slot of this ifindex must name it. */
	__u32 ifindex = e->ifindex;
	__u32 slot = mf_tunnel_slot(ifindex);
	const struct mf_tunnel *t = bpf_map_lookup_elem(&mf_tunnels, &slot);
	if (!t || ifindex == 0 || t->ifindex != ifindex)
		return 0;
	*out = *e;
	return 1;
}

static __always_inline void mf_relay_decide(struct __sk_buff *skb, void *data, void *data_end,
					    const struct mf_config *cfg, struct mf_relay_pkt *pkt,
					    struct mf_relay_verdict *v)
{
	__u32 l2 = cfg->l2_len_tunnel;

	/* Step 2: IPv4, not IP, IPv6 header cut short. With an L2 header the
	 * EtherType says what it is; without one (TUN/WireGuard) the version
	 * nibble does, as it does for the kernel. */
	if (l2 == ETH_HLEN) {
		__be16 *ethertype = data + ETH_HLEN - 2;
		if ((void *)(ethertype + 1) > data_end) {
			mf_verdict(v, MF_ACT_DROP, MF_R_DROP_NOT_IP);
			return;
		}
		if (*ethertype == bpf_htons(ETH_P_IP)) {
			mf_verdict(v, MF_ACT_DROP, MF_R_DROP_IPV4);
			return;
		}
		if (*ethertype != bpf_htons(ETH_P_IPV6)) {
			mf_verdict(v, MF_ACT_DROP, MF_R_DROP_NOT_IP);
			return;
		}
	} else {
		__u8 *first = data;
		if ((void *)(first + 1) > data_end) {
			mf_verdict(v, MF_ACT_DROP, MF_R_DROP_NOT_IP);
			return;
		}
		if ((*first >> 4) == 4) {
			mf_verdict(v, MF_ACT_DROP, MF_R_DROP_IPV4);
			return;
		}
		if ((*first >> 4) != 6) {
			mf_verdict(v, MF_ACT_DROP, MF_R_DROP_NOT_IP);
			return;
		}
	}
	struct ipv6hdr *ip6 = mf_ipv6_header(data, data_end, l2);
	if (!ip6) {
		mf_verdict(v, MF_ACT_DROP, MF_R_DROP_TRUNCATED);
		return;
	}
	/* An EtherType of IPv6 over something else would leave a L3 tunnel as
	 * whatever its version nibble says: never forward it. */
	if (ip6->version != 6) {
		mf_verdict(v, MF_ACT_DROP, MF_R_DROP_NOT_IP);
		return;
	}
	pkt->ip6 = ip6;

	/* Step 3: the input path's business. */
	if (mf_ipv6_is_multicast(&ip6->daddr) || mf_ipv6_is_link_local(&ip6->daddr) ||
	    mf_ipv6_is_link_local(&ip6->saddr)) {
		mf_verdict(v, MF_ACT_PASS, MF_R_PASS_LOCAL);
		return;
	}
	if (mf_is_local_addr(&ip6->daddr)) {
		mf_verdict(v, MF_ACT_PASS, MF_R_PASS_LOCAL);
		return;
	}

	/* Step 4: extension headers and the upper-layer header. */
	pkt->lay.l3_off = l2;
	int st = mf_ipv6_walk(data, data_end, &pkt->lay);
	if (st == MF_PARSE_CHAIN_TOO_LONG) {
		mf_verdict(v, MF_ACT_DROP, MF_R_DROP_EXTHDR_CHAIN);
		return;
	}
	if (st != MF_PARSE_OK) {
		if (mf_is_first_fragment(&pkt->lay))
			mf_frag_remember(pkt, MF_FRAG_DROP, MF_R_DROP_TRUNCATED);
		mf_verdict(v, MF_ACT_DROP, MF_R_DROP_TRUNCATED);
		return;
	}
	int later_frag = mf_is_later_fragment(&pkt->lay);
	if (!later_frag && mf_l4_needs_header(pkt->lay.l4proto))
		pkt->l4 = mf_l4_header(data, data_end, &pkt->lay);
	pkt->icmp_error = pkt->l4 && pkt->lay.l4proto == IPPROTO_ICMPV6 && pkt->l4[0] < 128;

	/* Step 5: hop limit. */
	if (ip6->hop_limit <= 1) {
		if (pkt->icmp_error)
			mf_verdict(v, MF_ACT_DROP, MF_R_DROP_ICMP_ERROR);
		else
			mf_verdict_error(v, MF_R_TIME_EXCEEDED, ICMPV6_TIME_EXCEED, ICMPV6_EXC_HOPLIMIT, 0);
		return;
	}

	/* Step 6: egress, which must be a configured tunnel, and its MTU, for
	 * a destination inside the mesh /48 only: nothing outside it is ever
	 * forwarded (step 7 rejects or drops it), so it needs no egress and
	 * gets no packet too big, and a flood to it skips both lookups. The
	 * /48 test is not kept for step 7: a value live past this point would
	 * split every later path in two for the verifier. */
	struct mf_egress egress_val = {};
	int have_egress = mf_ipv6_in_48(&ip6->daddr, cfg->mesh_prefix) && mf_relay_egress(ip6, &egress_val);
	const struct mf_egress *egress = have_egress ? &egress_val : 0;
	if (egress) {
		int too_big;
		if (skb->gso_segs > 1) {
			/* GSO: the segments, not the super-packet, must fit. */
			__u32 mtu_len = 0;
			too_big = bpf_check_mtu(skb, egress->ifindex, &mtu_len, 0, BPF_MTU_CHK_SEGS) ==
				  BPF_MTU_CHK_RET_SEGS_TOOBIG;
		} else {
			too_big = pkt->l3_len > egress->mtu;
		}
		if (too_big) {
			if (pkt->icmp_error)
				mf_verdict(v, MF_ACT_DROP, MF_R_DROP_ICMP_ERROR);
			else
				mf_verdict_error(v, MF_R_PACKET_TOO_BIG, ICMPV6_PKT_TOOBIG, 0, egress->mtu);
			return;
		}
	}

	/* Step 7: the policy. A later fragment follows its first one. */
	if (later_frag) {
		const struct mf_frag_state *fs = mf_frag_lookup(pkt);
		if (!fs)
			mf_verdict(v, MF_ACT_DROP, MF_R_DROP_FRAG_NO_FIRST);
		else if (fs->verdict == MF_FRAG_FORWARD)
			mf_verdict(v, MF_ACT_FORWARD, MF_R_FWD_FRAG);
		else
			mf_verdict(v, MF_ACT_DROP, MF_R_DROP_FRAG_REJECTED);
	} else {
		mf_relay_policy(data, data_end, cfg, pkt, v);
	}

	if (v->action == MF_ACT_FORWARD) {
		if (egress) {
			v->egress_ifindex = egress->ifindex;
			v->site_id = egress->site_id;
		} else {
			mf_verdict_error(v, MF_R_REJECT_NO_EGRESS, ICMPV6_DEST_UNREACH, ICMPV6_ADDR_UNREACH, 0);
		}
	}

	/* Never an error about an ICMPv6 error, whatever the table says. */
	if (v->action == MF_ACT_ICMP_ERROR && pkt->icmp_error)
		mf_verdict(v, MF_ACT_DROP, MF_R_DROP_ICMP_ERROR);

	if (mf_is_first_fragment(&pkt->lay))
		mf_frag_remember(pkt, v->action == MF_ACT_FORWARD ? MF_FRAG_FORWARD : MF_FRAG_DROP, v->reason);
}

/* A sampled reject for `meshfwd log`; the events bucket bounds the rate. */
static __always_inline void mf_relay_event(struct __sk_buff *skb, const struct mf_config *cfg,
					   const struct mf_relay_pkt *pkt, __u32 reason)
{
	if (!(cfg->flags & MF_F_EVENTS))
		return;
	if (!mf_percpu_bucket_take(MF_BUCKET_EVENTS, cfg->event_rate, cfg->event_burst))
		return;
	struct mf_event *ev = bpf_ringbuf_reserve(&mf_events, sizeof(*ev), 0);
	if (!ev)
		return;
	ev->ts_ns = bpf_ktime_get_ns();
	ev->reason = reason;
	ev->ifindex = skb->ifindex;
	__builtin_memcpy(ev->saddr, &pkt->ip6->saddr, 16);
	__builtin_memcpy(ev->daddr, &pkt->ip6->daddr, 16);
	ev->sport = 0;
	ev->dport = 0;
	if (pkt->l4) {
		/* UDP/TCP ports, or ICMPv6 type and code, all as on the wire. */
		ev->sport = *(__u16 *)pkt->l4;
		if (pkt->lay.l4proto != IPPROTO_ICMPV6)
			ev->dport = *(__u16 *)(pkt->l4 + 2);
	}
	ev->l4proto = pkt->lay.l4proto;
	ev->pad0[0] = ev->pad0[1] = ev->pad0[2] = 0;
	ev->len = pkt->l3_len;
	bpf_ringbuf_submit(ev, 0);
}

SEC("tc")
int relay_tunnel_ingress(struct __sk_buff *skb)
{
	__u32 len = skb->len;

	/* Step 1. */
	const struct mf_config *cfg = mf_live_config();
	if (!cfg) {
		mf_count(MF_R_PASS_NO_CONFIG, len);
		return TC_ACT_OK;
	}
	__u32 l2 = cfg->l2_len_tunnel;
	if (l2 != 0 && l2 != ETH_HLEN) {
		/* Userspace writes 0 or 14; anything else is not a config
		 * this program can act on. */
		mf_count(MF_R_PASS_NO_CONFIG, len);
		return TC_ACT_OK;
	}

	/* Headers past the linear area are pulled in once, and only for the
	 * rare non-linear skb: the common path pays nothing. */
	if ((__u32)(skb->data_end - skb->data) < len)
		bpf_skb_pull_data(skb, len < MF_PARSE_SPAN_MAX ? len : MF_PARSE_SPAN_MAX);
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;

	struct mf_relay_pkt pkt = { .l3_len = len > l2 ? len - l2 : 0 };
	struct mf_relay_verdict v = {};
	mf_relay_decide(skb, data, data_end, cfg, &pkt, &v);

	switch (v.action) {
	case MF_ACT_PASS:
		mf_count(v.reason, len);
		return TC_ACT_OK;

	case MF_ACT_FORWARD: {
		/* Step 10. decide() saw the header fit; the verifier needs to
		 * see it again after the map calls. */
		struct ipv6hdr *ip6 = mf_ipv6_header(data, data_end, l2);
		if (!ip6) {
			mf_count(MF_R_DROP_TRUNCATED, len);
			return TC_ACT_SHOT;
		}
		ip6->hop_limit--;
		mf_count(v.reason, len);
		if (v.site_id < MF_SITE_SLOTS)
			mf_count_site(v.site_id, MF_DIR_TO_SITE, len);
		return bpf_redirect(v.egress_ifindex, 0);
	}

	case MF_ACT_ICMP_ERROR:
		/* Step 9. */
		if (v.reason == MF_R_REJECT_POLICY || v.reason == MF_R_REJECT_NO_EGRESS)
			mf_relay_event(skb, cfg, &pkt, v.reason);
		if (!mf_percpu_bucket_take(MF_BUCKET_ICMP, cfg->icmp_rate, cfg->icmp_burst)) {
			mf_count(MF_R_DROP_ICMP_RATELIMIT, len);
			return TC_ACT_SHOT;
		}
		if (mf_tc_icmp6_error(skb, l2, v.icmp_type, v.icmp_code, v.icmp_param, cfg->icmp_src)) {
			mf_count(MF_R_DROP_ERROR_BUILD, len);
			return TC_ACT_SHOT;
		}
		mf_count(v.reason, len);
		return bpf_redirect(skb->ifindex, 0);

	default:
		mf_count(v.reason, len);
		return TC_ACT_SHOT;
	}
}

#endif /* MESHFWD_RELAY_TC_H */
