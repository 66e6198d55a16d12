#!/bin/bash
# The README's second command: install the build dependencies declared in
# debian/control, build, and run every test (unit, integration and the demo)
# with ctest — after cross-building the arm64 client and plug-ins that
# tests/integration/test_platforms.py runs under qemu-user
# (tests/cross/build-arm64.sh) — then the system tests (tests/system/run.sh: the .debs on two
# booted Debian 12 containers; tests/system/containers.sh: the container images
# built from those same .debs). .ci/run calls exactly this. Run as root on
# Debian 12; any failure exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
apt-get update && apt-get install -y --no-install-recommends dpkg-dev && apt-get build-dep -y ./ && cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo && cmake --build build && tests/cross/build-arm64.sh && ctest --test-dir build --output-on-failure -j2
# The .debs are built once, by run.sh, and kept for containers.sh.
debs=$(mktemp -d /var/tmp/nxt-debs.XXXXXX)
trap 'rm -rf "$debs"' EXIT
NXT_SYSTEST_DEBS_OUT=$debs tests/system/run.sh
NXT_SYSTEST_DEBS=$debs tests/system/containers.sh
