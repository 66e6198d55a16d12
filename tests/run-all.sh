#!/bin/bash
# The README's second command: install the build dependencies declared in
# debian/control, build, and run every test with ctest (unit, integration, the
# demo, and the fault tests: network campaign, crash points — the test build
# has NXT_CRASH_POINTS on; packages never do — and resources), after
# cross-building the arm64 client and plug-ins that
# tests/integration/test_platforms.py runs under qemu-user
# (tests/cross/build-arm64.sh); then the unit and integration suites again
# under ASan+UBSan, each fuzz target for a few seconds, and the system tests
# (tests/system/run.sh: the .debs on two booted Debian 12 containers;
# tests/system/containers.sh: the container images built from those same
# .debs). .ci/run calls exactly this. Run as root on Debian 12; any failure
# exits non-zero. Both test builds use -O1 -g1 (about 40 % less compile time
# than -O2 -g, file:line kept); the packages the system tests install are
# built by dpkg-buildpackage with Debian's own flags.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
apt-get update && apt-get install -y --no-install-recommends dpkg-dev && apt-get build-dep -y ./ && cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNXT_CRASH_POINTS=ON -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" && cmake --build build && tests/cross/build-arm64.sh && ctest --test-dir build --output-on-failure -j2
# The unit and integration suites again under ASan+UBSan (-DNXT_SANITIZE=ON),
# in a second build dir; a sanitizer report anywhere, daemons included, fails
# its test (tests/CMakeLists.txt, tests/integration/nxt_harness.py). The
# `faults` label is left to the build above: it drives the same code through
# minutes of impaired pushes and crash/restart cycles, which under ASan would
# double the CI time without reaching code the suites do not. -O1 -g1: 12.5
# instead of 21.9 CPU-minutes for -O2 -g (2026-11-30), and -g1 still gives
# file:line in every report.
asan_flags="-O1 -g1 -DNDEBUG"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNXT_SANITIZE=ON \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="$asan_flags" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$asan_flags"
cmake --build build-asan
ctest --test-dir build-asan --output-on-failure -j2 -LE faults
# Every libFuzzer target (clang, only the targets and what they link) for
# NXT_FUZZ_SECONDS each on its seed corpus; a longer run: tests/fuzz/run.sh 600.
tests/fuzz/run.sh "${NXT_FUZZ_SECONDS:-10}"
# The .debs are built once, by run.sh, and kept for containers.sh.
debs=$(mktemp -d /var/tmp/nxt-debs.XXXXXX)
trap 'rm -rf "$debs"' EXIT
NXT_SYSTEST_DEBS_OUT=$debs tests/system/run.sh
NXT_SYSTEST_DEBS=$debs tests/system/containers.sh
