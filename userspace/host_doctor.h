// `meshfwd doctor --host IF`: does this server's kernel accept what the
// edge advertises? Linux ignores the mesh /48 Route Information Option
// unless accept_ra_rt_info_max_plen >= 48, ignores RAs altogether when it
// forwards unless accept_ra = 2, and a WireGuard endpoint needs an address
// that does not change (DESIGN.md 6). Pure checks over a small reader, so
// every verdict is unit-tested without root.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace meshfwd {

class HostFacts {
 public:
  virtual ~HostFacts() = default;
  // The value of net.ipv6.conf.<ifname>.<key> (trimmed); nullopt when the
  // interface (or the key) does not exist.
  virtual std::optional<std::string> ipv6Conf(const std::string& ifname, const std::string& key) const = 0;
  // The interface's IPv6 token (`ip token`), "::" when none is set.
  virtual std::string token(const std::string& ifname) const = 0;
};

struct DoctorCheck {
  std::string name;   // the sysctl or the property checked
  bool ok = false;
  std::string found;  // what the host has, as the operator would read it
  std::string why;    // why it matters / why it is fine
  std::vector<std::string> fix;  // commands or config lines to apply, when !ok
};

struct DoctorReport {
  std::string ifname;
  std::vector<DoctorCheck> checks;
  bool mustChange() const;
};

DoctorReport checkHost(const HostFacts& facts, const std::string& ifname);

// The report as printed: one line per check, the fixes under a failing
// one, then the persistent configuration (sysctl.d and systemd-networkd).
std::string formatReport(const DoctorReport& report);

// Reads /proc/sys/net/ipv6/conf/<if>/<key> and runs `ip -6 token get`.
class SystemHostFacts : public HostFacts {
 public:
  std::optional<std::string> ipv6Conf(const std::string& ifname, const std::string& key) const override;
  std::string token(const std::string& ifname) const override;
};

}  // namespace meshfwd
