#!/bin/bash
# Push benchmark (not a test, not in ctest): 1, 16 and 128 MiB releases pushed
# to one client on loopback, ROUNDS rounds each (default 3), median reported.
#
#   e2e MiB/s    size / (nxtctl push start -> nxtctl exits 0 after the host
#                reported installed): import + hash on the server, transfer,
#                verify, fsync, rename, reload
#   transfer ms  the server's own elapsed time for the target (final progress)
#   reload ms    the client's hot-reload latency: last byte received -> new
#                version running (fsync, rename, forked probe, dlopen), from its
#                "installed <sha> (reload N us)" log line
#
# Each release is libfunctional_2_0.so padded with random bytes, so every push
# has a new SHA-256 and nothing is "already installed".
#
# Usage: tests/bench/push_bench.sh [rounds]
#   BUILD_DIR=dir   reuse a build (default build-release, built Release if missing)
#   SIZES="1 16"    other sizes in MiB
# Other tools (uftp, atftp, ...) are added as more bench_<tool> functions with
# the same arguments and output columns.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-3}
SIZES=${SIZES:-1 16 128}
B=${BUILD_DIR:-build-release}
if [ ! -x "$B/daemon/client/nxt-clientd" ] || [ ! -x "$B/ctl/nxtctl" ]; then
  cmake -S . -B "$B" -G Ninja -DCMAKE_BUILD_TYPE=Release -DNXT_BUILD_TESTS=OFF >/dev/null
  cmake --build "$B" --target nxt-serverd nxt-clientd nxtctl nxt_plugins >/dev/null
fi

T=$(mktemp -d /tmp/nxt-bench.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$T"
}
trap cleanup EXIT

wait_log() {  # FILE REGEX: poll a log until a line matches (20 s deadline)
  for _ in $(seq 200); do grep -qE "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "push_bench: timed out waiting for /$2/ in $1" >&2
  cat "$1" >&2
  return 1
}

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

PORT=${NXT_BENCH_PORT:-5599}
CTL="$B/ctl/nxtctl --socket $T/S/serverd.sock"
start_nxt() {  # with the trust a deployment has: signed releases, pinned server key, sealed datagrams
  : >"$T/empty.toml"
  "$B/ctl/nxtctl" keygen --out "$T/publisher.key" >/dev/null
  "$B/daemon/server/nxt-serverd" --config "$T/empty.toml" --listen "127.0.0.1:$PORT" --state-dir "$T/S" \
    --control-socket "$T/S/serverd.sock" --publisher-key "$T/publisher.key" --auto-approve true \
    --log-target stderr 2>"$T/server.log" &
  PIDS+=($!)
  wait_log "$T/server.log" "listening on"
  "$B/daemon/client/nxt-clientd" --config "$T/empty.toml" --server "127.0.0.1:$PORT" \
    --server-key "$(cat "$T/S/identity.pub")" --trusted-publishers "$(cat "$T/publisher.key.pub")" \
    --state-dir "$T/C" --control-socket "$T/C/clientd.sock" --id bench \
    --default-plugin "$B/plugins/libfunctional.so" --log-target stderr 2>"$T/client.log" &
  PIDS+=($!)
  wait_log "$T/client.log" "registered with"
}

# bench_nxt FILE -> "e2e_ms transfer_ms reload_ms"
bench_nxt() {
  local file=$1 sha s e xfer reload
  sha=$(sha256sum "$file" | cut -c1-12)
  s=$(date +%s%N)
  $CTL --json push "$file" >"$T/out.json"
  e=$(date +%s%N)
  xfer=$(tail -1 "$T/out.json" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["progress"]["targets"][0].get("elapsed_ms", "n/a"))')
  reload=$(grep -o "installed $sha (reload [0-9]* us)" "$T/client.log" | tail -1 |
    awk '{printf "%.1f", $4 / 1000}')
  echo "$(((e - s) / 1000000)) $xfer ${reload:-n/a}"
}

start_nxt
echo "nxt $(git describe --always --dirty 2>/dev/null || echo '?'), $(nproc) cores, loopback, median of $ROUNDS"
printf "%-6s %-8s %10s %12s %12s %10s\n" tool size "e2e MiB/s" "e2e ms" "transfer ms" "reload ms"
for mib in $SIZES; do
  : >"$T/e2e"; : >"$T/xfer"; : >"$T/reload"
  for r in $(seq "$ROUNDS"); do
    f="$T/libfunctional_${mib}m_$r.so"
    cp "$B/plugins/libfunctional_2_0.so" "$f"
    head -c "$(((mib << 20) - $(stat -c %s "$f")))" /dev/urandom >>"$f"  # exactly mib MiB
    read -r e2e xfer reload < <(bench_nxt "$f")
    echo "$e2e" >>"$T/e2e"; echo "$xfer" >>"$T/xfer"; echo "$reload" >>"$T/reload"
    rm -f "$f"
  done
  e2e=$(median <"$T/e2e"); xfer=$(median <"$T/xfer"); rl=$(median <"$T/reload")
  printf "%-6s %-8s %10s %12s %12s %10s\n" nxt "${mib} MiB" \
    "$(awk -v m="$mib" -v ms="$e2e" 'BEGIN {printf "%.1f", (ms > 0) ? m * 1000 / ms : 0}')" "$e2e" "$xfer" "$rl"
done
