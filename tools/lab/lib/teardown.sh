# meshfwd lab: `down`. Removes everything `up` made, whatever state `up`
# reached: processes, namespaces, bpffs pins, daemon status files,
# /etc/netns/ entries, wireguard-go sockets, the state directory. Safe to
# run twice, and when nothing is up.

# Pids whose whole command line matches the extended regex $1.
pids_matching() { pgrep -f -- "$1" || true; }

kill_and_wait() {  # kill_and_wait PID...: TERM, then KILL after 5 s
  (($#)) || return 0
  kill -TERM "$@" 2>/dev/null || true
  local deadline=$((SECONDS + 5)) pid alive
  while :; do
    alive=()
    for pid in "$@"; do [[ -e /proc/$pid ]] && alive+=("$pid"); done
    ((${#alive[@]})) || return 0
    if ((SECONDS >= deadline)); then
      kill -KILL "${alive[@]}" 2>/dev/null || true
      deadline=$((SECONDS + 5))
    fi
    sleep 0.05
  done
}

lab_namespaces() { ip netns list | awk '{print $1}' | grep "^$LAB_PREFIX-" || true; }

lab_down() {
  local ns pids=() f name pid

  # 1. The daemons, then the rest we started, by pid file; each group is
  #    signalled at once and waited for together (wireguard-go takes a
  #    second or two to exit: one after the other took half a minute).
  local group
  for group in "meshfwd-*" "*"; do
    pids=()
    for f in "$LAB_STATE"/pid/$group.pid; do
      [[ -f $f ]] || continue
      name=$(basename "$f" .pid)
      pid=$(pid_of "$name") && pids+=("$pid")
      rm -f "$f"
    done
    kill_and_wait "${pids[@]}"
  done
  # 2. What a failed or interrupted `up` may have started before writing a
  #    pid file: wireguard-go on one of our interface names, meshfwd with
  #    one of our configs, and any process left inside our namespaces
  #    (they only exist for the lab, so whatever runs there is the lab's).
  mapfile -t pids < <(pids_matching "^wireguard-go -f $LAB_PREFIX-")
  kill_and_wait "${pids[@]}"
  mapfile -t pids < <(pids_matching "--config $LAB_STATE/conf/")
  kill_and_wait "${pids[@]}"
  for ns in $(lab_namespaces); do
    mapfile -t pids < <(ip netns pids "$ns" 2>/dev/null)
    kill_and_wait "${pids[@]}"
  done

  # 3. Namespaces (and with them every veth, bridge, TUN, macvlan), then
  #    what is keyed by their inodes: pins, daemon status files and the
  #    edges' saved tunnel routes (state, in /var/lib as on a real edge).
  local inodes=()
  [[ -f $LAB_STATE/inodes ]] && mapfile -t inodes <"$LAB_STATE/inodes"
  for ns in $(lab_namespaces); do
    inodes+=("$(stat -L -c %i "/var/run/netns/$ns" 2>/dev/null)")
    ip netns del "$ns"
  done
  local inode
  for inode in "${inodes[@]}"; do
    [[ $inode =~ ^[0-9]+$ ]] || continue
    rm -rf "/sys/fs/bpf/meshfwd/net$inode" "/run/meshfwd/net$inode" "/var/lib/meshfwd/net$inode"
  done
  rm -rf /etc/netns/"$LAB_PREFIX"-*
  rm -f /var/run/wireguard/"$LAB_PREFIX"-*.sock
  # Opt-in: keep the logs and configs of this lab for a post-mortem (the
  # e2e suite points this into the build's Testing directory).
  if [[ -n ${MESHFWD_LAB_KEEP_LOGS:-} && -d $LAB_STATE/log ]]; then
    local keep
    keep=$MESHFWD_LAB_KEEP_LOGS/$LAB_PREFIX-$(date -u +%Y%m%dT%H%M%SZ)
    mkdir -p "$keep" && cp -r "$LAB_STATE/log" "$LAB_STATE/conf" "$LAB_STATE/plan.env" "$keep/" 2>/dev/null || true
  fi
  rm -rf "$LAB_STATE"

  local left
  left=$(lab_namespaces)
  [[ -z $left ]] || lab_die "namespaces still present after down: $left"
}
