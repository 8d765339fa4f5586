/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Small helpers every program uses: the live config, counters, token
 * buckets. Kept apart from the policies so each policy header reads as the
 * table it implements. */
#ifndef MESHFWD_COMMON_BPF_H
#define MESHFWD_COMMON_BPF_H

#include <linux/in6.h>
#include "maps.bpf.h"

#ifndef BPF_FIB_LOOKUP_SKIP_NEIGH
/* Debian 12's uapi predates it (DESIGN.md 3); the kernel knows it. */
#define BPF_FIB_LOOKUP_SKIP_NEIGH (1U << 2)
#endif

#define MF_ALWAYS_INLINE static __always_inline

/* The live policy generation, or NULL before userspace has written one. */
MF_ALWAYS_INLINE const struct mf_config *mf_live_config(void)
{
	__u32 zero = 0;
	__u32 *active = bpf_map_lookup_elem(&mf_active, &zero);
	if (!active)
		return 0;
	__u32 slot = *active & (MF_CONFIG_GENERATIONS - 1);
	const struct mf_config *cfg = bpf_map_lookup_elem(&mf_config, &slot);
	if (!cfg || cfg->abi_version != MF_ABI_VERSION)
		return 0;
	return cfg;
}

/* Is daddr one of this box's addresses (mf_local_addrs)? The filter answers
 * "no" for almost every forwarded packet without the hash lookup. */
MF_ALWAYS_INLINE int mf_is_local_addr(const struct in6_addr *daddr)
{
	__u32 zero = 0;
	const struct mf_local_filter *f = bpf_map_lookup_elem(&mf_local_filter, &zero);
	if (!f)
		return 0;
	const __u64 *half = (const __u64 *)daddr;
	__u32 bit = mf_local_filter_bit(half[0], half[1]);
	if (!((f->bits[bit / 64] >> (bit % 64)) & 1))
		return 0;
	return bpf_map_lookup_elem(&mf_local_addrs, daddr) != 0;
}

MF_ALWAYS_INLINE void mf_count(__u32 reason, __u64 bytes)
{
	struct mf_counter *c = bpf_map_lookup_elem(&mf_counters, &reason);
	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

MF_ALWAYS_INLINE void mf_count_site(__u32 site_id, __u32 direction, __u64 bytes)
{
	__u32 idx = site_id * MF_DIR_COUNT + direction;
	struct mf_counter *c = bpf_map_lookup_elem(&mf_site_counters, &idx);
	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

/* Token bucket in milli-tokens. Returns 1 when a token was taken. A rate of
 * 0 means unlimited. Not atomic: callers use per-CPU buckets, or accept that
 * two CPUs racing on a shared bucket may both pass (the limit stays a limit
 * within a factor of the CPU count). */
MF_ALWAYS_INLINE int mf_bucket_take(struct mf_bucket *b, __u32 rate, __u32 burst, __u64 now)
{
	if (rate == 0)
		return 1;
	__u64 cap = (__u64)(burst ? burst : 1) * 1000;
	__u64 elapsed = now - b->last_ns;
	/* Cap elapsed before multiplying so the product cannot overflow
	 * (userspace keeps rates <= 1e9/s); ten idle seconds refill any bucket
	 * whose burst is at most ten seconds' worth of rate. */
	if (elapsed > 10ULL * 1000000000ULL)
		elapsed = 10ULL * 1000000000ULL;
	__u64 tokens = b->tokens_x1000 + elapsed * rate / 1000000;
	if (tokens > cap)
		tokens = cap;
	b->last_ns = now;
	if (tokens < 1000) {
		b->tokens_x1000 = tokens;
		return 0;
	}
	b->tokens_x1000 = tokens - 1000;
	return 1;
}

MF_ALWAYS_INLINE int mf_percpu_bucket_take(__u32 which, __u32 rate, __u32 burst)
{
	struct mf_bucket *b = bpf_map_lookup_elem(&mf_buckets, &which);
	if (!b)
		return 0;
	return mf_bucket_take(b, rate, burst, bpf_ktime_get_ns());
}

#endif /* MESHFWD_COMMON_BPF_H */
