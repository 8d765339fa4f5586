#include "userspace/nft_render.h"

#include <sstream>
#include <stdexcept>

namespace meshfwd {

namespace {

// The edge's DHCP client runs on its way out; a single-NIC edge has only
// the LAN for that.
std::string dhcpInterface(const Config& config) {
  if (!config.uplink.empty()) return config.uplink;
  return config.role == Role::Edge ? config.lan : std::string();
}

bool isLoopbackListen(const std::string& listen) {
  return listen.rfind("127.", 0) == 0 || listen.rfind("[::1]:", 0) == 0;
}

void header(std::ostringstream& out, const Config& config) {
  const char* role = config.role == Role::Edge ? "edge" : "relay";
  out << "#!/usr/sbin/nft -f\n"
      << "# meshfwd input policy for the " << role << " (meshfwd render-nft --role " << role << ").\n"
      << "#\n"
      << "# meshfwd's datapath replaces the seed's forward chains; this is the seed's input\n"
      << "# chain with its bugs fixed (every variable is defined here; the seed's relay file\n"
      << "# used an undefined $lan_interface and did not load).\n"
      << "#\n"
      << "# Install: save it as /etc/nftables.conf (Debian's nftables.service loads that\n"
      << "# file at boot) and run `nft -f /etc/nftables.conf`. It owns one table, "
      << kNftTableFamily << " " << kNftTableName << ",\n"
      << "# recreated on each load: the empty table line makes the delete safe on a first\n"
      << "# load. Remove the seed's tables once (nft delete table inet filter, or ip filter\n"
      << "# and ip6 filter on an edge): every input hook must accept a packet.\n"
      << "#\n"
      << "# No forward chain, deliberately. The BPF datapath judges every packet arriving on\n"
      << "# the routing tunnel" << (config.role == Role::Edge ? " and the LAN" : "")
      << " before routing and sends what it forwards with bpf_redirect,\n"
      << "# which bypasses netfilter's forward hook; rejects and ICMPv6 errors are answered\n"
      << "# by the datapath itself. A forward chain would see only what the datapath hands\n"
      << "# to the kernel, and a conntrack chain there costs ~0.3 us per packet (DESIGN.md 7).\n"
      << "# Consequence: without meshfwd attached nothing filters forwarding, so enable\n"
      << "# net.ipv6.conf.all.forwarding only once meshfwd is attached.\n"
      << "#\n"
      << "# The seed accepts no SSH. If you manage this box over SSH, add a rule such as\n"
      << "#   tcp dport ssh ip6 saddr <your admin prefix> accept\n"
      << "# to the chain below before loading it.\n\n";
}

void defines(std::ostringstream& out, const Config& config) {
  std::string dhcp = dhcpInterface(config);
  if (config.role == Role::Edge) out << "define lan_interface = \"" << config.lan << "\"\n";
  out << "define uplink_interface = \"" << dhcp << "\"\n"
      << "define vpn_routing_interface = \"" << config.tunnel << "\"\n"
      << "define vpn_routing_wireguard_port = " << config.guard.listenPort << "\n"
      << "define traceroute_ports = 33434-33474\n";
  if (config.role == Role::Edge) out << "define vrrp_multicast = ff02::12\n";
  out << "\n";
}

void chain(std::ostringstream& out, const Config& config) {
  const bool edge = config.role == Role::Edge;
  out << "table " << kNftTableFamily << " " << kNftTableName << "\n"
      << "delete table " << kNftTableFamily << " " << kNftTableName << "\n\n"
      << "table " << kNftTableFamily << " " << kNftTableName << " {\n"
      << "    chain input {\n"
      << "        type filter hook input priority filter; policy drop;\n\n"
      << "        # Replies to what this box sent. There is no \"ct state invalid drop\": conntrack\n"
      << "        # calls neighbour discovery invalid, and the ICMPv6 rules below must see it.\n"
      << "        ct state established,related accept\n\n"
      << "        iif lo accept\n\n"
      << "        # DHCP and DHCPv6 client replies, on the interface the lease comes from only.\n"
      << "        # iifname, not iif: the interfaces may appear after this ruleset loads.\n"
      << "        iifname $uplink_interface meta nfproto ipv4 udp dport 68 accept\n"
      << "        iifname $uplink_interface meta nfproto ipv6 udp dport 546 accept\n\n"
      << "        # The routing tunnel's WireGuard port (before the traceroute reject, which would\n"
      << "        # otherwise shadow a port chosen inside 33434-33474).\n"
      << "        udp dport $vpn_routing_wireguard_port accept\n\n"
      << "        # Traceroute probes: reject (port unreachable) so clients see this hop.\n"
      << "        udp dport $traceroute_ports reject\n\n"
      << "        icmp type { echo-request, echo-reply, destination-unreachable, time-exceeded } accept\n"
      << "        icmpv6 type { echo-request, echo-reply, destination-unreachable, packet-too-big, "
         "time-exceeded, parameter-problem } accept\n"
      << "        # Neighbour discovery and router adverts (the uplink's SLAAC) are link-local:\n"
      << "        # RFC 4861 has them sent with hop limit 255, which no router can forward.\n"
      << "        icmpv6 type { nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert } "
         "ip6 hoplimit 255 accept\n";
  if (edge) {
    out << "\n"
        << "        # The edge companion. It sends the site's Router Advertisements and runs VRRPv3\n"
        << "        # on a macvlan over $lan_interface, so these are matched by on-link proof (hop\n"
        << "        # limit 255), not by interface: either device may receive them.\n"
        << "        # Router solicitations from the site's hosts (the seed dropped them, so hosts\n"
        << "        # waited up to MaxRtrAdvInterval for an address):\n"
        << "        icmpv6 type nd-router-solicit ip6 hoplimit 255 accept\n"
        << "        # VRRPv3 adverts (IPv6 next header 112) from the site's other edge routers:\n"
        << "        ip6 daddr $vrrp_multicast ip6 nexthdr 112 ip6 hoplimit 255 accept\n"
        << "        # MLD queries, so this box reports ff02::12 and ff02::2 and snooping switches\n"
        << "        # keep delivering VRRP adverts and router solicitations to it:\n"
        << "        icmpv6 type mld-listener-query ip6 saddr fe80::/10 accept\n";
  }
  if (!isLoopbackListen(config.metricsListen)) {
    out << "\n"
        << "        # /metrics listens on " << config.metricsListen << ", which is not loopback. Accept\n"
        << "        # your Prometheus server here, e.g.: ip saddr <prometheus> tcp dport <port> accept\n";
  }
  out << "\n"
      << "        # Rate-limited so a flood cannot fill the journal.\n"
      << "        limit rate 10/second burst 20 packets log prefix \"meshfwd input drop: \"\n"
      << "        drop\n"
      << "    }\n"
      << "}\n";
}

}  // namespace

std::optional<std::string> inputRulesetProblem(const Config& config) {
  if (config.tunnel.empty()) return std::string("the routing tunnel ([interfaces] tunnel) is not set");
  if (config.role == Role::Edge && config.lan.empty())
    return std::string("the edge's LAN ([interfaces] lan) is not set");
  if (dhcpInterface(config).empty())
    return std::string(
        "the relay's uplink ([interfaces] uplink or --uplink) is not set; DHCP replies are accepted on it only");
  if (config.guard.listenPort == 0)
    return std::string(
        "the WireGuard listen port is left to run time; set [interfaces] tunnel_listen_port or pass "
        "--listen-port");
  return std::nullopt;
}

std::string renderInputRuleset(const Config& config) {
  if (auto problem = inputRulesetProblem(config)) throw std::invalid_argument(*problem);
  std::ostringstream out;
  header(out, config);
  defines(out, config);
  chain(out, config);
  return out.str();
}

}  // namespace meshfwd
