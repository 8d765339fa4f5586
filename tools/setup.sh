#!/usr/bin/env bash
# Installs every build, run and test dependency of meshfwd from Debian.
# Idempotent: when every package is already installed it does no apt work.
set -euo pipefail

packages=(
  # build
  build-essential dpkg-dev cmake pkg-config clang llvm bpftool
  libbpf-dev libxdp-dev libnl-3-dev libnl-route-3-dev
  libcli11-dev libgtest-dev libgmock-dev libtomlplusplus-dev libcpp-httplib-dev
  libsystemd-dev libclang-rt-14-dev linux-libc-dev
  # run and test peers
  iproute2 nftables wireguard-go wireguard-tools radvd keepalived ndisc6
  iperf3 tcpdump netsniff-ng xdp-tools gnuplot-nox prometheus util-linux
  procps iputils-ping systemd
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # --no-install-recommends keeps daemons we only use as test peers from
  # pulling in more; radvd/keepalived services are stopped below.
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Debian starts packaged daemons on install; meshfwd tests start their own
# copies inside namespaces, so the host copies must not run.
for svc in radvd keepalived prometheus prometheus-node-exporter; do
  if command -v systemctl >/dev/null && systemctl is-active -q "$svc" 2>/dev/null; then
    systemctl stop "$svc" || true
  fi
done
pkill -x radvd 2>/dev/null || true
pkill -x keepalived 2>/dev/null || true

# bpffs: mounted by systemd on most hosts, not on these machines.
if ! mountpoint -q /sys/fs/bpf; then
  mount -t bpf bpf /sys/fs/bpf
fi
