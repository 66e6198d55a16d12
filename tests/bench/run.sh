#!/bin/bash
# The side-by-side transfer benchmark, from one command (as root, Debian 12):
# installs what it compares nxt with if missing (uftp, atftp + atftpd, curl,
# nginx-light; GNU time for peak RSS; strace and perf for the nxt rows), builds
# nxt in Release into build-bench, then runs tests/bench/bench.py, which prints
# one markdown table and writes it to build-bench/bench-results.md.
#
#   tests/bench/run.sh                      everything: 5 tools x 1/16/128 MiB x
#                                           loopback/lossy, median of 5, plus the
#                                           fan-out, hot-reload and idle rows
#   tests/bench/run.sh --quick              3 rounds, 16 and 128 MiB, loopback, no extras
#   tests/bench/run.sh --only nxt,curl --sizes 128 --scenarios loopback
#   tests/bench/run.sh --extras-only        fan-out, hot reload, idle client
#   tests/bench/run.sh --profile            perf of one 128 MiB loopback nxt push
#   tests/bench/run.sh --help               every option
#   BUILD_DIR=dir                           another build directory
#
# Not a test and not in CI: it measures, it asserts nothing about timings.
# It fails only when a tool cannot be installed or nxt cannot be built; a
# transfer that fails or times out is a row saying so.
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${BUILD_DIR:-build-bench}
[ "$(id -u)" = 0 ] || { echo "run.sh: needs root (network namespaces, TUN devices, apt-get)" >&2; exit 2; }

need=()
for pair in uftp:uftp uftpd:uftp atftp:atftp atftpd:atftpd curl:curl nginx:nginx-light \
            /usr/bin/time:time strace:strace perf:linux-perf ip:iproute2 ss:iproute2; do
  command -v "${pair%%:*}" >/dev/null || need+=("${pair#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "run.sh: installing ${need[*]}" >&2
  # Installing must not start atftpd, nginx or uftpd as system services: a
  # policy-rc.d that refuses, only if none is in place, removed afterwards.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT  # also when the install fails
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  if trap -p EXIT | grep -q policy-rc.d; then rm -f /usr/sbin/policy-rc.d; trap - EXIT; fi
fi

if [ ! -f "$B/CMakeCache.txt" ]; then
  launcher=()
  if command -v ccache >/dev/null; then
    launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  fi
  cmake -S . -B "$B" -G Ninja -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" >/dev/null
fi
echo "run.sh: building nxt (Release) in $B" >&2
nice cmake --build "$B" -j2 --target nxt-serverd nxt-clientd nxtctl nxt_plugins nxt-linkemu >/dev/null
exec python3 tests/bench/bench.py --build "$B" "$@"
