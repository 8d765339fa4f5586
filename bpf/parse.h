/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * parse.h - IPv6 header and extension-header walk, shared by every hook.
 *
 * Everything here works on (data, data_end, offsets) only, so the TC
 * programs (skb->data after bpf_skb_pull_data where the skb is non-linear)
 * and the XDP programs (xdp_md data) use the same code. Offsets are counted
 * from data; every access is guarded by a bounds check right next to it.
 *
 * What the walk decides, exactly (docs/datapath-spec.md, relay step 4):
 *  - hop-by-hop, routing, destination-options and fragment headers are
 *    skipped, at most MF_EXTHDR_MAX of them; one more is "chain too long";
 *  - a header cut short, or fewer than 8 bytes of the upper-layer header of
 *    an unfragmented packet or first fragment, is "truncated";
 *  - a non-first fragment (offset > 0) ends the walk at its fragment header:
 *    what follows is the middle of the datagram, not headers. Its l4proto is
 *    the fragment header's next header and nothing after it is checked.
 */
#ifndef MESHFWD_PARSE_H
#define MESHFWD_PARSE_H

#include <linux/types.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ipv6.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "meshfwd_abi.h"

#ifndef IPPROTO_ICMPV6
#define IPPROTO_ICMPV6 58
#endif
#ifndef IPPROTO_FRAGMENT
#define IPPROTO_FRAGMENT 44
#endif
#ifndef IPPROTO_DSTOPTS
#define IPPROTO_DSTOPTS 60
#endif
#ifndef IPPROTO_HOPOPTS
#define IPPROTO_HOPOPTS 0
#endif
#ifndef IPPROTO_ROUTING
#define IPPROTO_ROUTING 43
#endif

/* The upper-layer bytes every policy needs: ports, or ICMPv6 type/code. */
#define MF_L4_MIN_LEN 8

/* Largest L2 header any program is configured with. Bounding it keeps the
 * verifier's view of data + l2_len finite. */
#define MF_L2_MAX 14

/* Offsets never exceed this: L2 + IPv6 + MF_EXTHDR_MAX headers of at most
 * 2048 bytes each + the upper-layer header + an ICMPv6 error's quoted IPv6
 * header and 8 bytes. It is also how much a TC program pulls into the
 * linear area of a non-linear skb. */
#define MF_PARSE_SPAN_MAX (MF_L2_MAX + 40 + MF_EXTHDR_MAX * 2048 + 8 + 40 + 8)

enum mf_parse_status {
	MF_PARSE_OK = 0,
	MF_PARSE_TRUNCATED = 1,       /* a header or the first 8 upper-layer bytes cut short */
	MF_PARSE_CHAIN_TOO_LONG = 2,  /* more than MF_EXTHDR_MAX extension headers */
};

/* Where the layers of one IPv6 packet are. */
struct mf_ip6_layout {
	__u32 l3_off;       /* IPv6 header, from data */
	__u32 l4_off;       /* upper-layer header (non-first fragment: its payload) */
	__u8 l4proto;       /* final next header */
	__u8 ext_count;     /* extension headers walked */
	__u8 has_frag;      /* a fragment header was seen (the fields below are valid) */
	__u8 frag_more;     /* M flag */
	__u16 frag_offset;  /* in 8-byte units, host order */
	__u16 pad0;
	__u32 frag_id;      /* network order, as on the wire */
};

static __always_inline int mf_is_ipv6_exthdr(__u8 nexthdr)
{
	return nexthdr == IPPROTO_HOPOPTS || nexthdr == IPPROTO_ROUTING ||
	       nexthdr == IPPROTO_DSTOPTS || nexthdr == IPPROTO_FRAGMENT;
}

/* Upper layers whose first 8 bytes the policy reads. */
static __always_inline int mf_l4_needs_header(__u8 proto)
{
	return proto == IPPROTO_UDP || proto == IPPROTO_TCP || proto == IPPROTO_ICMPV6;
}

/* A first fragment (offset 0, more fragments) decides for its datagram. */
static __always_inline int mf_is_first_fragment(const struct mf_ip6_layout *lay)
{
	return lay->has_frag && lay->frag_offset == 0 && lay->frag_more;
}

static __always_inline int mf_is_later_fragment(const struct mf_ip6_layout *lay)
{
	return lay->has_frag && lay->frag_offset != 0;
}

/* The IPv6 header at l3_off, or NULL when it does not fit. */
static __always_inline struct ipv6hdr *mf_ipv6_header(void *data, void *data_end, __u32 l3_off)
{
	if (l3_off > MF_L2_MAX)
		return 0;
	struct ipv6hdr *ip6 = data + l3_off;
	if ((void *)(ip6 + 1) > data_end)
		return 0;
	return ip6;
}

/* Fragment header layout (RFC 8200 4.5); uapi's frag_hdr is kernel-only. */
struct mf_frag_hdr {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off;    /* offset << 3 | res(2) | M */
	__be32 identification;
};

/*
 * Walks the extension headers of the IPv6 packet whose header lay->l3_off
 * points at (the caller checked it fits with mf_ipv6_header()). Fills lay
 * and returns an mf_parse_status. On MF_PARSE_TRUNCATED after a fragment
 * header, lay's fragment fields are valid, so the caller can remember a
 * first fragment that was dropped.
 */
static __always_inline int mf_ipv6_walk(void *data, void *data_end, struct mf_ip6_layout *lay)
{
	struct ipv6hdr *ip6 = mf_ipv6_header(data, data_end, lay->l3_off);
	if (!ip6)
		return MF_PARSE_TRUNCATED;

	__u32 off = lay->l3_off + sizeof(*ip6);
	__u8 nh = ip6->nexthdr;
	int i;

	lay->ext_count = 0;
	lay->has_frag = 0;
	lay->frag_more = 0;
	lay->frag_offset = 0;
	lay->frag_id = 0;

	for (i = 0; i <= MF_EXTHDR_MAX; i++) {
		if (!mf_is_ipv6_exthdr(nh))
			break;
		if (i == MF_EXTHDR_MAX)
			return MF_PARSE_CHAIN_TOO_LONG;

		/* Keeps off provably small for the verifier: every header
		 * adds at most 2048 bytes. */
		if (off > MF_PARSE_SPAN_MAX)
			return MF_PARSE_TRUNCATED;

		if (nh == IPPROTO_FRAGMENT) {
			struct mf_frag_hdr *fh = data + off;
			if ((void *)(fh + 1) > data_end)
				return MF_PARSE_TRUNCATED;
			__u16 fo = bpf_ntohs(fh->frag_off);
			lay->has_frag = 1;
			lay->frag_offset = fo >> 3;
			lay->frag_more = fo & 1;
			lay->frag_id = fh->identification;
			nh = fh->nexthdr;
			off += sizeof(*fh);
			lay->ext_count = i + 1;
			if (lay->frag_offset != 0) {
				/* Later fragment: the rest is payload. */
				lay->l4_off = off;
				lay->l4proto = nh;
				return MF_PARSE_OK;
			}
			continue;
		}

		/* Hop-by-hop, routing, destination options: next header, then
		 * the length in 8-byte units not counting the first 8. */
		__u8 *hdr = data + off;
		if ((void *)(hdr + 2) > data_end)
			return MF_PARSE_TRUNCATED;
		__u32 len = ((__u32)hdr[1] + 1) * 8;
		if ((void *)hdr + len > data_end)
			return MF_PARSE_TRUNCATED;
		nh = hdr[0];
		off += len;
		lay->ext_count = i + 1;
	}

	lay->l4_off = off;
	lay->l4proto = nh;

	if (mf_l4_needs_header(nh)) {
		if (off > MF_PARSE_SPAN_MAX)
			return MF_PARSE_TRUNCATED;
		__u8 *l4 = data + off;
		if ((void *)(l4 + MF_L4_MIN_LEN) > data_end)
			return MF_PARSE_TRUNCATED;
	}
	return MF_PARSE_OK;
}

/* The first MF_L4_MIN_LEN bytes of the upper-layer header, or NULL. Only
 * meaningful when mf_ipv6_walk() returned OK for a packet that is not a
 * later fragment. The recheck is for the verifier's benefit. */
static __always_inline __u8 *mf_l4_header(void *data, void *data_end, const struct mf_ip6_layout *lay)
{
	__u32 off = lay->l4_off;
	if (off > MF_PARSE_SPAN_MAX)
		return 0;
	__u8 *l4 = data + off;
	if ((void *)(l4 + MF_L4_MIN_LEN) > data_end)
		return 0;
	return l4;
}

/* Multicast (ff00::/8) and link-local unicast (fe80::/10). */
static __always_inline int mf_ipv6_is_multicast(const struct in6_addr *a)
{
	return a->in6_u.u6_addr8[0] == 0xff;
}

static __always_inline int mf_ipv6_is_link_local(const struct in6_addr *a)
{
	return a->in6_u.u6_addr8[0] == 0xfe && (a->in6_u.u6_addr8[1] & 0xc0) == 0x80;
}

/* a in the /48 whose first 48 bits are prefix[0..6). */
static __always_inline int mf_ipv6_in_48(const struct in6_addr *a, const __u8 *prefix)
{
	return a->in6_u.u6_addr16[0] == *(const __u16 *)&prefix[0] &&
	       a->in6_u.u6_addr16[1] == *(const __u16 *)&prefix[2] &&
	       a->in6_u.u6_addr16[2] == *(const __u16 *)&prefix[4];
}

/* a in the /64 whose first 64 bits are prefix[0..8). */
static __always_inline int mf_ipv6_in_64(const struct in6_addr *a, const __u8 *prefix)
{
	return a->in6_u.u6_addr32[0] == *(const __u32 *)&prefix[0] &&
	       a->in6_u.u6_addr32[1] == *(const __u32 *)&prefix[4];
}

#endif /* MESHFWD_PARSE_H */
