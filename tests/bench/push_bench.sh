#!/bin/bash
# Push benchmark (not a test): 1, 16 and 128 MiB releases to one client on
# loopback, N rounds each (default 3), median. Prints end-to-end MiB/s
# (nxtctl push start -> exit after the host reported installed), the
# transfer's own time from the server, and the hot-reload latency the client
# logs (last byte received -> new version running, fsync included).
# Usage: tests/bench/push_bench.sh [rounds]   (BUILD_DIR to reuse a build)
# Other tools (uftp, atftp, curl) are added side by side by the transport-speed work.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-3}
B=${BUILD_DIR:-build-release}
if [ ! -x "$B/daemon/client/nxt-clientd" ]; then
  cmake -S . -B "$B" -G Ninja -DCMAKE_BUILD_TYPE=Release -DNXT_BUILD_TESTS=ON >/dev/null
  cmake --build "$B" >/dev/null
fi
T=$(mktemp -d /tmp/nxt-bench.XXXXXX); PIDS=()
trap 'for p in "${PIDS[@]}"; do kill $p 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$T"' EXIT
PORT=${NXT_BENCH_PORT:-5599}
"$B/daemon/server/nxt-serverd" --listen "127.0.0.1:$PORT" --state-dir "$T/S" --control-socket "$T/S/s.sock" \
  --log-target stderr 2>"$T/server.log" & PIDS+=($!)
sleep 0.3
"$B/daemon/client/nxt-clientd" --server "127.0.0.1:$PORT" --state-dir "$T/C" --control-socket "$T/C/c.sock" \
  --id bench --default-plugin "$B/plugins/libfunctional.so" --log-target stderr 2>"$T/client.log" & PIDS+=($!)
for _ in $(seq 100); do grep -q "registered with" "$T/client.log" && break; sleep 0.1; done
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf "%-8s %12s %14s %14s %12s\n" size "e2e MiB/s" "transfer ms" "e2e ms" "reload ms"
for mib in 1 16 128; do
  : > "$T/e2e"; : > "$T/xfer"; : > "$T/reload"
  for r in $(seq "$ROUNDS"); do
    f="$T/lib_${mib}_$r.so"
    { cat "$B/plugins/libfunctional_2_0.so"; head -c "$((mib << 20))" /dev/urandom; } > "$f"
    s=$(date +%s%N)
    "$B/ctl/nxtctl" --socket "$T/S/s.sock" --json push "$f" > "$T/out.json"
    e=$(date +%s%N)
    echo $(( (e - s) / 1000000 )) >> "$T/e2e"
    tail -1 "$T/out.json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["progress"]["targets"][0].get("elapsed_ms", 0))' >> "$T/xfer"
    grep -o 'reload [0-9]* us' "$T/client.log" | tail -1 | awk '{printf "%.1f\n", $2/1000}' >> "$T/reload"
    rm -f "$f"
  done
  e2e=$(median < "$T/e2e"); xfer=$(median < "$T/xfer"); rl=$(median < "$T/reload")
  printf "%-8s %12.1f %14s %14s %12s\n" "${mib}MiB" "$(echo "$mib * 1000 / $e2e" | bc -l)" "$xfer" "$e2e" "$rl"
done
