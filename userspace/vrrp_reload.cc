#include "userspace/vrrp_reload.h"

#include <vector>

namespace meshfwd::vrrp {

namespace {

std::string yesNo(bool b) { return b ? "true" : "false"; }

}  // namespace

std::string reloadRefusal(const Config& running, const Config& next) {
  if (!running.vrrp) return "";
  if (!next.vrrp) return "vrrp: [vrrp] cannot be removed by a reload: restart meshfwd";
  const VrrpConfig& o = *running.vrrp;
  const VrrpConfig& n = *next.vrrp;
  std::vector<std::string> changed;
  auto note = [&](bool differs, const std::string& key, const std::string& from, const std::string& to) {
    if (differs) changed.push_back(key + " " + from + " -> " + to);
  };
  note(n.vrid != o.vrid, "virtual_router_id", std::to_string(o.vrid), std::to_string(n.vrid));
  note(n.priority != o.priority, "priority", std::to_string(o.priority), std::to_string(n.priority));
  note(n.advertIntervalCs != o.advertIntervalCs, "advert_int", std::to_string(o.advertIntervalCs) + " cs",
       std::to_string(n.advertIntervalCs) + " cs");
  note(n.preempt != o.preempt, "preempt", yesNo(o.preempt), yesNo(n.preempt));
  note(n.virtualAddress != o.virtualAddress, "virtual_address", o.virtualAddress.str(), n.virtualAddress.str());
  note(next.lan != running.lan, "interfaces.lan", running.lan, next.lan);
  note(next.tunnel != running.tunnel, "interfaces.tunnel", running.tunnel, next.tunnel);
  if (changed.empty()) return "";
  std::string list;
  for (const auto& c : changed) list += (list.empty() ? "" : ", ") + c;
  return "vrrp: " + list + ": cannot change while running (the router would leave the group); restart meshfwd";
}

}  // namespace meshfwd::vrrp
