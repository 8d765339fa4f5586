/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * icmp6_error.h - turn the packet in hand into an ICMPv6 error about it.
 *
 * Two layers:
 *  - hook-agnostic (data, data_end): once the caller has made room, write
 *    the IPv6 and ICMPv6 headers in front of the quote and compute the
 *    checksum. XDP callers resize with bpf_xdp_adjust_head(-48) and
 *    bpf_xdp_adjust_tail(); TC callers use mf_tc_icmp6_error() below.
 *  - TC: resize the skb with bpf_skb_change_tail() and bpf_skb_adjust_room()
 *    so that it holds L2 + IPv6(40) + ICMPv6(8) + quote, the whole error at
 *    most 1280 bytes (RFC 4443 2.4(c)).
 *
 * The quote is the offending packet from its IPv6 header on, cut to
 * MF_ICMP_QUOTE_MAX (1232) bytes: exactly "as much as fits in 1280", with no
 * further rounding. The checksum copes with any length: bpf_csum_diff()
 * takes multiples of 4 up to 512 bytes per call, so the message is summed in
 * descending power-of-two chunks and the last 0-3 bytes are summed as one
 * zero-padded word, which is what RFC 1071 padding means.
 */
#ifndef MESHFWD_ICMP6_ERROR_H
#define MESHFWD_ICMP6_ERROR_H

#include <linux/bpf.h>
#include <linux/icmpv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "parse.h"

#define MF_ICMP6_HOP_LIMIT 64
/* IPv6 + ICMPv6 header put in front of the quote. */
#define MF_ICMP6_ERROR_HDRS (sizeof(struct ipv6hdr) + 8)
#define MF_ICMP6_ERROR_MAX 1280

#ifndef ICMPV6_DEST_UNREACH
#define ICMPV6_DEST_UNREACH 1
#define ICMPV6_PKT_TOOBIG 2
#define ICMPV6_TIME_EXCEED 3
#define ICMPV6_PARAMPROB 4
#endif
#ifndef ICMPV6_ADDR_UNREACH
#define ICMPV6_ADDR_UNREACH 3
#endif
#ifndef ICMPV6_PORT_UNREACH
#define ICMPV6_PORT_UNREACH 4
#endif
#ifndef ICMPV6_EXC_HOPLIMIT
#define ICMPV6_EXC_HOPLIMIT 0
#endif

/* The 8-byte ICMPv6 error header: type, code, checksum, then the 32-bit
 * parameter (MTU for packet too big, pointer for parameter problem, zero
 * otherwise). */
struct mf_icmp6_err_hdr {
	__u8 type;
	__u8 code;
	__sum16 cksum;
	__be32 param;
};

static __always_inline __u16 mf_csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* Adds `size` bytes at *off to *sum when at least that many are left.
 * size is a constant after inlining, which is what bpf_csum_diff() needs to
 * see against data_end. Returns -1 when the bytes are not in the packet. */
static __always_inline int mf_csum_chunk(void *data, void *data_end, __u32 *off, __u32 *left,
					 const __u32 size, __u32 *sum)
{
	if (*left < size)
		return 0;
	__u32 o = *off;
	if (o > MF_L2_MAX + MF_ICMP6_ERROR_MAX)
		return -1;
	void *p = data + o;
	if (p + size > data_end)
		return -1;
	*sum = bpf_csum_diff(0, 0, p, size, *sum);
	*off = o + size;
	*left -= size;
	return 0;
}

/*
 * One's-complement sum of len bytes at off (len <= 8 + MF_ICMP_QUOTE_MAX),
 * added to sum. Chunks are multiples of 4 bytes, so every chunk starts at an
 * even offset of the message and the partial sums add up correctly.
 */
static __always_inline int mf_csum_bytes(void *data, void *data_end, __u32 off, __u32 len, __u32 *sum)
{
	if (len > 8 + MF_ICMP_QUOTE_MAX)
		return -1;
	/* Two 512-byte chunks, then one of each smaller power of two, cover
	 * every length up to 1535. */
	if (mf_csum_chunk(data, data_end, &off, &len, 512, sum) ||
	    mf_csum_chunk(data, data_end, &off, &len, 512, sum) ||
	    mf_csum_chunk(data, data_end, &off, &len, 256, sum) ||
	    mf_csum_chunk(data, data_end, &off, &len, 128, sum) ||
	    mf_csum_chunk(data, data_end, &off, &len, 64, sum) ||
	    mf_csum_chunk(data, data_end, &off, &len, 32, sum) ||
	    mf_csum_chunk(data, data_end, &off, &len, 16, sum) ||
	    mf_csum_chunk(data, data_end, &off, &len, 8, sum) ||
	    mf_csum_chunk(data, data_end, &off, &len, 4, sum))
		return -1;

	if (len) {
		/* 1-3 trailing bytes, zero-padded to a word. */
		union {
			__u32 word;
			__u8 b[4];
		} tail = { .word = 0 };
		if (off > MF_L2_MAX + MF_ICMP6_ERROR_MAX)
			return -1;
		__u8 *p = data + off;
		if ((void *)(p + 3) > data_end) {
			if ((void *)(p + 1) > data_end)
				return -1;
			tail.b[0] = p[0];
			if (len > 1) {
				if ((void *)(p + 2) > data_end)
					return -1;
				tail.b[1] = p[1];
			}
		} else {
			tail.b[0] = p[0];
			if (len > 1)
				tail.b[1] = p[1];
			if (len > 2)
				tail.b[2] = p[2];
		}
		*sum = bpf_csum_diff(0, 0, &tail.word, 4, *sum);
	}
	return 0;
}

/*
 * Writes an ICMPv6 error in place. Expects, from data:
 *   [0, l2_len)                        the L2 header (left as it is)
 *   [l2_len, l2_len + 48)              room for the IPv6 and ICMPv6 headers
 *   [l2_len + 48, data_end)            the quote: the offending packet from
 *                                      its IPv6 header, at most
 *                                      MF_ICMP_QUOTE_MAX bytes
 * The error goes from src (16 bytes, e.g. a map value) to the quote's
 * source. Returns 0, or -1 if the layout does not hold.
 */
static __always_inline int mf_icmp6_error_fill(void *data, void *data_end, __u32 l2_len, __u8 type, __u8 code,
					       __u32 param, const __u8 *src)
{
	if (l2_len > MF_L2_MAX)
		return -1;
	struct ipv6hdr *ip6 = data + l2_len;
	struct mf_icmp6_err_hdr *icmp = (void *)(ip6 + 1);
	struct ipv6hdr *quoted = (void *)(icmp + 1);
	if ((void *)(quoted + 1) > data_end)
		return -1;

	__u32 quote_len = data_end - (void *)quoted;
	if (quote_len > MF_ICMP_QUOTE_MAX)
		return -1;
	__u32 msg_len = sizeof(*icmp) + quote_len;

	*(__be32 *)ip6 = bpf_htonl(0x60000000); /* version 6, class 0, flow 0 */
	ip6->payload_len = bpf_htons(msg_len);
	ip6->nexthdr = IPPROTO_ICMPV6;
	ip6->hop_limit = MF_ICMP6_HOP_LIMIT;
	__builtin_memcpy(&ip6->saddr, src, sizeof(ip6->saddr));
	ip6->daddr = quoted->saddr;

	icmp->type = type;
	icmp->code = code;
	icmp->cksum = 0;
	icmp->param = bpf_htonl(param);

	/* Pseudo-header (RFC 8200 8.1): the two addresses straight from the
	 * header just written, then upper-layer length and next header. */
	__be32 pseudo_tail[2] = { bpf_htonl(msg_len), bpf_htonl(IPPROTO_ICMPV6) };
	__u32 sum = bpf_csum_diff(0, 0, (__be32 *)&ip6->saddr, 32, 0);
	sum = bpf_csum_diff(0, 0, pseudo_tail, sizeof(pseudo_tail), sum);
	if (mf_csum_bytes(data, data_end, l2_len + sizeof(*ip6), msg_len, &sum))
		return -1;
	icmp->cksum = mf_csum_fold(sum);
	return 0;
}

/* Ethernet reply addressing: the frame goes back where it came from. */
static __always_inline int mf_eth_swap(void *data, void *data_end)
{
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return -1;
	__u8 tmp[ETH_ALEN];
	__builtin_memcpy(tmp, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, tmp, ETH_ALEN);
	return 0;
}

/*
 * TC: turns skb (L2 header of l2_len bytes, then an IPv6 packet) into an
 * ICMPv6 error about it, ready to be redirected back out of the ingress
 * device. Returns 0, or a negative value when the skb could not be
 * reshaped (the caller drops and counts).
 *
 * Order matters: cut the tail first, which also resets GSO state (so that
 * bpf_skb_adjust_room() accepts a GSO skb), then insert the 48 bytes right
 * after the L2 header with BPF_ADJ_ROOM_MAC. That also moves the skb's
 * network header onto the new IPv6 header, which an L3 device's redirect
 * path relies on (it strips everything before the network header).
 */
static __always_inline int mf_tc_icmp6_error(struct __sk_buff *skb, __u32 l2_len, __u8 type, __u8 code,
					     __u32 param, const __u8 *src)
{
	if (l2_len > MF_L2_MAX || skb->len < l2_len + sizeof(struct ipv6hdr))
		return -1;
	__u32 l3_len = skb->len - l2_len;
	__u32 quote_len = l3_len < MF_ICMP_QUOTE_MAX ? l3_len : MF_ICMP_QUOTE_MAX;

	if (quote_len < l3_len || skb->gso_segs > 1) {
		if (bpf_skb_change_tail(skb, l2_len + quote_len, 0))
			return -1;
	}
	if (bpf_skb_adjust_room(skb, MF_ICMP6_ERROR_HDRS, BPF_ADJ_ROOM_MAC, 0))
		return -1;
	/* The checksum reads the whole error through direct packet access. */
	if (bpf_skb_pull_data(skb, l2_len + MF_ICMP6_ERROR_HDRS + quote_len))
		return -1;

	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	if (mf_icmp6_error_fill(data, data_end, l2_len, type, code, param, src))
		return -1;
	if (l2_len == ETH_HLEN && mf_eth_swap(data, data_end))
		return -1;
	return 0;
}

#endif /* MESHFWD_ICMP6_ERROR_H */
