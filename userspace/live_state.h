// What the verbs that only look (status, stats) and the daemon's /metrics
// read from the pinned maps: the live policy generation, the site id ->
// prefix table, and the counters with what is attached.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "loader/datapath.h"
#include "maps/meshfwd_abi.h"
#include "userspace/addr.h"
#include "userspace/map_view.h"
#include "userspace/stats.h"

namespace meshfwd {

// The mf_config slot mf_active points at; nullopt when none was written.
std::optional<mf_config> liveConfig(const loader::PinnedMaps& maps);

// Relay: every mf_egress entry's site id and prefix. Edge: its own site,
// which the edge programs count as site 0 (docs/datapath-spec.md).
std::map<uint32_t, Ipv6Prefix> siteNames(const loader::PinnedMaps& maps, const std::optional<mf_config>& live);

// The relay's part of that: site id -> prefix of every mf_egress entry.
std::map<uint32_t, Ipv6Prefix> siteNamesOf(const MapView<mf_egress_key, mf_egress>& egress);

std::vector<AttachedHook> attachedHooks(const std::vector<loader::Attachment>& attachments);

// One row per attachment, as attach and status print them:
//   "  cltun0       tc-ingress  tc       relay_tunnel_ingress    id 42"
std::string formatAttachments(const std::vector<loader::Attachment>& attachments);

std::string roleName(uint32_t mfRole);

// Every counter of the role, the sites, the attached hooks and the live
// generation: what `meshfwd stats` prints and the daemon serves.
StatsSnapshot liveStats(const loader::PinnedMaps& maps);

}  // namespace meshfwd
