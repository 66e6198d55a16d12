#!/bin/sh
# Builds every libFuzzer target (tests/fuzz, fuzz_<name>) with clang and runs
# each for N seconds (default 30) on its seed corpus tests/fuzz/corpus/<name>/,
# or, if that does not exist, the longest existing prefix of <name> cut at
# '_' (fuzz_wire_decode -> corpus/wire_decode/, else corpus/wire/).
# New inputs go to build-fuzz/fuzz-corpus/<name>/ (not the committed corpus);
# crashes to build-fuzz/fuzz-artifacts/. Exits non-zero if any target fails.
#
#   tests/fuzz/run.sh [seconds]
#   NXT_FUZZ_BUILD_DIR=... NXT_SOURCE_DIR=... tests/fuzz/run.sh 60
set -eu

secs=${1:-30}
here=$(cd "$(dirname "$0")" && pwd)
root=${NXT_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
build=${NXT_FUZZ_BUILD_DIR:-$root/build-fuzz}
jobs=${NXT_FUZZ_JOBS:-2}

# The whole project is instrumented (coverage + ASan + UBSan) so libFuzzer
# sees the branches in nxt_wire and the generated protobuf code, not only in
# the target's own file. Only fuzz targets are built.
san="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer"
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja \
  -DNXT_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_FLAGS="$san" -DCMAKE_CXX_FLAGS="$san" >/dev/null

targets=$(cmake --build "$build" --target help | sed -n 's/^\(fuzz_[A-Za-z0-9_]*\):.*/\1/p' | sort -u)
if [ -z "$targets" ]; then
  echo "run.sh: no fuzz_* targets configured" >&2
  exit 1
fi
# shellcheck disable=SC2086
cmake --build "$build" --target $targets -j "$jobs"

status=0
for name in $targets; do
  bin=$(find "$build" -type f -name "$name" -perm -u+x | head -n 1)
  short=${name#fuzz_}
  seeds=""
  try=$short
  while :; do
    if [ -d "$here/corpus/$try" ]; then seeds="$here/corpus/$try"; break; fi
    case $try in *_*) try=${try%_*} ;; *) break ;; esac
  done
  work="$build/fuzz-corpus/$short"
  mkdir -p "$work" "$build/fuzz-artifacts"
  [ -n "$seeds" ] || echo "run.sh: warning: $name has no seed corpus under $here/corpus/" >&2
  echo "== $name: ${secs}s on $work ${seeds:+and $seeds}"
  # shellcheck disable=SC2086
  if ! "$bin" -max_total_time="$secs" -max_len=1400 -print_final_stats=1 \
      -artifact_prefix="$build/fuzz-artifacts/$name-" "$work" $seeds; then
    echo "run.sh: $name FAILED (see $build/fuzz-artifacts/)" >&2
    status=1
  fi
done
exit $status
