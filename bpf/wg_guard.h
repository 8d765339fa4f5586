/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * wg_guard.h - the relay's WireGuard-port guard (XDP on the uplink).
 *
 * Drops at line rate what cannot be a WireGuard message to our listen port,
 * so a flood of garbage never reaches the UDP socket, the handshake queue or
 * the crypto. It judges framing only (type, reserved bytes, exact lengths);
 * WireGuard still authenticates every message it receives.
 *
 * It only drops datagrams it can see are addressed to cfg->wg_port. A frame
 * whose IP or UDP header is cut short has no visible port: it passes, and
 * the stack drops and counts it (InHdrErrors, InTruncatedPkts) as it would
 * without us.
 *
 * Fragments. WireGuard itself never fragments, but the IP layer below it
 * may: kernel WireGuard sends IPv4 without DF, so a router on a path with a
 * small MTU fragments transport data, and an IPv6 sender fragments locally
 * when its path MTU is below the datagram. Dropping fragments would black-hole
 * such tunnels, so:
 *   - a non-first UDP fragment carries no UDP header, so its port is
 *     unknowable: it passes (pass_fragment) and the kernel reassembles it
 *     under its ipfrag memory limits; WireGuard then checks the message;
 *   - a first fragment to the port is framed from its UDP header exactly as
 *     a whole datagram is (type, reserved bytes, and the length the UDP
 *     header announces); only the "all bytes present" check is skipped. If
 *     it frames, it passes as pass_fragment; if not, it is dropped with the
 *     usual reason, which also makes the kernel discard the later fragments
 *     on its reassembly timeout.
 *
 * The uplink is assumed to be Ethernet; VLAN-tagged frames (offload off)
 * are not IP to us and pass.
 */
#ifndef MESHFWD_WG_GUARD_H
#define MESHFWD_WG_GUARD_H

#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>

#include "common.bpf.h"
#include "parse.h"

/* WireGuard message types and sizes (whitepaper section 5.4). */
#define WG_MSG_HANDSHAKE_INIT 1
#define WG_MSG_HANDSHAKE_RESP 2
#define WG_MSG_COOKIE_REPLY 3
#define WG_MSG_TRANSPORT_DATA 4
#define WG_HANDSHAKE_INIT_LEN 148
#define WG_HANDSHAKE_RESP_LEN 92
#define WG_COOKIE_REPLY_LEN 64
/* 16-byte header + the 16-byte tag of an empty (keepalive) payload. The
 * payload is padded to a multiple of 16 but never beyond the sender's
 * tunnel MTU (kernel WireGuard and wireguard-go alike), so a full-MTU packet
 * of an MTU that is not a multiple of 16 (the seed's 1420) has any length:
 * only the minimum can be checked. (A multiple-of-16 check dropped every
 * full-size packet and stalled TCP over the mesh; found by `meshfwd lab`.) */
#define WG_TRANSPORT_MIN_LEN 32
/* Type byte + three reserved bytes: what must be present to frame at all. */
#define WG_HEADER_PEEK 4

#define GUARD_IPV4_OFFSET_MASK 0x1fff
#define GUARD_IPV4_MORE_FRAGMENTS 0x2000

/* Where the UDP datagram sits and what the IP layer says about it. */
struct guard_udp {
	struct udphdr *udp;
	__u32 ip_payload_len;  /* bytes of IP payload from the UDP header on */
	int first_fragment;    /* offset 0 with more fragments: the rest is elsewhere */
};

MF_ALWAYS_INLINE int guard_is_drop(__u32 reason)
{
	switch (reason) {
	case MF_G_DROP_BAD_TYPE:
	case MF_G_DROP_BAD_LENGTH:
	case MF_G_DROP_RESERVED:
	case MF_G_DROP_HS_RATELIMIT:
	case MF_G_DROP_TRUNCATED:
		return 1;
	default:
		return 0;
	}
}

/* One token from the bucket of the initiation's source prefix. The LRU map
 * forgets idle sources; a source it forgot starts again with a full burst. */
MF_ALWAYS_INLINE int guard_take_handshake_token(const struct mf_config *cfg,
						const struct mf_hs_key *src)
{
	if (cfg->hs_rate == 0)
		return 1; /* unlimited, as for every mf bucket */

	__u64 now = bpf_ktime_get_ns();
	struct mf_bucket *b = bpf_map_lookup_elem(&mf_hs_limit, src);
	if (b)
		return mf_bucket_take(b, cfg->hs_rate, cfg->hs_burst, now);

	struct mf_bucket fresh = {
		.tokens_x1000 = (__u64)(cfg->hs_burst ? cfg->hs_burst : 1) * 1000,
		.last_ns = now,
	};
	int taken = mf_bucket_take(&fresh, cfg->hs_rate, cfg->hs_burst, now);
	/* Two CPUs may race to create the bucket; the loser's token is the
	 * one-extra slack the shared-bucket comment in common.bpf.h accepts. */
	bpf_map_update_elem(&mf_hs_limit, src, &fresh, BPF_NOEXIST);
	return taken;
}

/* Frame the WireGuard message in a UDP datagram addressed to our port. */
MF_ALWAYS_INLINE __u32 guard_frame(const struct mf_config *cfg, const struct guard_udp *d,
				   const struct mf_hs_key *src, void *data_end)
{
	__u32 udp_len = bpf_ntohs(d->udp->len);

	if (udp_len < sizeof(struct udphdr))
		return MF_G_DROP_TRUNCATED;
	/* A whole datagram must be all there; the kernel trims the IP payload
	 * down to udp_len, so trailing bytes (Ethernet padding) are fine. */
	if (!d->first_fragment && udp_len > d->ip_payload_len)
		return MF_G_DROP_TRUNCATED;

	__u32 msg_len = udp_len - sizeof(struct udphdr);
	if (msg_len < WG_HEADER_PEEK)
		return MF_G_DROP_BAD_LENGTH;

	__u8 *msg = (__u8 *)(d->udp + 1);
	if ((void *)(msg + WG_HEADER_PEEK) > data_end)
		return MF_G_DROP_TRUNCATED; /* a first fragment cut inside the header */

	__u8 type = msg[0];
	if (type < WG_MSG_HANDSHAKE_INIT || type > WG_MSG_TRANSPORT_DATA)
		return MF_G_DROP_BAD_TYPE;
	if (msg[1] | msg[2] | msg[3])
		return MF_G_DROP_RESERVED;

	__u32 pass;
	switch (type) {
	case WG_MSG_HANDSHAKE_INIT:
		if (msg_len != WG_HANDSHAKE_INIT_LEN)
			return MF_G_DROP_BAD_LENGTH;
		if ((cfg->flags & MF_F_HS_RATELIMIT) && !guard_take_handshake_token(cfg, src))
			return MF_G_DROP_HS_RATELIMIT;
		pass = MF_G_PASS_WG_INIT;
		break;
	case WG_MSG_HANDSHAKE_RESP:
		if (msg_len != WG_HANDSHAKE_RESP_LEN)
			return MF_G_DROP_BAD_LENGTH;
		pass = MF_G_PASS_WG_RESP;
		break;
	case WG_MSG_COOKIE_REPLY:
		if (msg_len != WG_COOKIE_REPLY_LEN)
			return MF_G_DROP_BAD_LENGTH;
		pass = MF_G_PASS_WG_COOKIE;
		break;
	default: /* WG_MSG_TRANSPORT_DATA */
		if (msg_len < WG_TRANSPORT_MIN_LEN)
			return MF_G_DROP_BAD_LENGTH;
		pass = MF_G_PASS_WG_DATA;
		break;
	}
	return d->first_fragment ? MF_G_PASS_FRAGMENT : pass;
}

MF_ALWAYS_INLINE __u32 guard_ipv4(const struct mf_config *cfg, struct iphdr *ip, void *data_end)
{
	if ((void *)(ip + 1) > data_end)
		return MF_G_PASS_OTHER;
	if (ip->protocol != IPPROTO_UDP)
		return MF_G_PASS_OTHER;

	__u16 frag = bpf_ntohs(ip->frag_off);
	if (frag & GUARD_IPV4_OFFSET_MASK)
		return MF_G_PASS_FRAGMENT;

	__u32 ihl = ip->ihl * 4;
	if (ihl < sizeof(*ip))
		return MF_G_PASS_OTHER; /* malformed: the stack's to drop */
	struct guard_udp d = {
		.udp = (void *)ip + ihl,
		.first_fragment = !!(frag & GUARD_IPV4_MORE_FRAGMENTS),
	};
	if ((void *)(d.udp + 1) > data_end)
		return MF_G_PASS_OTHER;
	if (d.udp->dest != bpf_htons(cfg->wg_port))
		return MF_G_PASS_OTHER;

	/* To our port from here on: inconsistent lengths are ours to drop. */
	__u32 tot_len = bpf_ntohs(ip->tot_len);
	if (tot_len < ihl + sizeof(struct udphdr) || (void *)ip + tot_len > data_end)
		return MF_G_DROP_TRUNCATED;
	d.ip_payload_len = tot_len - ihl;

	struct mf_hs_key src = { .family = 4 };
	__builtin_memcpy(src.prefix, &ip->saddr, 4); /* the /32 */
	return guard_frame(cfg, &d, &src, data_end);
}

MF_ALWAYS_INLINE __u32 guard_ipv6(const struct mf_config *cfg, void *data, void *data_end)
{
	struct mf_ip6_layout lay = { .l3_off = sizeof(struct ethhdr) };

	/* A chain too long or cut before the UDP header hides the port. */
	if (mf_ipv6_walk(data, data_end, &lay) != MF_PARSE_OK)
		return MF_G_PASS_OTHER;
	/* A later fragment's l4proto is its fragment header's next header. */
	if (lay.l4proto != IPPROTO_UDP)
		return MF_G_PASS_OTHER;
	if (mf_is_later_fragment(&lay))
		return MF_G_PASS_FRAGMENT;

	struct ipv6hdr *ip6 = mf_ipv6_header(data, data_end, lay.l3_off);
	struct guard_udp d = {
		.udp = (struct udphdr *)mf_l4_header(data, data_end, &lay),
		.first_fragment = mf_is_first_fragment(&lay),
	};
	if (!ip6 || !d.udp)
		return MF_G_PASS_OTHER;
	if (d.udp->dest != bpf_htons(cfg->wg_port))
		return MF_G_PASS_OTHER;

	/* payload_len counts the extension headers before the UDP header. */
	__u32 ext_len = lay.l4_off - lay.l3_off - sizeof(*ip6);
	__u32 payload_len = bpf_ntohs(ip6->payload_len);
	if (payload_len < ext_len + sizeof(struct udphdr) ||
	    (void *)(ip6 + 1) + payload_len > data_end)
		return MF_G_DROP_TRUNCATED;
	d.ip_payload_len = payload_len - ext_len;

	struct mf_hs_key src = { .family = 6 };
	__builtin_memcpy(src.prefix, &ip6->saddr, 8); /* the /64 */
	return guard_frame(cfg, &d, &src, data_end);
}

MF_ALWAYS_INLINE __u32 guard_judge(void *data, void *data_end)
{
	const struct mf_config *cfg = mf_live_config();
	if (!cfg || cfg->wg_port == 0)
		return MF_G_PASS_OTHER; /* guard off */

	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return MF_G_PASS_OTHER;
	if (eth->h_proto == bpf_htons(ETH_P_IP))
		return guard_ipv4(cfg, (void *)(eth + 1), data_end);
	if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		return guard_ipv6(cfg, data, data_end);
	return MF_G_PASS_OTHER;
}

SEC("xdp")
int relay_uplink_guard(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	__u32 reason = guard_judge(data, data_end);
	mf_count(reason, data_end - data);
	return guard_is_drop(reason) ? XDP_DROP : XDP_PASS;
}

#endif /* MESHFWD_WG_GUARD_H */
