#!/bin/bash
# The README's second command: install the build dependencies declared in
# debian/control, build, and run every test (unit, integration and the demo)
# with ctest, again under ASan+UBSan, each fuzz target for a few seconds, then
# the system tests (tests/system/run.sh: the .debs on two
# booted Debian 12 containers; tests/system/containers.sh: the container images
# built from those same .debs). .ci/run calls exactly this. Run as root on
# Debian 12; any failure exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
apt-get update && apt-get install -y --no-install-recommends dpkg-dev && apt-get build-dep -y ./ && cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo && cmake --build build && ctest --test-dir build --output-on-failure -j2
# The unit and integration suites again under ASan+UBSan (-DNXT_SANITIZE=ON),
# in a second build dir; a sanitizer report anywhere, daemons included, fails
# its test (tests/CMakeLists.txt, tests/integration/nxt_harness.py). Nothing is
# excluded. -O1 -g1: 12.5 instead of 21.9 CPU-minutes for -O2 -g (2026-11-30),
# and -g1 still gives file:line in every report.
asan_flags="-O1 -g1 -DNDEBUG"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNXT_SANITIZE=ON \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="$asan_flags" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$asan_flags"
cmake --build build-asan
ctest --test-dir build-asan --output-on-failure -j2
# Every libFuzzer target (clang, only the targets and what they link) for
# NXT_FUZZ_SECONDS each on its seed corpus; a longer run: tests/fuzz/run.sh 600.
tests/fuzz/run.sh "${NXT_FUZZ_SECONDS:-15}"
# The .debs are built once, by run.sh, and kept for containers.sh.
debs=$(mktemp -d /var/tmp/nxt-debs.XXXXXX)
trap 'rm -rf "$debs"' EXIT
NXT_SYSTEST_DEBS_OUT=$debs tests/system/run.sh
NXT_SYSTEST_DEBS=$debs tests/system/containers.sh
