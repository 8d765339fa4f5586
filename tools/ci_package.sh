#!/usr/bin/env bash
# Package check (issue 5, "Install and package"): builds the .deb from an
# existing build dir with CPack, installs it with dpkg, runs the installed
# binary on the installed examples, then purges the package so the machine
# is left as it was. Exits non-zero on any failure. Needs root (dpkg).
#
#   tools/ci_package.sh [BUILD_DIR]     (default: $MESHFWD_BUILD_DIR or build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-${MESHFWD_BUILD_DIR:-build}}

fail() { echo "ci_package: $*" >&2; exit 1; }
[[ -f $build/CMakeCache.txt ]] || fail "$build is not a configured build dir"
# Refuse to touch an operator's install: purging at the end would remove it.
if dpkg-query -W -f='${Status}' meshfwd 2>/dev/null | grep -q 'installed'; then
  fail "a meshfwd package is already installed; not replacing it"
fi

# The package layout (tools/packaging.cmake): binary in /usr/sbin, examples
# in /etc. Only the install rules change; nothing is recompiled.
cmake -S . -B "$build" -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_INSTALL_SYSCONFDIR=/etc >/dev/null
out=$(mktemp -d)
installed=0
cleanup() {
  if ((installed)); then dpkg --purge meshfwd >/dev/null || echo "ci_package: purge failed" >&2; fi
  rm -rf "$out"
}
trap cleanup EXIT

(cd "$build" && cpack -G DEB -B "$out" >/dev/null) || fail "cpack failed"
debs=("$out"/meshfwd_*.deb)
[[ -f ${debs[0]} && ${#debs[@]} -eq 1 ]] || fail "expected one meshfwd_*.deb in $out, found: ${debs[*]}"
deb=${debs[0]}
echo "ci_package: built $(basename "$deb")"

# What the package must carry and declare, checked before installing it.
contents=$(dpkg-deb --contents "$deb")
for path in ./usr/sbin/meshfwd ./usr/lib/systemd/system/meshfwd-relay.service \
            ./usr/lib/systemd/system/meshfwd-edge.service \
            ./etc/meshfwd/examples/relay.toml ./etc/meshfwd/examples/edge.toml; do
  grep -q " $path\$" <<<"$contents" || fail "$path missing from the package"
done
depends=$(dpkg-deb --field "$deb" Depends)
for dep in libbpf libnl-3 libnl-route-3 libsystemd iproute2 wireguard-tools; do
  grep -q "$dep" <<<"$depends" || fail "Depends lacks $dep: $depends"
done

dpkg -i "$deb" >/dev/null || fail "dpkg -i failed"
installed=1
dpkg-query -W -f='${Status}' meshfwd | grep -q '^install ok installed$' || fail "package not installed after dpkg -i"

version=$(/usr/sbin/meshfwd --version) || fail "installed meshfwd --version failed"
grep -q "$(dpkg-deb --field "$deb" Version)" <<<"$version" ||
  fail "installed binary says '$version', the package is $(dpkg-deb --field "$deb" Version)"
echo "ci_package: $version"
for role in relay edge; do
  /usr/sbin/meshfwd check-config /etc/meshfwd/examples/$role.toml || fail "check-config on the installed $role example"
done

dpkg --purge meshfwd >/dev/null || fail "dpkg --purge failed"
installed=0
# Left as it was: no package record, no file of it behind.
if dpkg-query -W -f='${Status}' meshfwd 2>/dev/null | grep -q 'installed'; then fail "still installed after purge"; fi
for path in /usr/sbin/meshfwd /usr/lib/systemd/system/meshfwd-relay.service \
            /usr/lib/systemd/system/meshfwd-edge.service /etc/meshfwd/examples; do
  [[ ! -e $path ]] || fail "$path left behind after purge"
done
echo "ci_package: ok (built, installed, ran, purged)"
