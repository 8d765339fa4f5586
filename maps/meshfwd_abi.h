/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * meshfwd_abi.h - the kernel/userspace ABI.
 *
 * Everything the BPF programs and the C++ control plane exchange through
 * maps is declared here, once: map value/key structs, the verdict-reason
 * list with its names, and the limits. It is plain C so that clang's BPF
 * target and g++ read the same bytes; the size asserts at the bottom make
 * any layout drift a compile error on both sides.
 *
 * Byte order: addresses and everything copied from packets stay in network
 * order; numbers userspace writes for the datapath (ports, MTUs, rates) are
 * host order, because the datapath compares them after bpf_ntohs().
 */
#ifndef MESHFWD_ABI_H
#define MESHFWD_ABI_H

#include <linux/types.h>

/* Bump whenever a struct below or a map's shape changes. A daemon that finds
 * pinned maps of another version re-creates them (it never reinterprets). */
#define MF_ABI_VERSION 3

#define MF_MAX_SITES 65536          /* site prefixes: egress LPM entries and site ids */
/* Site ids run 1..MF_MAX_SITES; 0 is never handed out, so a zeroed egress
 * entry counts no site. One more slot than sites keeps all MF_MAX_SITES
 * prefixes countable. */
#define MF_SITE_SLOTS (MF_MAX_SITES + 1)
#define MF_MAX_TUNNELS 64           /* configured tunnel interfaces (relay) */
#define MF_TUNNEL_SLOTS 4096        /* mf_tunnels array: one slot per ifindex modulo this */
#define MF_FRAG_ENTRIES 16384       /* remembered first-fragment verdicts */
#define MF_HS_LIMIT_ENTRIES 65536   /* per-source handshake-initiation buckets */
#define MF_MAX_LOCAL_ADDRS 64       /* own addresses passed to the stack */
#define MF_EVENTS_BYTES (256 * 1024)
#define MF_CONFIG_GENERATIONS 2     /* double buffer: write the idle slot, flip mf_active */
#define MF_EXTHDR_MAX 6             /* extension headers walked before giving up */
#define MF_ICMP_QUOTE_MAX 1232      /* 1280 - 40 (IPv6) - 8 (ICMPv6): RFC 4443 2.4(c) */

enum mf_role {
	MF_ROLE_NONE = 0,
	MF_ROLE_RELAY = 1,
	MF_ROLE_EDGE = 2,
};

/* What the relay does with an ICMPv6 message of a given type. One nibble for
 * "daddr in the mesh /48", one for "anywhere else" (DESIGN.md 2a table). */
enum mf_icmp_action {
	MF_ICMP_DROP = 0,             /* silently, counted */
	MF_ICMP_FORWARD = 1,
	MF_ICMP_FORWARD_IF_RELATED = 2, /* errors: only when the quote is an allowed mesh flow in reverse */
	MF_ICMP_REJECT = 3,           /* ICMPv6 1/3 to the sender */
};
#define MF_ICMP_ACTION(in_mesh, elsewhere) ((__u8)((in_mesh) | ((elsewhere) << 4)))
#define MF_ICMP_IN_MESH(a) ((a) & 0x0f)
#define MF_ICMP_ELSEWHERE(a) (((a) >> 4) & 0x0f)

/* mf_config.flags */
#define MF_F_SOURCE_VALIDATION (1u << 0) /* edge: BCP 38 on LAN -> mesh */
#define MF_F_HS_RATELIMIT (1u << 1)      /* guard: per-source handshake-initiation limit */
#define MF_F_EVENTS (1u << 2)            /* sample reject events into mf_events */

/* One policy generation. The programs read mf_active[0] and then
 * mf_config[that index], so a reload writes the idle slot completely before
 * flipping the index: no packet ever sees half of each. */
struct mf_config {
	__u32 abi_version;   /* MF_ABI_VERSION */
	__u32 role;          /* enum mf_role */
	__u32 flags;         /* MF_F_* */
	__u32 generation;    /* increases with every apply; shown by status */

	__u8 mesh_prefix[16]; /* the /48, host bits zero */
	__u8 site_prefix[16]; /* edge: the site /64, host bits zero */
	__u8 icmp_src[16];    /* source of generated ICMPv6 errors (relay tunnel address / edge LAN address) */

	__u16 port_lo;        /* mesh UDP destination range, inclusive, host order */
	__u16 port_hi;
	__u16 wg_port;        /* guard: WireGuard listen port on the uplink, host order; 0 = guard off */
	__u16 l2_len_tunnel;  /* 0 on WireGuard/TUN, 14 on Ethernet (and in BPF_PROG_TEST_RUN) */

	/* Token buckets. Per CPU: userspace divides the configured rate by the
	 * number of possible CPUs so that the sum is the configured rate. */
	__u32 icmp_rate;      /* generated ICMPv6 errors per second per CPU */
	__u32 icmp_burst;
	__u32 hs_rate;        /* guard: handshake initiations per second per source prefix */
	__u32 hs_burst;
	__u32 event_rate;     /* reject events per second per CPU into the ring buffer */
	__u32 event_burst;

	/* Edge. */
	__u32 lan_ifindex;
	__u32 tunnel_ifindex;
	__u32 tunnel_mtu;     /* E2 packet-too-big threshold */
	__u32 l2_len_lan;     /* 14 (Ethernet LAN) */
	__u8 router_mac[6];   /* the LAN interface's own MAC */
	__u8 pad0[2];

	__u8 icmp_action[256]; /* MF_ICMP_ACTION(in_mesh, elsewhere) by ICMPv6 type */
};

/* Runtime state written by the VRRP side, kept out of mf_config so a state
 * change never races a reload. */
struct mf_edge_state {
	__u32 vrrp_master;    /* 1: act on frames to vmac as well as router_mac */
	__u8 vmac[6];         /* 00:00:5e:00:02:<vrid> */
	__u8 pad0[2];
};

/* Egress LPM: destination prefix -> tunnel. Synced from the routing table. */
struct mf_egress_key {
	__u32 prefixlen;      /* LPM trie key header */
	__u8 addr[16];
};

struct mf_egress {
	__u32 ifindex;        /* must also be in mf_tunnels (at mf_tunnel_slot(ifindex)) */
	__u32 mtu;            /* egress MTU for packet-too-big */
	__u32 site_id;        /* index into mf_site_counters, < MF_SITE_SLOTS */
	__u32 l2_len;         /* L2 header length of the egress device (0 for TUN/WireGuard) */
};

/* mf_egress64: the upper 64 bits of a destination -> its egress, for every
 * site /64 that has no more specific route inside it. An exact hash hit
 * costs the same at 2 sites and at 65,536, where the LPM trie's walk grows
 * with the table; a miss falls back to mf_egress. Userspace derives it from
 * the same routes, so both always give the same answer. */
struct mf_egress64_key {
	__u8 prefix[8];
};

/* mf_tunnels: the seed's oifname check. An array indexed by
 * mf_tunnel_slot(ifindex), so the check on every forward is an array read
 * the verifier inlines rather than a hash lookup. A slot holds one tunnel
 * and names it: an egress counts only if the slot of its ifindex holds that
 * ifindex (0 = free slot). Two configured tunnels whose ifindexes share a
 * slot cannot both be used; userspace keeps the first and says so. */
struct mf_tunnel {
	__u32 mtu;
	__u32 l2_len;
	__u32 ifindex;        /* the tunnel in this slot, 0 when free */
};

static inline __u32 mf_tunnel_slot(__u32 ifindex)
{
	return ifindex & (MF_TUNNEL_SLOTS - 1);
}

/* mf_local_addrs key: an address of this box; value: its ifindex. */
struct mf_local_key {
	__u8 addr[16];
};

/* mf_local_filter[0]: one bit per mf_local_filter_bit() of every address in
 * mf_local_addrs (and possibly of addresses that were, for a moment). A
 * clear bit proves the address is not local, so the datapath skips the
 * hash lookup for nearly every forwarded packet; a set bit only means "look
 * it up". The writer keeps it a superset of mf_local_addrs: bits are set
 * before an address is added and cleared only after it is deleted. */
#define MF_LOCAL_FILTER_BITS 4096
struct mf_local_filter {
	__u64 bits[MF_LOCAL_FILTER_BITS / 64];
};

/* The filter bit of an address, from its two halves as 64-bit words in host
 * order (what a load from the packet gives the datapath). A multiplicative
 * hash of the folded address: addresses that differ only in their last
 * bits (a /64's hosts) land on different bits. */
static inline __u32 mf_local_filter_bit(__u64 hi, __u64 lo)
{
	__u64 x = hi ^ lo;
	__u32 folded = (__u32)(x ^ (x >> 32));
	return (__u32)(folded * 0x9E3779B1u) >> (32 - 12);
}

struct mf_counter {
	__u64 packets;
	__u64 bytes;
};

enum mf_site_direction {
	MF_DIR_TO_SITE = 0,   /* relay: into the site's tunnel; edge: tunnel -> LAN */
	MF_DIR_FROM_SITE = 1, /* relay: from the site; edge: LAN -> tunnel */
	MF_DIR_COUNT = 2,
};
/* mf_site_counters index = site_id * MF_DIR_COUNT + direction */

struct mf_frag_key {
	__u8 saddr[16];
	__u8 daddr[16];
	__u32 id;             /* network order, as in the fragment header */
	__u32 pad0;
};

enum mf_frag_verdict {
	MF_FRAG_FORWARD = 1,
	MF_FRAG_DROP = 2,     /* first fragment was rejected or dropped */
};

struct mf_frag_state {
	__u32 verdict;        /* enum mf_frag_verdict */
	__u32 reason;         /* reason of the first fragment, for the later ones' counters */
};

struct mf_bucket {
	__u64 tokens_x1000;   /* milli-tokens, so slow rates still refill */
	__u64 last_ns;
};

struct mf_hs_key {
	__u32 family;         /* 4 or 6 */
	__u8 prefix[16];      /* /32 (IPv4, first 4 bytes) or /64 (IPv6, first 8 bytes), rest zero */
};

/* A sampled reject, read by `meshfwd log`. */
struct mf_event {
	__u64 ts_ns;          /* bpf_ktime_get_ns() */
	__u32 reason;         /* enum mf_reason */
	__u32 ifindex;
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 sport;          /* network order; ICMPv6: type << 8 | code */
	__u16 dport;
	__u8 l4proto;         /* final next header */
	__u8 pad0[3];
	__u32 len;
};

/*
 * Verdict reasons. Every packet a program sees is counted under exactly one
 * reason, in packets and bytes, in the per-CPU mf_counters array. The names
 * are the Prometheus label values and the `meshfwd stats` rows; the hook tells
 * which program counts them. Append only: the number is the ABI.
 *
 * X(enum, number, hook, name)
 */
#define MF_REASONS(X) \
	/* relay TC on the routing tunnel ingress */ \
	X(MF_R_PASS_LOCAL,            0, "relay_tc", "pass_local") \
	X(MF_R_FWD_MESH_UDP,          1, "relay_tc", "fwd_mesh_udp") \
	X(MF_R_FWD_ICMP,              2, "relay_tc", "fwd_icmp") \
	X(MF_R_FWD_ICMP_RELATED,      3, "relay_tc", "fwd_icmp_error_related") \
	X(MF_R_FWD_FRAG,              4, "relay_tc", "fwd_fragment") \
	X(MF_R_REJECT_POLICY,         5, "relay_tc", "reject_policy") \
	X(MF_R_REJECT_NO_EGRESS,      6, "relay_tc", "reject_no_egress") \
	X(MF_R_TIME_EXCEEDED,         7, "relay_tc", "time_exceeded") \
	X(MF_R_PACKET_TOO_BIG,        8, "relay_tc", "packet_too_big") \
	X(MF_R_DROP_ICMP_ERROR,       9, "relay_tc", "drop_icmp_error_unrelated") \
	X(MF_R_DROP_ICMP_TYPE,       10, "relay_tc", "drop_icmp_type") \
	X(MF_R_DROP_ICMP_RATELIMIT,  11, "relay_tc", "drop_icmp_ratelimited") \
	X(MF_R_DROP_FRAG_NO_FIRST,   12, "relay_tc", "drop_fragment_no_first") \
	X(MF_R_DROP_FRAG_REJECTED,   13, "relay_tc", "drop_fragment_of_rejected") \
	X(MF_R_DROP_EXTHDR_CHAIN,    14, "relay_tc", "drop_exthdr_chain") \
	X(MF_R_DROP_TRUNCATED,       15, "relay_tc", "drop_truncated") \
	X(MF_R_DROP_IPV4,            16, "relay_tc", "drop_ipv4") \
	X(MF_R_DROP_NOT_IP,          17, "relay_tc", "drop_not_ip") \
	X(MF_R_PASS_NO_CONFIG,       18, "relay_tc", "pass_no_config") \
	X(MF_R_DROP_ERROR_BUILD,     19, "relay_tc", "drop_error_build_failed") \
	/* relay XDP WireGuard-port guard on the uplink */ \
	X(MF_G_PASS_OTHER,           32, "relay_guard", "pass_other") \
	X(MF_G_PASS_WG_INIT,         33, "relay_guard", "pass_handshake_init") \
	X(MF_G_PASS_WG_RESP,         34, "relay_guard", "pass_handshake_response") \
	X(MF_G_PASS_WG_COOKIE,       35, "relay_guard", "pass_cookie_reply") \
	X(MF_G_PASS_WG_DATA,         36, "relay_guard", "pass_transport_data") \
	X(MF_G_DROP_BAD_TYPE,        37, "relay_guard", "drop_bad_type") \
	X(MF_G_DROP_BAD_LENGTH,      38, "relay_guard", "drop_bad_length") \
	X(MF_G_DROP_RESERVED,        39, "relay_guard", "drop_reserved_nonzero") \
	X(MF_G_DROP_HS_RATELIMIT,    40, "relay_guard", "drop_handshake_ratelimited") \
	X(MF_G_DROP_TRUNCATED,       41, "relay_guard", "drop_truncated") \
	X(MF_G_PASS_FRAGMENT,        42, "relay_guard", "pass_fragment") \
	/* edge XDP on the LAN */ \
	X(MF_E_PASS_NOT_OURS,        64, "edge_xdp", "pass_not_our_mac") \
	X(MF_E_PASS_LOCAL,           65, "edge_xdp", "pass_local") \
	X(MF_E_PASS_CONTROL,         66, "edge_xdp", "pass_control") \
	X(MF_E_PASS_NOT_FORWARDED,   67, "edge_xdp", "pass_not_forwarded") \
	X(MF_E_PASS_TO_TC,           68, "edge_xdp", "pass_mesh_to_tc") \
	X(MF_E_REJECT_HAIRPIN,       69, "edge_xdp", "reject_hairpin") \
	X(MF_E_DROP_SPOOFED,         70, "edge_xdp", "drop_spoofed_source") \
	X(MF_E_DROP_ICMP_RATELIMIT,  71, "edge_xdp", "drop_icmp_ratelimited") \
	X(MF_E_DROP_TRUNCATED,       72, "edge_xdp", "drop_truncated") \
	X(MF_E_PASS_OTHER,           73, "edge_xdp", "pass_other") \
	X(MF_E_PASS_NO_CONFIG,       74, "edge_xdp", "pass_no_config") \
	X(MF_E_TIME_EXCEEDED,        75, "edge_xdp", "time_exceeded") \
	X(MF_E_DROP_ICMP_ERROR,      76, "edge_xdp", "drop_icmp_error_no_reply") \
	X(MF_E_DROP_EXTHDR_CHAIN,    77, "edge_xdp", "drop_exthdr_chain") \
	X(MF_E_DROP_ERROR_BUILD,     78, "edge_xdp", "drop_error_build_failed") \
	/* edge TC: LAN ingress (E2/E4) and tunnel ingress (E3/E4) */ \
	X(MF_T_FWD_TO_TUNNEL,        96, "edge_tc", "fwd_lan_to_tunnel") \
	X(MF_T_FWD_TO_LAN,           97, "edge_tc", "fwd_tunnel_to_lan") \
	X(MF_T_REJECT_OTHER,         98, "edge_tc", "reject_other") \
	X(MF_T_DROP_IPV4,            99, "edge_tc", "drop_ipv4") \
	X(MF_T_TIME_EXCEEDED,       100, "edge_tc", "time_exceeded") \
	X(MF_T_PACKET_TOO_BIG,      101, "edge_tc", "packet_too_big") \
	X(MF_T_DROP_ICMP_RATELIMIT, 102, "edge_tc", "drop_icmp_ratelimited") \
	X(MF_T_DROP_TRUNCATED,      103, "edge_tc", "drop_truncated") \
	X(MF_T_PASS_LOCAL,          104, "edge_tc", "pass_local") \
	X(MF_T_PASS_OTHER,          105, "edge_tc", "pass_other") \
	X(MF_T_DROP_ERROR_BUILD,    106, "edge_tc", "drop_error_build_failed") \
	X(MF_T_DROP_ICMP_ERROR,     107, "edge_tc", "drop_icmp_error_no_reply") \
	X(MF_T_PASS_NO_CONFIG,      108, "edge_tc", "pass_no_config") \
	X(MF_T_PASS_NOT_OURS,       109, "edge_tc", "pass_not_our_mac") \
	X(MF_T_PASS_CONTROL,        110, "edge_tc", "pass_control") \
	X(MF_T_DROP_SPOOFED,        111, "edge_tc", "drop_spoofed_source") \
	X(MF_T_REJECT_HAIRPIN,      112, "edge_tc", "reject_hairpin") \
	X(MF_T_DROP_EXTHDR_CHAIN,   113, "edge_tc", "drop_exthdr_chain") \
	X(MF_T_DROP_NOT_IP,         114, "edge_tc", "drop_not_ip")

#define MF_REASON_MAX 128

enum mf_reason {
#define MF_REASON_ENUM(e, n, hook, name) e = n,
	MF_REASONS(MF_REASON_ENUM)
#undef MF_REASON_ENUM
};

#ifdef __cplusplus
#define MF_STATIC_ASSERT(c, m) static_assert(c, m)
#else
#define MF_STATIC_ASSERT(c, m) _Static_assert(c, m)
#endif

MF_STATIC_ASSERT(sizeof(struct mf_config) == 376, "mf_config layout changed: bump MF_ABI_VERSION");
MF_STATIC_ASSERT(sizeof(struct mf_edge_state) == 12, "mf_edge_state layout");
MF_STATIC_ASSERT(sizeof(struct mf_egress_key) == 20, "mf_egress_key layout");
MF_STATIC_ASSERT(sizeof(struct mf_egress) == 16, "mf_egress layout");
MF_STATIC_ASSERT(sizeof(struct mf_egress64_key) == 8, "mf_egress64_key layout");
MF_STATIC_ASSERT(sizeof(struct mf_tunnel) == 12, "mf_tunnel layout");
MF_STATIC_ASSERT((MF_TUNNEL_SLOTS & (MF_TUNNEL_SLOTS - 1)) == 0, "mf_tunnel_slot masks: a power of two");
MF_STATIC_ASSERT(MF_TUNNEL_SLOTS >= MF_MAX_TUNNELS, "every configured tunnel can have a slot");
MF_STATIC_ASSERT(sizeof(struct mf_local_key) == 16, "mf_local_key layout");
MF_STATIC_ASSERT(sizeof(struct mf_local_filter) == 512, "mf_local_filter layout");
MF_STATIC_ASSERT(MF_LOCAL_FILTER_BITS == 1 << 12, "mf_local_filter_bit gives 12 bits");
MF_STATIC_ASSERT(sizeof(struct mf_counter) == 16, "mf_counter layout");
MF_STATIC_ASSERT(sizeof(struct mf_frag_key) == 40, "mf_frag_key layout");
MF_STATIC_ASSERT(sizeof(struct mf_frag_state) == 8, "mf_frag_state layout");
MF_STATIC_ASSERT(sizeof(struct mf_bucket) == 16, "mf_bucket layout");
MF_STATIC_ASSERT(sizeof(struct mf_hs_key) == 20, "mf_hs_key layout");
MF_STATIC_ASSERT(sizeof(struct mf_event) == 64, "mf_event layout");

#endif /* MESHFWD_ABI_H */
