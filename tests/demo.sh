#!/bin/bash
# The loopback demo from the README: one nxt-serverd, two nxt-clientd (one
# registering over IPv4, one over IPv6), push libfunctional_1_0.so then
# libfunctional_2_0.so, show each client's version lines, stop everything.
# Trust is set up the way a real deployment does it, automatically: the
# clients pin the server's identity.pub (server_key) and the operator
# approves both hosts (nxtctl clients approve) before pushing; the server
# signs each release with a publisher key the clients trust.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${BUILD_DIR:-build}
[ -x "$B/daemon/server/nxt-serverd" ] || { cmake -S . -B "$B" -G Ninja && cmake --build "$B"; }
P=$B/plugins
T=$(mktemp -d /tmp/nxt-demo.XXXXXX)
PORT=${NXT_DEMO_PORT:-5467}
PIDS=()
# In a -DNXT_SANITIZE=ON build a daemon's ASan/LSan/UBSan report (printed to
# its log, often only at exit) fails the demo.
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true
  local rx="ERROR: (Address|Leak|UndefinedBehavior)Sanitizer|runtime error:" bad=0 f
  for f in "$T"/*.log; do
    grep -qE "$rx" "$f" || continue
    echo "demo: sanitizer report in $f:" >&2; grep -EA40 "$rx" "$f" >&2; bad=1
  done
  [ "$bad" = 0 ] || exit 1
}
trap cleanup EXIT
wait_for() {  # FILE REGEX: poll a log until a line matches (20 s deadline)
  for _ in $(seq 200); do grep -qE "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "demo: timed out waiting for /$2/ in $1" >&2; cat "$1" >&2; return 1
}
NXTCTL="$B/ctl/nxtctl --socket $T/S/serverd.sock"
: > "$T/empty.toml"  # keep any /etc/nxt/*.toml of this machine out of the demo
echo "== nxtctl keygen: the publisher key that signs releases (clients trust its .pub)"
"$B/ctl/nxtctl" keygen --out "$T/publisher.key"
PUB=$(cat "$T/publisher.key.pub")
"$B/daemon/server/nxt-serverd" --config "$T/empty.toml" --publisher-key "$T/publisher.key" --listen "[::]:$PORT" --state-dir "$T/S" \
  --control-socket "$T/S/serverd.sock" --log-target stderr 2>"$T/server.log" & PIDS+=($!)
wait_for "$T/server.log" "listening on"
KEY=$(cat "$T/S/identity.pub")
echo "== server key (clients pin it): $KEY"
"$B/daemon/client/nxt-clientd" --config "$T/empty.toml" --server "127.0.0.1:$PORT" --server-key "$KEY" --trusted-publishers "$PUB" \
  --state-dir "$T/C1" --control-socket "$T/C1/clientd.sock" --id host-1 --default-plugin "$P/libfunctional.so" \
  --log-target stderr 2>"$T/host-1.log" & PIDS+=($!)
"$B/daemon/client/nxt-clientd" --config "$T/empty.toml" --server "[::1]:$PORT" --server-key "$KEY" --trusted-publishers "$PUB" \
  --state-dir "$T/C2" --control-socket "$T/C2/clientd.sock" --id host-2 --default-plugin "$P/libfunctional.so" \
  --log-target stderr 2>"$T/host-2.log" & PIDS+=($!)
wait_for "$T/host-1.log" "registered with"
wait_for "$T/host-2.log" "registered with"
echo "== nxtctl clients (new hosts wait for approval)"; $NXTCTL clients
echo "== nxtctl clients approve host-1 host-2"; $NXTCTL clients approve host-1 host-2
echo "== nxtctl push libfunctional_1_0.so"; $NXTCTL push "$P/libfunctional_1_0.so" --no-progress
echo "== nxtctl push libfunctional_2_0.so"; $NXTCTL push "$P/libfunctional_2_0.so" --no-progress
echo "== nxtctl clients"; $NXTCTL clients
for h in host-1 host-2; do
  echo "== $h log: version lines"
  grep -o "product version : Major = [0-9]* Minor = [0-9]* productName = [a-z]*" "$T/$h.log"
done
# (Not `a && b` under set -e: a failing `a` would not stop the script.)
for h in host-1 host-2; do
  grep -q "product version : Major = 8 Minor = 6 productName = nxtgen" "$T/$h.log" ||
    { echo "demo: $h did not log nxtgen 8.6 (log: $T/$h.log)" >&2; exit 1; }
done
echo "demo: both hosts went from nxtgen 5.6 to 8.6 without a restart (logs in $T)"
