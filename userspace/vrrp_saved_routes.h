// The routing tunnel's routes, kept across daemon restarts. The kernel
// deletes a link's routes when it goes down, and a backup (and `meshfwd
// cleanup` after a crash or stop) keeps the tunnel down: a daemon that
// starts with the tunnel already down cannot read them from the kernel any
// more. The daemon that saw them up writes them to
// /var/lib/meshfwd/net<inode>/<tunnel>.routes (systemd's StateDirectory=,
// $STATE_DIRECTORY); a later one reads them back. State, not runtime data:
// an operator's `systemctl stop` + `start` (an upgrade, maintenance) removes
// /run/meshfwd, and the master must come back with every route it had, not
// only the /48. Without a saved file, the mesh /48 through the tunnel
// (DESIGN.md §1) is the route an edge needs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "userspace/vrrp_netlink.h"

namespace meshfwd::vrrp {

// One route per line: "DEST table T metric M proto P [via GW]".
std::string formatSavedRoutes(const std::vector<SavedRoute>& routes);
// nullopt (and *error naming the line) when a line does not parse.
std::optional<std::vector<SavedRoute>> parseSavedRoutes(const std::string& text, std::string* error);

// The directory for a namespace's saved routes: the first entry of
// `stateDirectoryEnv` (systemd's colon-separated $STATE_DIRECTORY; null or
// empty: /var/lib/meshfwd), then net<inode>, as the status file is keyed.
std::string savedRoutesDir(const char* stateDirectoryEnv, uint64_t netnsInode);
// This namespace's file under $STATE_DIRECTORY; "" when the namespace has no inode.
std::string savedRoutesPath(const std::string& tunnel);
// Where meshfwd before the state directory kept them: next to the status
// file in /run/meshfwd, which `systemctl restart` preserves. Read when the
// state file is missing, so an upgrade by restart keeps the routes.
std::string runtimeSavedRoutesPath(const std::string& tunnel);
// "" or an error. Atomic (write and rename).
std::string saveTunnelRoutes(const std::string& tunnel, const std::vector<SavedRoute>& routes);
// The saved routes; nullopt when nothing was saved (or it is unreadable: *error).
std::optional<std::vector<SavedRoute>> loadTunnelRoutes(const std::string& tunnel, std::string* error);

}  // namespace meshfwd::vrrp
