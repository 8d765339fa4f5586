#!/usr/bin/env bash
# The README's test command: install dependencies, build, run every test
# (unit, BPF packet tests, namespace tests). Needs root for the last two.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/setup.sh
build=${MESHFWD_BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)"

# Namespace tests are RUN_SERIAL; the rest run two at a time.
ctest --test-dir "$build" --output-on-failure -j2 "$@"

# Package check: build the .deb, dpkg -i it, run the installed binary, purge it.
bash tools/ci_package.sh "$build"
