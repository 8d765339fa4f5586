#!/usr/bin/env bash
# meshfwd in a few minutes, the README's main job: installs what it needs,
# builds, and runs `meshfwd lab demo`, the seed's whole network in network
# namespaces on this machine (tools/lab/):
#
#   relay (meshfwd run --role relay) on an "internet" bridge, reached by name;
#   site A behind an IPv4 NAT and site B on IPv6 only, each with an ISP
#   router, two edge routers (meshfwd run --role edge: datapath, VRRP, RA)
#   and two servers (SLAAC from our RAs, a WireGuard mesh to every server).
#
# It sends ping and iperf3 between the sites over the servers' mesh, a
# hairpin and a refused port, prints every router's counters, fails an edge
# over under traffic and prints the loss window, then removes everything
# (also on failure or Ctrl-C). MESHFWD_LAB_KEEP=1 keeps the lab up to play
# with (`meshfwd lab status`, `meshfwd lab exec NODE CMD`, `meshfwd lab down`).
set -euo pipefail
cd "$(dirname "$0")/.."

if ((EUID != 0)); then
  echo "demo: run as root (namespaces, XDP and TC need it): sudo $0" >&2
  exit 1
fi

printf '\033[1m== Dependencies (tools/setup.sh; does nothing when all are present)\033[0m\n'
bash tools/setup.sh

build=${MESHFWD_BUILD_DIR:-build}
printf '\033[1m== Build (cmake into %s/)\033[0m\n' "$build"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" --target meshfwd

exec "$build/tools/meshfwd" lab demo
