# meshfwd lab: names, the state directory, entering nodes, waiting.
# Sourced by tools/lab/meshfwd-lab.sh; nothing here changes the system.
#
# Every name the lab creates starts with "$LAB_PREFIX-": namespaces
# ($LAB_PREFIX-relay, $LAB_PREFIX-edge-a1, ...), WireGuard interfaces
# (their control sockets share /var/run/wireguard machine-wide), the
# /etc/netns/ directories. Everything else lives in $LAB_STATE, so `down`
# finds all of it even when `up` failed half way.

LAB_PREFIX=${MESHFWD_LAB_PREFIX:-mlab}
LAB_STATE_ROOT=${MESHFWD_LAB_STATE_ROOT:-/run/meshfwd-lab}
LAB_STATE=$LAB_STATE_ROOT/$LAB_PREFIX

# The lab's nodes. The internet bridge and the ISP routers are nodes too,
# so `lab exec isp-a nft list ruleset` works.
LAB_EDGES=(edge-a1 edge-a2 edge-b1 edge-b2)
LAB_SERVERS=(server-a1 server-a2 server-b1 server-b2)
LAB_NODES=(internet relay isp-a isp-b "${LAB_EDGES[@]}" "${LAB_SERVERS[@]}")

RELAY_NAME=relay.meshfwd.test  # RFC 2606 .test: never resolves outside the lab
RELAY_WG_PORT=51820
EDGE_WG_PORT=51820
UPLINK_MTU=1500
ROUTING_MTU=$((UPLINK_MTU - 80))  # DESIGN.md 1
MESH_MTU=$((ROUTING_MTU - 80))
PORT_RANGE=58000-60000
VIP=fe80::1

lab_say() { printf '%s\n' "$*"; }
lab_step() { [[ ${LAB_QUIET:-0} == 1 ]] || printf '\033[1m== %s\033[0m\n' "$*"; }
lab_info() { [[ ${LAB_QUIET:-0} == 1 ]] || printf '   %s\n' "$*"; }
lab_die() {
  printf 'meshfwd lab: error: %s\n' "$*" >&2
  exit 1
}

validate_prefix() {
  [[ $LAB_PREFIX =~ ^[a-z][a-z0-9]{0,5}$ ]] ||
    lab_die "MESHFWD_LAB_PREFIX '$LAB_PREFIX' must be 1-6 lower-case letters/digits starting with a letter (interface names are at most 15 characters)"
}

ns_of() { printf '%s-%s' "$LAB_PREFIX" "$1"; }

is_node() {
  local n
  for n in "${LAB_NODES[@]}"; do [[ $n == "$1" ]] && return 0; done
  return 1
}

# The site letter and index of an edge or server: edge-a1 -> a 1.
site_of() { local n=${1##*-}; printf '%s' "${n:0:1}"; }
index_of() { local n=${1##*-}; printf '%s' "${n:1:1}"; }

# WireGuard interface names: unique machine-wide (DESIGN.md 5), <= 15 chars.
routing_if() {  # relay or edge-XN
  if [[ $1 == relay ]]; then printf '%s-rt' "$LAB_PREFIX"; else printf '%s-rt-%s' "$LAB_PREFIX" "${1##*-}"; fi
}
mesh_if() { printf '%s-mesh-%s' "$LAB_PREFIX" "${1##*-}"; }

# node_exec NODE CMD...: runs CMD in NODE's network namespace with
# NODE's /etc/netns/<ns>/hosts as /etc/hosts (so the relay's name
# resolves, as under `ip netns exec`), but without `ip netns exec`'s
# remount of /sys, which would hide the bpffs pins meshfwd needs
# (DESIGN.md 5). The mount namespace is private to CMD.
node_exec() {
  local node=$1; shift
  node_argv "$node" || exit 1
  "${NODE_ARGV[@]}" "$@"
}

# node_argv NODE: sets NODE_ARGV to the command prefix node_exec uses, for
# spawn (which needs a program, not a shell function).
node_argv() {
  local ns
  ns=$(ns_of "$1")
  [[ -e /var/run/netns/$ns ]] || lab_die "node $1 is not up (no namespace $ns)"
  local hosts=/etc/netns/$ns/hosts
  NODE_ARGV=(nsenter --net="/var/run/netns/$ns" --)
  if [[ -f $hosts ]]; then
    NODE_ARGV+=(unshare --mount --propagation private --
      /bin/sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$hosts")
  fi
}

# ip -n for the common case.
nip() { local node=$1; shift; ip -n "$(ns_of "$node")" "$@"; }
nsysctl() { local node=$1; shift; ip netns exec "$(ns_of "$node")" sysctl -qw "$@" >/dev/null; }

# wait_for DESCRIPTION SECONDS CMD...: polls CMD every 100 ms until it
# succeeds; fails naming DESCRIPTION when the deadline passes.
wait_for() {
  local what=$1 seconds=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      printf 'meshfwd lab: gave up after %ss waiting for: %s\n' "$seconds" "$what" >&2
      return 1
    fi
    sleep 0.1
  done
}

# Background processes: started detached (setsid) so they outlive the
# `up` command, logged to $LAB_STATE/log/NAME.log, remembered by pid in
# $LAB_STATE/pid/NAME.pid together with a word that must appear in their
# command line before `down` signals them (a recycled pid is never ours).
spawn() {  # spawn NAME MARKER CMD...
  local name=$1 marker=$2; shift 2
  mkdir -p "$LAB_STATE/log" "$LAB_STATE/pid"
  # 9>&-: the lab lock's fd must not outlive this command in the daemons.
  setsid "$@" </dev/null >>"$LAB_STATE/log/$name.log" 2>&1 9>&- &
  printf '%s %s\n' "$!" "$marker" >"$LAB_STATE/pid/$name.pid"
}

# pid_of NAME: the pid if it is still our process, else nothing.
pid_of() {
  local f=$LAB_STATE/pid/$1.pid pid marker
  [[ -f $f ]] || return 1
  read -r pid marker <"$f" || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$marker" || return 1
  printf '%s' "$pid"
}

# stop_process NAME [SIGNAL]: signals our process and waits for it to go
# (SIGKILL after 5 s).
stop_process() {
  local name=$1 sig=${2:-TERM} pid
  pid=$(pid_of "$name") || { rm -f "$LAB_STATE/pid/$name.pid"; return 0; }
  kill -"$sig" "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 5))
  while [[ -e /proc/$pid ]] && ((SECONDS < deadline)); do sleep 0.05; done
  [[ -e /proc/$pid ]] && kill -KILL "$pid" 2>/dev/null
  while [[ -e /proc/$pid ]]; do sleep 0.05; done
  rm -f "$LAB_STATE/pid/$name.pid"
}

# The lab's meshfwd binary: the one that exec'd us, else the one on PATH.
lab_meshfwd() { printf '%s' "${MESHFWD:-$(command -v meshfwd)}"; }

# One `up`/`down` at a time per prefix.
lab_lock() {
  mkdir -p /run/lock
  exec 9>"/run/lock/meshfwd-lab-$LAB_PREFIX.lock"
  flock -w 600 9 || lab_die "another meshfwd lab command holds /run/lock/meshfwd-lab-$LAB_PREFIX.lock"
}

# The plan (addresses, ports) as shell variables, written by `up`.
load_plan() {
  [[ -f $LAB_STATE/plan.env ]] || lab_die "no lab '$LAB_PREFIX' is up (run: meshfwd lab up)"
  # shellcheck source=/dev/null
  source "$LAB_STATE/plan.env"
}
