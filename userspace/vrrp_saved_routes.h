// The routing tunnel's routes, kept across daemon restarts. The kernel
// deletes a link's routes when it goes down, and a backup (and `meshfwd
// cleanup` after a crash) keeps the tunnel down: a daemon that starts with
// the tunnel already down cannot read them from the kernel any more. The
// daemon that saw them up writes them to /run/meshfwd/net<inode>/
// <tunnel>.routes; a later one reads them back. Without either, the mesh /48
// through the tunnel (DESIGN.md §1) is the route an edge needs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "userspace/vrrp_netlink.h"

namespace meshfwd::vrrp {

// One route per line: "DEST table T metric M proto P [via GW]".
std::string formatSavedRoutes(const std::vector<SavedRoute>& routes);
// nullopt (and *error naming the line) when a line does not parse.
std::optional<std::vector<SavedRoute>> parseSavedRoutes(const std::string& text, std::string* error);

// Next to the daemon's status file; "" when the namespace has none.
std::string savedRoutesPath(const std::string& tunnel);
// "" or an error. Atomic (write and rename).
std::string saveTunnelRoutes(const std::string& tunnel, const std::vector<SavedRoute>& routes);
// The saved routes; nullopt when nothing was saved (or it is unreadable: *error).
std::optional<std::vector<SavedRoute>> loadTunnelRoutes(const std::string& tunnel, std::string* error);

}  // namespace meshfwd::vrrp
