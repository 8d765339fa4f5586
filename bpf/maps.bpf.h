/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The maps every meshfwd program object declares. Shapes come from
 * maps/meshfwd_abi.h; the names are the pin names under bpffs. */
#ifndef MESHFWD_MAPS_BPF_H
#define MESHFWD_MAPS_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "meshfwd_abi.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MF_CONFIG_GENERATIONS);
	__type(key, __u32);
	__type(value, struct mf_config);
} mf_config SEC(".maps");

/* [0] = index of the live mf_config slot. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} mf_active SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mf_edge_state);
} mf_edge_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, MF_MAX_SITES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct mf_egress_key);
	__type(value, struct mf_egress);
} mf_egress SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MF_MAX_SITES);
	__type(key, struct mf_egress64_key);
	__type(value, struct mf_egress);
} mf_egress64 SEC(".maps");

/* Indexed by mf_tunnel_slot(ifindex); see struct mf_tunnel. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MF_TUNNEL_SLOTS);
	__type(key, __u32);
	__type(value, struct mf_tunnel);
} mf_tunnels SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MF_REASON_MAX);
	__type(key, __u32);
	__type(value, struct mf_counter);
} mf_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MF_SITE_SLOTS * MF_DIR_COUNT);
	__type(key, __u32);
	__type(value, struct mf_counter);
} mf_site_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MF_FRAG_ENTRIES);
	__type(key, struct mf_frag_key);
	__type(value, struct mf_frag_state);
} mf_frags SEC(".maps");

/* The box's own unicast addresses (tunnel and LAN): traffic to them is the
 * input path's business, never the forwarding policy's. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MF_MAX_LOCAL_ADDRS);
	__type(key, struct mf_local_key);
	__type(value, __u32);
} mf_local_addrs SEC(".maps");

/* [0]: which mf_local_addrs lookups can be skipped (struct mf_local_filter). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mf_local_filter);
} mf_local_filter SEC(".maps");

/* [0] generated ICMPv6 errors, [1] sampled events. */
#define MF_BUCKET_ICMP 0
#define MF_BUCKET_EVENTS 1
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct mf_bucket);
} mf_buckets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MF_HS_LIMIT_ENTRIES);
	__type(key, struct mf_hs_key);
	__type(value, struct mf_bucket);
} mf_hs_limit SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, MF_EVENTS_BYTES);
} mf_events SEC(".maps");

#endif /* MESHFWD_MAPS_BPF_H */
