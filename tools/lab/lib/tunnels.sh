# meshfwd lab: the WireGuard interfaces, made by wireguard-go (no kernel
# module here, DESIGN.md 5) and configured with `wg` and `ip` exactly as
# wg-quick would from the seed's wgvpnr01.conf / wgvpn01.conf.

# start_wireguard NODE IFNAME: wireguard-go in the foreground of its own
# session (so its pid is ours), then waits for its control socket.
start_wireguard() {
  local node=$1 ifname=$2
  rm -f "/var/run/wireguard/$ifname.sock"
  spawn "wg-$node-$ifname" "wireguard-go -f $ifname" ip netns exec "$(ns_of "$node")" wireguard-go -f "$ifname"
  wait_for "wireguard-go's control socket for $ifname ($node)" 10 test -S "/var/run/wireguard/$ifname.sock" ||
    lab_die "wireguard-go did not start on $node; see $LAB_STATE/log/wg-$node-$ifname.log"
}

stop_wireguard() {  # stop_wireguard NODE IFNAME
  stop_process "wg-$1-$2"
  rm -f "/var/run/wireguard/$2.sock"
}

# The relay's routing tunnel: one peer per site (the site's key; AllowedIPs
# = the site's tunnel /128 and its /64), endpoints learned by roaming.
relay_tunnel_up() {
  local ifname
  ifname=$(routing_if relay)
  start_wireguard relay "$ifname"
  node_exec relay wg set "$ifname" private-key "$(key_file relay)" listen-port "$RELAY_WG_PORT" \
    peer "$(pub_key site-a)" allowed-ips "$SITE_A_TUNNEL_ADDR/128,$SITE_A_PREFIX" \
    peer "$(pub_key site-b)" allowed-ips "$SITE_B_TUNNEL_ADDR/128,$SITE_B_PREFIX"
  nip relay addr add "$RELAY_TUNNEL_ADDR/128" dev "$ifname" nodad
  nip relay link set "$ifname" mtu "$ROUTING_MTU" up
  local r
  for r in "$SITE_A_TUNNEL_ADDR/128" "$SITE_A_PREFIX" "$SITE_B_TUNNEL_ADDR/128" "$SITE_B_PREFIX"; do
    nip relay -6 route add "$r" dev "$ifname"
  done
}

# An edge's routing tunnel: the site's key and tunnel address (shared by the
# site's edges), the relay by name (resolved through /etc/netns/<ns>/hosts),
# PersistentKeepalive 25. Left up with its routes: the daemon's VRRP router
# remembers them, takes the tunnel down while backup and restores them as
# master (DESIGN.md 1).
edge_tunnel_up() {
  local node=$1 site ifname
  site=$(site_of "$node")
  ifname=$(routing_if "$node")
  start_wireguard "$node" "$ifname"
  node_exec "$node" wg set "$ifname" private-key "$(key_file "site-$site")" listen-port "$EDGE_WG_PORT" \
    peer "$(pub_key relay)" endpoint "$RELAY_NAME:$RELAY_WG_PORT" \
    allowed-ips "$MESH_PREFIX,$RELAY_TUNNEL_ADDR/128" persistent-keepalive 25
  nip "$node" addr add "$(site_tunnel_addr "$site")/128" dev "$ifname" nodad
  nip "$node" link set "$ifname" mtu "$ROUTING_MTU" up
  nip "$node" -6 route add "$MESH_PREFIX" dev "$ifname"
  nip "$node" -6 route add "$RELAY_TUNNEL_ADDR/128" dev "$ifname"
}

# A server's mesh interface: every other server as a peer, endpoint = its
# ULA and mesh port, MTU = routing tunnel MTU - 80.
server_mesh_up() {
  local node=$1 ifname peer args=()
  ifname=$(mesh_if "$node")
  start_wireguard "$node" "$ifname"
  for peer in "${LAB_SERVERS[@]}"; do
    [[ $peer == "$node" ]] && continue
    args+=(peer "$(pub_key "$peer")" endpoint "[$(server_addr "$peer")]:$(server_port "$peer")"
      allowed-ips "$(server_mesh "$peer")/128")
  done
  node_exec "$node" wg set "$ifname" private-key "$(key_file "$node")" listen-port "$(server_port "$node")" "${args[@]}"
  nip "$node" addr add "$(server_mesh "$node")/128" dev "$ifname" nodad
  nip "$node" link set "$ifname" mtu "$MESH_MTU" up
  for peer in "${LAB_SERVERS[@]}"; do
    [[ $peer == "$node" ]] || nip "$node" -6 route add "$(server_mesh "$peer")/128" dev "$ifname"
  done
}

# Restarts the routing tunnel's wireguard-go on NODE with the same
# configuration (case 6 of the e2e suite: the interface is recreated with a
# new ifindex, and every session is gone).
restart_routing_tunnel() {
  local node=$1
  stop_wireguard "$node" "$(routing_if "$node")"
  if [[ $node == relay ]]; then relay_tunnel_up; else edge_tunnel_up "$node"; fi
}

# Unix time of the latest handshake on IFNAME in NODE (the newest over its
# peers), 0 when none.
latest_handshake() {
  node_exec "$1" wg show "$2" latest-handshakes 2>/dev/null | awk 'BEGIN{m=0} $2>m{m=$2} END{print m}'
}
