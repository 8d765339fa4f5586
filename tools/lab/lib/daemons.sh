# meshfwd lab: each router's /etc/meshfwd/meshfwd.toml (here in
# $LAB_STATE/conf/NODE.toml), its input firewall from `meshfwd
# render-nft`, and `meshfwd run` as its daemon.

conf_file() { printf '%s/conf/%s.toml' "$LAB_STATE" "$1"; }

write_relay_conf() {  # write_relay_conf [PORT_RANGE]
  mkdir -p "$LAB_STATE/conf"
  cat >"$(conf_file relay)" <<EOF
# meshfwd lab relay: /etc/meshfwd/meshfwd.toml on the real relay (VPS).
role = "relay"

[interfaces]
uplink = "eth0"
uplink_mtu = $UPLINK_MTU
tunnel = "$(routing_if relay)"
tunnel_listen_port = $RELAY_WG_PORT

[mesh]
prefix = "$MESH_PREFIX"
port_range = "${1:-$PORT_RANGE}"

[guard]
enabled = true

[metrics]
listen = "127.0.0.1:9469"
EOF
}

write_edge_conf() {  # write_edge_conf NODE
  local node=$1 site idx priority vrid
  site=$(site_of "$node")
  idx=$(index_of "$node")
  priority=$((idx == 1 ? 200 : 100))  # edge-X1 is the site's preferred router
  vrid=$([[ $site == a ]] && echo 10 || echo 20)
  mkdir -p "$LAB_STATE/conf"
  cat >"$(conf_file "$node")" <<EOF
# meshfwd lab $node: /etc/meshfwd/meshfwd.toml on the real edge router of
# site ${site^^}. It replaces the seed's radvd.conf ([ra]), keepalived.conf
# ([vrrp]) and forward chains; the routing tunnel stays in wgvpnr01.conf.
role = "edge"

[interfaces]
lan = "eth0"            # single NIC: the site link is also the way out
tunnel = "$(routing_if "$node")"
tunnel_listen_port = $EDGE_WG_PORT

[mesh]
prefix = "$MESH_PREFIX"
site_prefix = "$(site_prefix "$site")"
port_range = "$PORT_RANGE"

[vrrp]
virtual_router_id = $vrid
priority = $priority
advert_int = ${LAB_ADVERT_INT:-0.2}
preempt = true
virtual_address = "$VIP"
relay_endpoint = "$RELAY_NAME:$RELAY_WG_PORT"

[ra]
# The seed's radvd.conf: 10-30 s, router lifetime 0, reachable 600000 ms,
# the /48 as a high-preference route; the source is the VIP.
min_rtr_adv_interval = 10
max_rtr_adv_interval = 30
adv_default_lifetime = 0
adv_reachable_time = 600000
adv_route_preference = "high"

[metrics]
listen = "127.0.0.1:9469"
EOF
}

# The input firewall, as the README installs it on real hosts.
load_input_firewall() {  # load_input_firewall NODE ROLE
  "$(lab_meshfwd)" render-nft --role "$2" --config "$(conf_file "$1")" >"$LAB_STATE/conf/$1.nft"
  node_exec "$1" nft -f "$LAB_STATE/conf/$1.nft"
}

start_daemon() {  # start_daemon NODE
  local node=$1 conf
  conf=$(conf_file "$node")
  "$(lab_meshfwd)" check-config "$conf" >/dev/null || lab_die "$conf does not check"
  node_argv "$node"
  spawn "meshfwd-$node" "$conf" "${NODE_ARGV[@]}" "$(lab_meshfwd)" run --config "$conf"
}

daemon_running() {  # our daemon (this pid: not a killed one's stale status file) says "running"
  local pid
  pid=$(pid_of "meshfwd-$1") &&
    node_exec "$1" "$(lab_meshfwd)" status --json 2>/dev/null | grep -q "\"pid\":$pid,\"state\":\"running\""
}

wait_daemon() {  # wait_daemon NODE SECONDS
  wait_for "meshfwd run on $1 to attach and report running" "$2" daemon_running "$1" || {
    tail -n 20 "$LAB_STATE/log/meshfwd-$1.log" >&2
    return 1
  }
}

stop_daemon() { stop_process "meshfwd-$1" "${2:-TERM}"; }

# The VRRP master of a site: the edge holding the VIP.
holds_vip() { nip "$1" -6 -o addr show | grep -q " $VIP/128 "; }
master_of() {  # master_of SITE: edge-X1 / edge-X2, or nothing
  local n
  for n in "edge-${1}1" "edge-${1}2"; do holds_vip "$n" && { printf '%s' "$n"; return 0; }; done
  return 1
}
one_master() {  # exactly one edge of SITE holds the VIP
  local count=0 n
  for n in "edge-${1}1" "edge-${1}2"; do holds_vip "$n" && count=$((count + 1)); done
  ((count == 1))
}
