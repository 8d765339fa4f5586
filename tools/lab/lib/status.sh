# meshfwd lab: the summary `up` prints and `status`.

edge_role() {  # master / backup / down
  if ! pid_of "meshfwd-$1" >/dev/null; then printf 'daemon not running'; return; fi
  if holds_vip "$1"; then printf 'VRRP master, tunnel up'; else printf 'VRRP backup, tunnel down'; fi
}

handshake_age() {  # seconds since NODE's IFNAME last handshook, or "never"
  local hs
  hs=$(latest_handshake "$1" "$2")
  if [[ $hs =~ ^[0-9]+$ ]] && ((hs > 0)); then printf '%ss ago' "$(($(date +%s) - hs))"; else printf 'never'; fi
}

lab_summary() {
  load_plan
  local p=$LAB_PREFIX node site
  cat <<EOF

meshfwd lab '$p' (namespaces $p-*; state in $LAB_STATE)

  relay      $(ns_of relay): $RELAY_NAME = $RELAY_V4, $RELAY_V6; tunnel $(routing_if relay) $RELAY_TUNNEL_ADDR
             meshfwd run --role relay, ports $(grep -o '"[0-9-]*"' "$(conf_file relay)" | tr -d '"')
  isp-a      IPv4 only, masquerades 192.168.1.0/24 to 203.0.113.10 (site A)
  isp-b      IPv6 only, routes 2001:db8:b::/64 (site B)
EOF
  for site in a b; do
    printf '  site %s    %s, tunnel address %s, VIP %s\n' "${site^^}" "$(site_prefix "$site")" "$(site_tunnel_addr "$site")" "$VIP"
    for node in "edge-${site}1" "edge-${site}2"; do
      printf '    %-10s %s (%s)\n' "$node" "$(edge_role "$node")" "$(routing_if "$node")"
    done
    for node in "server-${site}1" "server-${site}2"; do
      printf '    %-10s %s, mesh %s on %s port %s\n' "$node" "$(server_addr "$node")" "$(server_mesh "$node")" \
        "$(mesh_if "$node")" "$(server_port "$node")"
    done
  done
  cat <<EOF

Try:
  meshfwd lab exec server-a1 ping -c3 $(server_mesh server-b1)      # over the mesh, through the relay
  meshfwd lab exec relay meshfwd stats                                    # the relay's counters
  meshfwd lab exec $(master_of a || echo edge-a1) meshfwd status                              # site A's active edge
  meshfwd lab link $(master_of a || echo edge-a1) down                                        # fail it over
  meshfwd lab down                                                        # remove everything
EOF
}

lab_status() {
  if [[ ! -f $LAB_STATE/plan.env ]]; then
    local left
    left=$(lab_namespaces | tr '\n' ' ')
    if [[ -n $left ]]; then lab_say "lab '$LAB_PREFIX': no state, but namespaces are left: $left(meshfwd lab down)"; return 1; fi
    lab_say "lab '$LAB_PREFIX' is down"
    return 3
  fi
  load_plan
  lab_summary
  printf '\nTunnels:\n'
  printf '  relay     %s: site A %s, site B %s\n' "$(routing_if relay)" \
    "$(node_exec relay wg show "$(routing_if relay)" endpoints 2>/dev/null | awk -v k="$(pub_key site-a)" '$1==k{print $2}')" \
    "$(node_exec relay wg show "$(routing_if relay)" endpoints 2>/dev/null | awk -v k="$(pub_key site-b)" '$1==k{print $2}')"
  local node
  for node in "${LAB_EDGES[@]}"; do
    printf '  %-9s %s: last handshake %s\n' "$node" "$(routing_if "$node")" "$(handshake_age "$node" "$(routing_if "$node")")"
  done
  for node in "${LAB_SERVERS[@]}"; do
    printf '  %-9s %s: last handshake %s\n' "$node" "$(mesh_if "$node")" "$(handshake_age "$node" "$(mesh_if "$node")")"
  done
}
