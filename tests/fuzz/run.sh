#!/bin/sh
# Builds every libFuzzer target (tests/fuzz, fuzz_<name>) with clang and runs
# each for N seconds (default 30) on its seed corpus tests/fuzz/corpus/<name>/,
# or, if that does not exist, the longest existing prefix of <name> cut at
# '_' (fuzz_wire_decode -> corpus/wire_decode/, else corpus/wire/).
# New inputs go to build-fuzz/fuzz-corpus/<name>/ (not the committed corpus);
# crashes to build-fuzz/fuzz-artifacts/, each target's whole output to
# build-fuzz/fuzz-logs/<name>.log. Prints one line per target: executions,
# and libFuzzer's coverage (cov: edges, ft: features) once the seeds are
# loaded (INITED) and at the end (DONE), so a target that never gets past
# its input's first check shows up as coverage that does not grow. On a
# failure it prints the end of that target's log (the crash report). Exits
# non-zero if any target fails. CI (tests/run-all.sh) runs it for 15 s each.
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

# summary NAME LOG: "NAME: N execs, seeds cov A ft B -> cov C ft D".
summary() {
  awk -v name="$1" '
    /INITED cov:/ { for (i = 1; i < NF; i++) { if ($i == "cov:") ic = $(i+1); if ($i == "ft:") if_ = $(i+1) } }
    /DONE +cov:/ { for (i = 1; i < NF; i++) { if ($i == "cov:") dc = $(i+1); if ($i == "ft:") df = $(i+1) } }
    /^stat::number_of_executed_units:/ { n = $2 }
    END { printf "%s: %s execs, seeds cov %s ft %s -> cov %s ft %s\n", name, n, ic, if_, dc, df }' "$2"
}

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
  log="$build/fuzz-logs/$name.log"
  mkdir -p "$work" "$build/fuzz-artifacts" "$build/fuzz-logs"
  [ -n "$seeds" ] || echo "run.sh: warning: $name has no seed corpus under $here/corpus/" >&2
  echo "== $name: ${secs}s on $work ${seeds:+and $seeds}"
  # shellcheck disable=SC2086
  if ! "$bin" -max_total_time="$secs" -max_len=1400 -print_final_stats=1 \
      -artifact_prefix="$build/fuzz-artifacts/$name-" "$work" $seeds >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    echo "run.sh: $name FAILED (log: $log, input: $build/fuzz-artifacts/)" >&2
    status=1
  fi
  summary "$name" "$log"
done
exit $status
