# meshfwd lab: `demo`, the README's main job. Set-up, `up`, then real
# traffic between the sites over the servers' WireGuard mesh, the two
# things the policy refuses, every router's counters, and an edge
# failover under traffic with its loss window. `down` runs on exit, also
# after a failure or Ctrl-C (MESHFWD_LAB_KEEP=1 leaves the lab up).

demo_say() { printf '   %s\n' "$*"; }
demo_indent() { sed 's/^/    /'; }

demo_setup() {
  local setup=$LAB_DIR/../setup.sh  # the source tree's tools/setup.sh
  if [[ -f $setup ]]; then
    bash "$setup"
  else
    local missing=() c
    for c in wireguard-go wg nft iperf3 tcpdump ping nsenter unshare; do command -v "$c" >/dev/null || missing+=("$c"); done
    ((${#missing[@]} == 0)) || lab_die "missing: ${missing[*]} (Debian: wireguard-go wireguard-tools nftables iperf3 tcpdump iputils-ping util-linux)"
  fi
}

# The loss window of a `ping -D` log: the longest gap between two replies,
# minus the interval (0 when nothing was lost). Prints "<ms> <lost>".
loss_window() {  # loss_window LOG INTERVAL_S
  awk -v iv="$2" '
    /bytes from/ && match($0, /^\[[0-9.]+\]/) {
      t = substr($0, 2, RLENGTH - 2) + 0
      if (match($0, /icmp_seq=[0-9]+/)) seq = substr($0, RSTART + 9, RLENGTH - 9) + 0
      if (n++) { gap = t - last; if (gap > worst) { worst = gap; lost = seq - lastseq - 1 } }
      last = t; lastseq = seq
    }
    END { w = worst - iv; if (w < 0) w = 0; printf "%d %d\n", w * 1000, lost }' "$1"
}

lab_demo() {
  lab_step "1. Set-up (tools/setup.sh: Debian packages, bpffs)"
  demo_setup
  if [[ ${MESHFWD_LAB_KEEP:-0} != 1 ]]; then
    trap 'lab_step "9. Down: removing the lab"; lab_down; lab_say "lab down"' EXIT
  fi

  lab_step "2. Up: relay, two sites (IPv4 NAT / IPv6 only), 4 edges, 4 servers"
  lab_up
  local a1 b1 ma1 mb1 master_a master_b
  a1=$(server_addr server-a1)
  b1=$(server_addr server-b1)
  ma1=$(server_mesh server-a1)
  mb1=$(server_mesh server-b1)
  master_a=$(master_of a) || lab_die "site A has no master"
  master_b=$(master_of b) || lab_die "site B has no master"

  lab_step "3. ping server-a1 -> server-b1 over the mesh ($ma1 -> $mb1)"
  node_exec server-a1 ping -c 5 -i 0.2 "$mb1" | demo_indent

  lab_step "4. iperf3 server-a1 -> server-b1 over the mesh: TCP, then UDP"
  spawn iperf3-b1 "iperf3 -s -B $mb1" nsenter --net="/var/run/netns/$(ns_of server-b1)" -- iperf3 -s -B "$mb1"
  wait_for "iperf3 to listen on server-b1" 10 node_exec server-b1 sh -c "ss -Hltn | grep -q ':5201'"
  node_exec server-a1 iperf3 -c "$mb1" -B "$ma1" -t 3 -f m | grep -E 'sender|receiver' | demo_indent
  node_exec server-a1 iperf3 -c "$mb1" -B "$ma1" -u -b 20M -t 3 -f m | grep -E 'sender|receiver' | demo_indent
  demo_say "(every packet: server-a1's WireGuard -> edge XDP/TC -> routing tunnel -> relay TC -> site B -> server-b1)"

  lab_step "5. Refused by policy"
  demo_say "a) hairpin: server-a1 sends to its neighbour server-a2 through the edge (a route a host should not have)"
  node_exec server-a1 ip -6 route add "$(server_addr server-a2)/128" via "$VIP" dev eth0
  node_exec server-a1 ping -c 1 -W 2 "$(server_addr server-a2)" | grep -E 'From|transmitted' | demo_indent || true
  node_exec server-a1 ip -6 route del "$(server_addr server-a2)/128"
  demo_say "b) UDP to server-b1 on port 9000, outside the mesh range $PORT_RANGE: the relay answers"
  local log=$LAB_STATE/log/demo-refused.txt
  node_exec server-a1 timeout 5 tcpdump -l -n -c 1 -i eth0 "icmp6 and ip6[40] == 1" >"$log" 2>"$log.err" &
  local watcher=$!
  wait_for "tcpdump to listen on server-a1" 5 grep -q "listening on" "$log.err"
  node_exec server-a1 bash -c "echo refused >/dev/udp/$b1/9000"
  wait "$watcher" || true
  demo_indent <"$log"

  lab_step "6. meshfwd stats: the relay, then the active edges $master_a and $master_b"
  for node in relay "$master_a" "$master_b"; do
    printf '    --- %s\n' "$node"
    node_exec "$node" "$(lab_meshfwd)" stats | awk 'NR == 1 || $3 != 0' | demo_indent
  done

  lab_step "7. Edge failover under traffic: cut $master_a's cable during a 20 ms ping stream"
  local pinglog=$LAB_STATE/log/demo-failover.txt backup
  node_exec server-a1 ping -D -i 0.02 -W 1 -c 400 "$mb1" >"$pinglog" 2>&1 &
  local pinger=$!
  wait_for "the stream to flow" 10 grep -q "bytes from" "$pinglog"
  sleep 1  # a second of traffic before the cut, for the report
  nip "$(switch_of_node "$master_a")" link set "$(switch_port_of "$master_a")" down
  wait_for "the backup to take over" 10 sh -c "ip -n $(ns_of edge-a1) -6 -o addr show | grep -q ' $VIP/128 ' || ip -n $(ns_of edge-a2) -6 -o addr show | grep -q ' $VIP/128 '"
  backup=$(master_of a) || true
  wait "$pinger" || true
  local window lost
  read -r window lost < <(loss_window "$pinglog" 0.02)
  demo_say "$(grep -E 'transmitted' "$pinglog")"
  demo_say "site A is now served by ${backup:-?}; loss window ${window} ms ($lost pings lost)"
  demo_say "server-a1's mesh route: $(node_exec server-a1 ip -6 route show "$MESH_PREFIX" | head -1)"
  nip "$(switch_of_node "$master_a")" link set "$(switch_port_of "$master_a")" up
  demo_say "$master_a's cable is back; with preemption it takes site A over again"

  lab_step "8. Done. The lab is removed now; keep it with MESHFWD_LAB_KEEP=1 meshfwd lab demo"
}

# The switch and port of an edge's cable (as `meshfwd lab link` uses).
switch_of_node() { printf 'isp-%s' "$(site_of "$1")"; }
switch_port_of() { printf 'e%s' "$(index_of "$1")"; }
