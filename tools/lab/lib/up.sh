# meshfwd lab: `up`. Builds the seed's whole network and waits, with a
# deadline each, for the conditions that make it usable: the relay
# attached, one VRRP master per site, its routing tunnel handshaken, every
# server's SLAAC address and /48 route, every mesh pair handshaken.

# Deadlines (seconds). Generous: two shared cores, a dozen namespaces.
UP_DAEMON_S=${LAB_UP_DAEMON_S:-20}
UP_MASTER_S=${LAB_UP_MASTER_S:-20}
UP_HANDSHAKE_S=${LAB_UP_HANDSHAKE_S:-20}
UP_SLAAC_S=${LAB_UP_SLAAC_S:-40}
UP_MESH_S=${LAB_UP_MESH_S:-30}

server_has_slaac() {  # the server's ULA is there and no longer tentative
  nip "$1" -6 -o addr show dev eth0 | grep " $(server_addr "$1")/64 " | grep -qv tentative
}
server_has_mesh_route() {  # the /48 from the RIO, via the VIP
  nip "$1" -6 route show "$MESH_PREFIX" | grep -q "via $VIP .*proto ra"
}
edge_handshaken() {  # edge_handshaken NODE SINCE: a handshake with the relay at or after SINCE (Unix time)
  local hs
  hs=$(latest_handshake "$1" "$(routing_if "$1")")
  [[ $hs =~ ^[0-9]+$ ]] && ((hs > 0 && hs >= $2))
}
preferred_master() { holds_vip "edge-${1}1" && ! holds_vip "edge-${1}2"; }
mesh_ping() {  # mesh_ping FROM TO: one ping over the servers' WireGuard mesh
  node_exec "$1" ping -6 -c 1 -W 1 -I "$(server_mesh "$1")" "$(server_mesh "$2")"
}

lab_up() {
  command -v wireguard-go >/dev/null || lab_die "wireguard-go is missing (tools/setup.sh installs it)"
  [[ -x $(lab_meshfwd) ]] || lab_die "no meshfwd binary (MESHFWD=$(lab_meshfwd))"
  mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
  if [[ -d $LAB_STATE || -n $(lab_namespaces) ]]; then
    lab_info "removing what an earlier lab '$LAB_PREFIX' left"
    lab_down
  fi
  local t0=$SECONDS site node

  lab_step "plan: keys (wg genkey), a random ULA /48, tunnel addresses"
  make_plan
  load_plan
  lab_info "mesh $MESH_PREFIX, site A $SITE_A_PREFIX, site B $SITE_B_PREFIX"

  lab_step "topology: internet, relay, isp-a (IPv4 NAT), isp-b (IPv6 only), 4 edges, 4 servers"
  build_topology

  lab_step "relay: routing tunnel $(routing_if relay), input firewall, meshfwd run --role relay"
  relay_tunnel_up
  nsysctl relay net.ipv6.conf.all.forwarding=1
  write_relay_conf
  load_input_firewall relay relay
  start_daemon relay
  wait_daemon relay "$UP_DAEMON_S" || lab_die "the relay's daemon did not start"

  lab_step "edges: routing tunnels (site keys), input firewall, meshfwd run --role edge (VRRP + RA)"
  # As on real edges, wg-quick has brought every tunnel up (each handshakes
  # at once, PersistentKeepalive) before meshfwd starts. The daemons then
  # start together: each takes its tunnel down (a backup must not send with
  # the site's key) and the master brings its own back with a fresh
  # handshake, the last one the relay sees for the site.
  for node in "${LAB_EDGES[@]}"; do edge_tunnel_up "$node"; done
  for node in "${LAB_EDGES[@]}"; do
    wait_for "$node's routing tunnel to handshake with the relay" "$UP_HANDSHAKE_S" edge_handshaken "$node" 0 ||
      lab_die "$node never reached the relay ($RELAY_NAME)"
  done
  local started
  started=$(date +%s)
  for node in "${LAB_EDGES[@]}"; do
    write_edge_conf "$node"
    load_input_firewall "$node" edge
    start_daemon "$node"
  done
  for node in "${LAB_EDGES[@]}"; do wait_daemon "$node" "$UP_DAEMON_S" || lab_die "$node's daemon did not start"; done
  for site in a b; do
    # edge-X1 has the higher priority and preemption is on: it ends up
    # master whichever edge won the first election.
    node=edge-${site}1
    wait_for "$node to be site ${site^^}'s only VRRP master" "$UP_MASTER_S" preferred_master "$site" ||
      lab_die "site ${site^^} has no single VRRP master"
    lab_info "site ${site^^}: $node is master"
    wait_for "$node's routing tunnel to handshake again as master" "$UP_HANDSHAKE_S" edge_handshaken "$node" "$started" ||
      lab_die "$node never reached the relay ($RELAY_NAME) as master"
  done

  lab_step "servers: SLAAC from our RAs, the /48 route by RIO, the WireGuard mesh"
  for node in "${LAB_SERVERS[@]}"; do
    wait_for "$node's SLAAC address $(server_addr "$node")" "$UP_SLAAC_S" server_has_slaac "$node" ||
      lab_die "$node got no address from the RAs"
    wait_for "$node's $MESH_PREFIX route via $VIP" "$UP_SLAAC_S" server_has_mesh_route "$node" ||
      lab_die "$node got no mesh route from the RAs"
  done
  for node in "${LAB_SERVERS[@]}"; do server_mesh_up "$node"; done
  local i j
  for ((i = 0; i < ${#LAB_SERVERS[@]}; i++)); do
    for ((j = i + 1; j < ${#LAB_SERVERS[@]}; j++)); do
      wait_for "mesh ping ${LAB_SERVERS[i]} -> ${LAB_SERVERS[j]}" "$UP_MESH_S" mesh_ping "${LAB_SERVERS[i]}" "${LAB_SERVERS[j]}" ||
        lab_die "no mesh path ${LAB_SERVERS[i]} -> ${LAB_SERVERS[j]}"
    done
  done
  printf 'UP_SECONDS=%s\n' "$((SECONDS - t0))" >>"$LAB_STATE/plan.env"
  lab_step "up in $((SECONDS - t0)) s"
  lab_summary
}
