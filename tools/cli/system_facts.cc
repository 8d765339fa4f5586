#include "tools/cli/system_facts.h"

#include <algorithm>

#include "userspace/wg_listen_port.h"

namespace meshfwd::cli {

std::vector<std::string> wireguardInterfaces(const NetSnapshot& net) {
  std::vector<const LinkFacts*> links;
  for (const auto& l : net.links) links.push_back(&l);
  std::sort(links.begin(), links.end(), [](auto* a, auto* b) { return a->ifindex < b->ifindex; });
  std::vector<std::string> out;
  for (const auto* l : links)
    if (l->kind == "wireguard" || (l->kind == "tun" && isWireguardGoInterface(l->name))) out.push_back(l->name);
  return out;
}

SystemFacts systemFacts(const NetSnapshot& net, const Capabilities& caps) {
  SystemFacts f;
  f.caps = caps;
  for (const auto& l : net.links) f.interfaces.insert(l.name);
  f.wireguardInterfaces = wireguardInterfaces(net);
  return f;
}

}  // namespace meshfwd::cli
