#!/usr/bin/env bash
# meshfwd lab: the seed's whole network (DESIGN.md 1) on one machine, in
# network namespaces, running the real meshfwd daemons, wireguard-go and
# the Linux host stack. Run through `meshfwd lab ...`, which sets MESHFWD
# to its own binary; see `meshfwd lab help`.
set -euo pipefail
[[ -n ${LAB_TRACE:-} ]] && { PS4='+$SECONDS ${FUNCNAME[0]:-} '; set -x; }

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
for lib in common plan topology tunnels daemons teardown up status demo; do
  # shellcheck source=/dev/null
  source "$LAB_DIR/lib/$lib.sh"
done

usage() {
  cat <<EOF
usage: meshfwd lab VERB [ARGS]

  up                      build the lab and wait until the mesh works; prints a summary
  down                    remove everything the lab made (also after a failed up)
  status                  the summary plus tunnel endpoints and handshakes (exit 3: down)
  exec NODE CMD...        run CMD in NODE's network namespace (the relay's name
                          resolves; bpffs pins stay visible, so meshfwd works)
  demo                    setup, up, traffic, stats, an edge failover; then down
  env                     the plan: addresses, ports and prefixes as KEY=VALUE

  daemon NODE start|stop|kill|reload   meshfwd run on a router (kill = SIGKILL)
  tunnel NODE restart     restart NODE's routing-tunnel wireguard-go, same keys
  link NODE down|up       cut / restore NODE's cable (its switch port)
  ports LO-HI             set the relay's mesh port range and reload it

Nodes: ${LAB_NODES[*]}
Environment: MESHFWD_LAB_PREFIX (default mlab, 1-6 characters) names
everything the lab makes, so two labs can coexist; LAB_ADVERT_INT sets
the edges' VRRP advert_int (default 0.2 s).
EOF
}

need_root() { ((EUID == 0)) || lab_die "run as root (namespaces, XDP and TC need it)"; }

need_node() {
  is_node "${1:-}" || lab_die "unknown node '${1:-}' (nodes: ${LAB_NODES[*]})"
}

need_router() {
  [[ ${1:-} == relay || ${1:-} == edge-[ab][12] ]] || lab_die "'${1:-}' is not a router (relay, edge-a1 ... edge-b2)"
}

# The switch port a node's cable is plugged into.
switch_of() {
  case $1 in
    relay) echo "internet relay" ;;
    isp-a | isp-b) echo "internet $1" ;;
    edge-*) echo "isp-$(site_of "$1") e$(index_of "$1")" ;;
    server-*) echo "isp-$(site_of "$1") s$(index_of "$1")" ;;
    *) lab_die "$1 has no cable" ;;
  esac
}

main() {
  validate_prefix
  local verb=${1:-help}
  shift || true
  case $verb in
    help | -h | --help) usage ;;
    up)
      need_root
      lab_lock
      lab_up
      ;;
    down)
      need_root
      lab_lock
      lab_down
      lab_say "lab '$LAB_PREFIX' is down"
      ;;
    status) need_root; lab_status ;;
    env) load_plan; grep -v '^#' "$LAB_STATE/plan.env" ;;
    exec)
      need_root
      need_node "${1:-}"
      local node=$1
      shift
      (($#)) || lab_die "exec $node: no command"
      load_plan
      # exec all the way down: CMD keeps this pid, so a signal to
      # `meshfwd lab exec` (a test stopping tcpdump) reaches CMD.
      node_argv "$node"
      exec "${NODE_ARGV[@]}" "$@"
      ;;
    daemon)
      need_root
      need_router "${1:-}"
      load_plan
      case ${2:-} in
        start) start_daemon "$1"; wait_daemon "$1" "$UP_DAEMON_S" ;;
        stop) stop_daemon "$1" TERM ;;
        kill) stop_daemon "$1" KILL ;;
        reload)
          local pid
          pid=$(pid_of "meshfwd-$1") || lab_die "$1's daemon is not running"
          kill -HUP "$pid"
          ;;
        *) lab_die "daemon $1: start|stop|kill|reload" ;;
      esac
      ;;
    tunnel)
      need_root
      need_router "${1:-}"
      [[ ${2:-} == restart ]] || lab_die "tunnel $1: restart"
      load_plan
      restart_routing_tunnel "$1"
      ;;
    link)
      need_root
      need_node "${1:-}"
      [[ ${2:-} == up || ${2:-} == down ]] || lab_die "link $1: up|down"
      local sw port
      read -r sw port <<<"$(switch_of "$1")"
      nip "$sw" link set "$port" "$2"
      ;;
    ports)
      need_root
      [[ ${1:-} =~ ^[0-9]+(-[0-9]+)?$ ]] || lab_die "ports: LO-HI, e.g. 58000-59000"
      load_plan
      write_relay_conf "$1"
      "$(lab_meshfwd)" check-config "$(conf_file relay)" >/dev/null || lab_die "port range $1 is not valid"
      kill -HUP "$(pid_of meshfwd-relay)"
      ;;
    demo)
      need_root
      lab_lock
      lab_demo
      ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
