# Shell helpers for tools/demo.sh: namespaces, veths, wireguard-go tunnels,
# and a packet watcher. Sourced, not run. Every name starts with
# $DEMO_PREFIX so the clean-up can find all of it.
#
# Namespaces are entered two ways on purpose (DESIGN.md 5): `ip netns exec`
# for ordinary tools (wg, ping, tcpdump), and `nsenter --net` for meshfwd,
# because `ip netns exec` remounts /sys and hides the bpffs pins.

DEMO_PREFIX=${DEMO_PREFIX:-mfd}
DEMO_WORK=/tmp/meshfwd-demo
declare -a DEMO_PIDS=()

in_ns() {  # in_ns NS CMD...: ordinary tools inside a namespace
  local ns=$1; shift
  ip netns exec "$ns" "$@"
}

meshfwd_in() {  # meshfwd_in NS ARGS...: the meshfwd CLI inside a namespace
  local ns=$1; shift
  nsenter --net="/var/run/netns/$ns" "$MESHFWD" "$@"
}

ns_create() {  # ns_create NAME
  ip netns add "$1"
  ip -n "$1" link set lo up
}

# wg_start NS IFNAME [LISTEN_PORT]: starts wireguard-go in the foreground
# (so its pid is ours to stop), waits for its control socket, sets a fresh key.
wg_start() {
  local ns=$1 ifname=$2 port=${3:-}
  mkdir -p "$DEMO_WORK"
  ip netns exec "$ns" wireguard-go -f "$ifname" >"$DEMO_WORK/$ifname.log" 2>&1 &
  DEMO_PIDS+=($!)
  wait_for "wireguard-go's socket for $ifname" 10 test -S "/var/run/wireguard/$ifname.sock"
  wg genkey >"$DEMO_WORK/$ifname.key"
  chmod 600 "$DEMO_WORK/$ifname.key"
  in_ns "$ns" wg set "$ifname" private-key "$DEMO_WORK/$ifname.key" ${port:+listen-port "$port"}
}

wg_pubkey() {  # wg_pubkey IFNAME
  wg pubkey <"$DEMO_WORK/$1.key"
}

# wait_for DESCRIPTION SECONDS CMD...: polls CMD every 50 ms until it
# succeeds; fails with DESCRIPTION when it never does.
wait_for() {
  local what=$1 seconds=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      echo "demo: gave up after ${seconds}s waiting for: $what" >&2
      return 1
    fi
    sleep 0.05
  done
}

# watch_start NS IFNAME FILTER: captures the first matching packet in the
# background; watch_result prints it (or "nothing") once it came or 3 s passed.
watch_start() {
  local ns=$1 ifname=$2 filter=$3
  WATCH_OUT="$DEMO_WORK/watch.$RANDOM"
  in_ns "$ns" timeout 3 tcpdump -l -n -c 1 -i "$ifname" "$filter" >"$WATCH_OUT" 2>"$WATCH_OUT.err" &
  WATCH_PID=$!
  wait_for "tcpdump to listen on $ifname" 5 grep -q "listening on" "$WATCH_OUT.err"
}

watch_result() {
  wait "$WATCH_PID" || true
  if [[ -s $WATCH_OUT ]]; then
    sed 's/^/    /' "$WATCH_OUT"
  else
    echo "    (nothing arrived)"
  fi
}

# udp_send NS DST PORT TEXT: one datagram through bash's /dev/udp.
udp_send() {
  in_ns "$1" bash -c "echo '$4' >/dev/udp/$2/$3"
}

# Removes everything named $DEMO_PREFIX-*: stops our wireguard-go processes
# by pid, detaches meshfwd, deletes the namespaces (and with them every veth
# and TUN), removes leftover control sockets.
demo_cleanup() {
  local ns pid
  for ns in $(ip netns list | awk '{print $1}' | grep "^$DEMO_PREFIX-" || true); do
    meshfwd_in "$ns" detach >/dev/null 2>&1 || true
  done
  # Ours from this run by pid, and those an interrupted earlier run of the
  # demo left (wireguard-go started on one of our interface names).
  for pid in "${DEMO_PIDS[@]}" $(pgrep -f "^wireguard-go -f $DEMO_PREFIX-" || true); do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${DEMO_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  for ns in $(ip netns list | awk '{print $1}' | grep "^$DEMO_PREFIX-" || true); do
    ip netns del "$ns"
  done
  rm -f /var/run/wireguard/"$DEMO_PREFIX"-*.sock
}
