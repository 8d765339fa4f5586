/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The forwarding benchmark's own programs (meshfwd-bench forward): the
 * sink's delivery counter, the router-ingress baselines every CPU figure is
 * taken against, and mode (d), a bare forwarder with no policy (one FIB
 * lookup and a redirect), the practical floor on veth (DESIGN.md 7). */
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
#define FWDBENCH_AF_INET6 10

/* Slots of fwdbench_counts; tools/bench/forward_bpf.h has the same list. */
enum fwdbench_slot {
	FWDBENCH_SINK_DELIVERED = 0, /* frames the sink's XDP saw */
	FWDBENCH_ROUTER_DROPPED = 1, /* frames the baseline dropped at router ingress */
	FWDBENCH_FWD_REDIRECTED = 2, /* frames the bare forwarder redirected */
	FWDBENCH_FWD_PASSED = 3,     /* frames it left to the kernel (no route, hop limit) */
	FWDBENCH_SLOTS = 4,
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FWDBENCH_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} fwdbench_counts SEC(".maps");

static __always_inline void fwdbench_count(__u32 slot)
{
	__u64 *n = bpf_map_lookup_elem(&fwdbench_counts, &slot);
	if (n)
		*n += 1;
}

/* The sink: count, then drop, so that nothing above XDP in the sink
 * namespace adds to the machine's load. Counting at the receiver is the
 * only delivered figure that means anything here (DESIGN.md 7). */
SEC("xdp")
int fwdbench_sink_count(struct xdp_md *ctx)
{
	fwdbench_count(FWDBENCH_SINK_DELIVERED);
	return XDP_DROP;
}

/* Router ingress in the kernel and meshfwd modes: the veth then takes the
 * same NAPI receive path in every mode, so subtracting the drop baseline
 * leaves exactly what happens after the XDP verdict. */
SEC("xdp")
int fwdbench_xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* The baseline: everything up to the router's ingress, and no more. */
SEC("xdp")
int fwdbench_xdp_drop(struct xdp_md *ctx)
{
	fwdbench_count(FWDBENCH_ROUTER_DROPPED);
	return XDP_DROP;
}

/* Mode (d): route lookup with neighbour resolution (the router holds a
 * permanent neighbour entry for the sink), hop limit, MAC rewrite,
 * redirect. Whatever it cannot forward goes to the kernel. */
SEC("xdp")
int fwdbench_xdp_fib_fwd(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6 = (void *)(eth + 1);

	if ((void *)(ip6 + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IPV6) || ip6->hop_limit <= 1)
		goto pass;

	struct bpf_fib_lookup fib = {
		.family = FWDBENCH_AF_INET6,
		.l4_protocol = ip6->nexthdr,
		.tot_len = bpf_ntohs(ip6->payload_len) + sizeof(*ip6),
		.ifindex = ctx->ingress_ifindex,
	};
	__builtin_memcpy(fib.ipv6_src, &ip6->saddr, sizeof(fib.ipv6_src));
	__builtin_memcpy(fib.ipv6_dst, &ip6->daddr, sizeof(fib.ipv6_dst));
	if (bpf_fib_lookup(ctx, &fib, sizeof(fib), 0) != BPF_FIB_LKUP_RET_SUCCESS)
		goto pass;

	ip6->hop_limit--;
	__builtin_memcpy(eth->h_dest, fib.dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, fib.smac, ETH_ALEN);
	fwdbench_count(FWDBENCH_FWD_REDIRECTED);
	return bpf_redirect(fib.ifindex, 0);
pass:
	fwdbench_count(FWDBENCH_FWD_PASSED);
	return XDP_PASS;
}

/* The TUN shape has no native XDP: its hooks are TC ingress. Pass for the
 * kernel modes, drop for the baseline, as above. */
SEC("tc")
int fwdbench_tc_pass(struct __sk_buff *skb)
{
	return TC_ACT_OK;
}

SEC("tc")
int fwdbench_tc_drop(struct __sk_buff *skb)
{
	fwdbench_count(FWDBENCH_ROUTER_DROPPED);
	return TC_ACT_SHOT;
}

/* Mode (d) on a TUN (no L2 header): one FIB lookup without neighbours
 * (DESIGN.md 3: towards a TUN it needs SKIP_NEIGH), hop limit, redirect. */
SEC("tc")
int fwdbench_tc_fib_fwd(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ipv6hdr *ip6 = data;

	if ((void *)(ip6 + 1) > data_end || ip6->version != 6 || ip6->hop_limit <= 1)
		goto pass;

	struct bpf_fib_lookup fib = {
		.family = FWDBENCH_AF_INET6,
		.l4_protocol = ip6->nexthdr,
		.tot_len = bpf_ntohs(ip6->payload_len) + sizeof(*ip6),
		.ifindex = skb->ingress_ifindex,
	};
	__builtin_memcpy(fib.ipv6_src, &ip6->saddr, sizeof(fib.ipv6_src));
	__builtin_memcpy(fib.ipv6_dst, &ip6->daddr, sizeof(fib.ipv6_dst));
	if (bpf_fib_lookup(skb, &fib, sizeof(fib), BPF_FIB_LOOKUP_SKIP_NEIGH) != BPF_FIB_LKUP_RET_SUCCESS)
		goto pass;

	ip6->hop_limit--;
	fwdbench_count(FWDBENCH_FWD_REDIRECTED);
	return bpf_redirect(fib.ifindex, 0);
pass:
	fwdbench_count(FWDBENCH_FWD_PASSED);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
