// A StatsSnapshot as text: the `meshfwd stats` table, JSON in the style of
// `ip -j` / `bpftool -j` (one compact document, stable snake_case keys,
// numbers as numbers), and the Prometheus text exposition format served by
// the daemon and printed by `meshfwd stats --prometheus`. Pure functions.
#pragma once

#include <string>

#include "userspace/stats.h"

namespace meshfwd {

// Fixed-width columns; every reason of the role, zero or not, so the rows
// never move between runs.
std::string renderStatsTable(const StatsSnapshot& stats);

// {"generation":N,"reasons":[{"hook":..,"reason":..,"id":..,"packets":..,"bytes":..}],
//  "sites":[{"site":..,"site_id":..,"to_site":{"packets":..,"bytes":..},"from_site":{..}}]}
// followed by a newline.
std::string renderStatsJson(const StatsSnapshot& stats);

// meshfwd_packets_total{hook,reason}, meshfwd_bytes_total{hook,reason},
// meshfwd_site_packets_total{site,direction}, meshfwd_site_bytes_total{site,direction},
// meshfwd_attached{iface,hook,mode}, meshfwd_config_generation; each with
// HELP and TYPE, clean under `promtool check metrics`.
std::string renderPrometheus(const StatsSnapshot& stats);

// JSON string literal (quotes included), escaped per RFC 8259.
std::string jsonString(const std::string& s);

}  // namespace meshfwd
