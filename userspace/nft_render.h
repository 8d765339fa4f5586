// The nftables input policy for a role, rendered from the config.
//
// meshfwd's datapath replaces the seed's forward chains; the input chains
// (what may reach the router itself) stay with nftables. This renders the
// seed's input chain for the role with its bugs fixed and every variable
// defined, as text for `nft -f`. Pure: no interface or WireGuard queries.
#pragma once

#include <optional>
#include <string>

#include "userspace/config.h"

namespace meshfwd {

// The table the ruleset creates (and recreates on every load).
inline constexpr const char* kNftTableFamily = "inet";
inline constexpr const char* kNftTableName = "meshfwd";

// Why the ruleset cannot be rendered from `config` (a value it needs that
// is left to run time, such as the WireGuard port), or nothing.
std::optional<std::string> inputRulesetProblem(const Config& config);

// The ruleset. Throws std::invalid_argument when inputRulesetProblem()
// has an answer: a ruleset with a hole in it must never be printed.
std::string renderInputRuleset(const Config& config);

}  // namespace meshfwd
