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
  # radvd, keepalived and prometheus are only test peers: the tests start
  # their own copies inside namespaces. Debian would start the packaged
  # services on install, so a policy-rc.d forbids that for this install
  # alone. Daemons already running on the host are none of our business
  # and are left alone (they cannot reach the test namespaces).
  policy=/usr/sbin/policy-rc.d ours=
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    ours=1
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [[ -n $ours ]]; then
    rm -f "$policy"
    trap - EXIT
  fi
fi

# bpffs: mounted by systemd on most hosts, not on these machines.
if ! mountpoint -q /sys/fs/bpf; then
  mount -t bpf bpf /sys/fs/bpf
fi
