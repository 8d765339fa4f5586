/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Reference programs for the benchmark: the empty-program floors that every
 * ns/packet figure is reported against, and the per-packet FIB lookup that
 * the egress map replaces (DESIGN.md 3), measured the same way. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#ifndef BPF_FIB_LOOKUP_SKIP_NEIGH
/* Debian 12's uapi predates it (DESIGN.md 3); the kernel knows it. */
#define BPF_FIB_LOOKUP_SKIP_NEIGH (1U << 2)
#endif
#define BENCH_AF_INET6 10

SEC("xdp")
int bench_empty_xdp(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("tc")
int bench_empty_tc(struct __sk_buff *skb)
{
	return TC_ACT_OK;
}

/* What a forwarder without the egress map would pay per packet: one IPv6
 * route lookup, neighbour resolution skipped as it must be towards a TUN.
 * TC_ACT_OK when a route was found, so the benchmark can check that it
 * timed real lookups and not the early "no route" exit. Ethernet framing,
 * as BPF_PROG_TEST_RUN gives TC programs. */
SEC("tc")
int bench_fib_tc(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6 = (void *)(eth + 1);

	if ((void *)(ip6 + 1) > data_end)
		return TC_ACT_SHOT;
	if (eth->h_proto != bpf_htons(ETH_P_IPV6))
		return TC_ACT_SHOT;

	struct bpf_fib_lookup fib = {
		.family = BENCH_AF_INET6,
		.l4_protocol = ip6->nexthdr,
		.tot_len = bpf_ntohs(ip6->payload_len) + sizeof(*ip6),
		.ifindex = skb->ifindex,
	};
	__builtin_memcpy(fib.ipv6_src, &ip6->saddr, sizeof(fib.ipv6_src));
	__builtin_memcpy(fib.ipv6_dst, &ip6->daddr, sizeof(fib.ipv6_dst));

	int rc = bpf_fib_lookup(skb, &fib, sizeof(fib), BPF_FIB_LOOKUP_SKIP_NEIGH);
	return rc == BPF_FIB_LKUP_RET_SUCCESS ? TC_ACT_OK : TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
