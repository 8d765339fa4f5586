#include "userspace/live_state.h"

#include <cstdio>
#include <cstring>

#include "loader/libbpf_log.h"
#include "userspace/map_view.h"
#include "userspace/policy_maps.h"
#include "userspace/route_sync.h"

namespace meshfwd {

std::optional<mf_config> liveConfig(const loader::PinnedMaps& maps) {
  BpfConfigSlots slots(maps.fd("mf_config"), maps.fd("mf_active"));
  auto active = slots.activeSlot();
  if (!active) return std::nullopt;
  auto c = slots.readSlot(*active);
  if (!c || c->abi_version != MF_ABI_VERSION) return std::nullopt;
  return c;
}

std::map<uint32_t, Ipv6Prefix> siteNames(const loader::PinnedMaps& maps, const std::optional<mf_config>& live) {
  std::map<uint32_t, Ipv6Prefix> names;
  if (live && live->role == MF_ROLE_EDGE) {
    Ipv6Prefix site;
    std::memcpy(site.addr.bytes.data(), live->site_prefix, 16);
    site.length = 64;
    names.emplace(0, site);
    return names;
  }
  return siteNamesOf(BpfMapView<mf_egress_key, mf_egress>(maps.fd("mf_egress")));
}

std::map<uint32_t, Ipv6Prefix> siteNamesOf(const MapView<mf_egress_key, mf_egress>& egress) {
  std::map<uint32_t, Ipv6Prefix> names;
  for (const auto& [key, value] : egress.entries()) names.emplace(value.site_id, egressPrefix(key));
  return names;
}

std::vector<AttachedHook> attachedHooks(const std::vector<loader::Attachment>& attachments) {
  std::vector<AttachedHook> out;
  for (const auto& a : attachments) out.push_back({a.iface, a.hook, a.mode, a.program, a.progId});
  return out;
}

std::string formatAttachments(const std::vector<loader::Attachment>& attachments) {
  std::string out;
  char line[256];
  for (const auto& a : attachments) {
    std::snprintf(line, sizeof line, "  %-15s %-11s %-8s %-22s id %u\n", a.iface.c_str(), a.hook.c_str(),
                  a.mode.c_str(), a.program.c_str(), a.progId);
    out += line;
  }
  return out;
}

std::string roleName(uint32_t mfRole) {
  switch (mfRole) {
    case MF_ROLE_RELAY: return "relay";
    case MF_ROLE_EDGE: return "edge";
    default: return "none";
  }
}

StatsSnapshot liveStats(const loader::PinnedMaps& maps) {
  std::optional<mf_config> live = liveConfig(maps);
  uint32_t role = MF_ROLE_RELAY;
  if (live) role = live->role;
  else if (maps.kind() == loader::ObjectKind::Edge) role = MF_ROLE_EDGE;
  BpfCounterSource source(maps.fd("mf_counters"), maps.fd("mf_site_counters"));
  StatsSnapshot s = collectStats(source, hooksOfRole(role), siteNames(maps, live));
  s.generation = live ? live->generation : 0;
  std::string ignored;  // stats still print when the hooks cannot be read back
  loader::LibbpfLogCapture quiet;  // probing hooks is chatty in libbpf
  s.attached = attachedHooks(loader::status(&ignored));
  return s;
}

}  // namespace meshfwd
