#!/usr/bin/env bash
# meshfwd in five minutes: installs what it needs, builds, and runs a small
# mesh in network namespaces on this machine:
#
#     site A ──┐                      ┌── site B
#   (IPv6 only) └── "internet" bridge ─┘  (IPv4 only)
#                        │
#                      relay   <- meshfwd attach --role relay
#
# Each site holds a WireGuard routing tunnel (wireguard-go) to the relay,
# as in the seed design. The relay forwards between the sites only what the
# policy allows: UDP to the mesh ports 58000-60000 and ping; anything else
# gets an ICMPv6 "address unreachable" back.
#
# Everything it creates is named mfd-* and removed on exit, even on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/lib/demo_net.sh

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
say() { printf '   %s\n' "$*"; }

if ((EUID != 0)); then
  echo "demo: run as root (namespaces, XDP and TC need it): sudo $0" >&2
  exit 1
fi

step "1. Dependencies (tools/setup.sh; does nothing when all are present)"
bash tools/setup.sh

build=${MESHFWD_BUILD_DIR:-build}
step "2. Build (cmake into $build/)"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" --target meshfwd
MESHFWD=$PWD/$build/tools/meshfwd
say "built $MESHFWD"

trap demo_cleanup EXIT
demo_cleanup  # leftovers of an interrupted earlier run

MESH=fd42:4242:4242::/48
SITE_A=fd42:4242:4242:a::/64 HOST_A=fd42:4242:4242:a::10
SITE_B=fd42:4242:4242:b::/64 HOST_B=fd42:4242:4242:b::10
RELAY_TUN_ADDR=fd99::1
P=$DEMO_PREFIX

step "3. Namespaces: an 'internet' bridge, the relay, two sites"
for ns in inet relay site-a site-b; do ns_create "$P-$ns"; done
ip -n "$P-inet" link add "$P-br" type bridge
ip -n "$P-inet" link set "$P-br" up
plug() {  # plug NS ADDR...: a veth from NS into the bridge
  local ns=$1; shift
  ip -n "$ns" link add "$P-up" type veth peer name "$P-${ns#"$P-"}" netns "$P-inet"
  ip -n "$P-inet" link set "$P-${ns#"$P-"}" master "$P-br" up
  local a
  for a in "$@"; do
    if [[ $a == *:* ]]; then ip -n "$ns" addr add "$a" dev "$P-up" nodad; else ip -n "$ns" addr add "$a" dev "$P-up"; fi
  done
  ip -n "$ns" link set "$P-up" up
}
plug "$P-relay" 2001:db8:ffff::1/64 192.0.2.1/24
plug "$P-site-a" 2001:db8:ffff::a/64
plug "$P-site-b" 192.0.2.11/24
say "relay uplink: 2001:db8:ffff::1 and 192.0.2.1; site A: IPv6 only; site B: IPv4 only"

step "4. WireGuard routing tunnels (wireguard-go + wg), one relay peer per site"
wg_start "$P-relay" "$P-wg-relay" 51820
wg_start "$P-site-a" "$P-wg-a"
wg_start "$P-site-b" "$P-wg-b"
RELAY_PUB=$(wg_pubkey "$P-wg-relay")
in_ns "$P-relay" wg set "$P-wg-relay" \
  peer "$(wg_pubkey "$P-wg-a")" allowed-ips fd99::a/128,$SITE_A \
  peer "$(wg_pubkey "$P-wg-b")" allowed-ips fd99::b/128,$SITE_B
ip -n "$P-relay" addr add $RELAY_TUN_ADDR/128 dev "$P-wg-relay"
ip -n "$P-relay" link set "$P-wg-relay" mtu 1420 up
for r in fd99::a/128 $SITE_A fd99::b/128 $SITE_B; do ip -n "$P-relay" route add "$r" dev "$P-wg-relay"; done
in_ns "$P-relay" sysctl -qw net.ipv6.conf.all.forwarding=1

site_tunnel() {  # site_tunnel LETTER ENDPOINT HOST
  local ns=$P-site-$1 wgif=$P-wg-$1
  in_ns "$ns" wg set "$wgif" peer "$RELAY_PUB" endpoint "$2" \
    allowed-ips $MESH,$RELAY_TUN_ADDR/128 persistent-keepalive 25
  ip -n "$ns" addr add "fd99::$1/128" dev "$wgif"
  ip -n "$ns" addr add "$3/128" dev "$wgif"
  ip -n "$ns" link set "$wgif" mtu 1420 up
  ip -n "$ns" route add $MESH dev "$wgif" src "$3"
  ip -n "$ns" route add $RELAY_TUN_ADDR/128 dev "$wgif"
}
site_tunnel a "[2001:db8:ffff::1]:51820" $HOST_A
site_tunnel b "192.0.2.1:51820" $HOST_B
say "site A = $HOST_A, site B = $HOST_B (each site box stands in for a server of its /64)"

step "5. meshfwd attach --role relay on the relay"
meshfwd_in "$P-relay" attach --role relay --tunnel "$P-wg-relay" --mesh-prefix $MESH --ports 58000-60000 "$P-up"
meshfwd_in "$P-relay" status

step "6. Sites say hello to the relay (WireGuard handshakes)"
for s in a b; do
  wait_for "site $s to reach the relay" 15 in_ns "$P-site-$s" ping -6 -c 1 -W 1 $RELAY_TUN_ADDR
  say "site $s: tunnel up"
done

step "7. UDP from A to B, port 58000 (inside the mesh range): forwarded"
watch_start "$P-site-b" "$P-wg-b" "udp port 58000"
udp_send "$P-site-a" $HOST_B 58000 "hello from A"
say "seen at site B:"; watch_result

step "8. UDP from A to B, port 9000 (outside the range): rejected"
watch_start "$P-site-a" "$P-wg-a" "icmp6 and ip6[40] == 1"
udp_send "$P-site-a" $HOST_B 9000 "this one is refused"
say "seen at site A (the relay's ICMPv6 destination unreachable, code 3):"; watch_result

step "9. ping from A to B"
in_ns "$P-site-a" ping -6 -c 3 -i 0.2 $HOST_B | sed 's/^/    /'

step "10. meshfwd stats on the relay"
meshfwd_in "$P-relay" stats

step "11. Clean-up (also runs on any failure)"
meshfwd_in "$P-relay" detach
say "detached; deleting namespaces and stopping wireguard-go on exit"
