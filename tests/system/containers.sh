#!/bin/bash
# System test of the container images (containers/Containerfile): built from
# the project's .debs on a Debian 12 base made by debootstrap and `podman
# import` (no registry), run with podman on a podman network: one server, two
# clients (one built and started with the docker CLI through podman's API
# socket, to show the same files work with docker), trust set up as an
# operator would (publisher key, pinned server key, approval), a push of the
# 8.6 sample through the server's bind-mounted control socket, then a client
# container stopped (SIGTERM, clean exit), removed and recreated on its volume.
# One PASS/FAIL line per check, "N passed, M failed"; exit non-zero on any
# failure. Removes every container, network, volume and image it made, even
# on failure.
#
# Run as root from anywhere:   tests/system/containers.sh
#   NXT_SYSTEST_DEBS=DIR    use the .debs in DIR (tests/run-all.sh shares
#                           tests/system/run.sh's) instead of building them
#   BUILD_DIR=DIR           where the sample plug-ins are (default build/)
#   NXT_SYSTEST_CACHE=DIR   base rootfs and docker CLI cache (/var/cache/nxt-systest)
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
[ "$(id -u)" = 0 ] || st_skip "must run as root (podman)"

export CONTAINERS_CONF=$HERE/containers.conf   # this machine's podman settings, /etc untouched
P=nxtct$$                                      # every name this run makes starts with it
TAG=systest PORT=5467
VERSION_RE='product version : Major = ([0-9]+) Minor = ([0-9]+) productName = nxtgen'
SERVICE_PID=

# ---- tools: podman from Debian; the docker CLI alone, out of docker.io
ct_ensure_tools() {
  local need=() p deb dir
  for p in podman runc netavark aardvark-dns iptables debootstrap; do
    dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need+=("$p")
  done
  if ((${#need[@]})); then
    st_log "installing ${need[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >/dev/null
  fi
  # Only /usr/bin/docker of Debian's docker.io: installing the package would
  # bring dockerd and containerd (and try to start them); this test never
  # runs a Docker engine. Cached per package version.
  dir=$ST_CACHE/docker-cli/$(apt-cache policy docker.io | sed -n 's/^ *Candidate: //p')
  if [ ! -x "$dir/docker" ]; then
    st_log "fetching the docker CLI from Debian's docker.io into $dir"
    mkdir -p "$dir.tmp"
    (cd "$dir.tmp" && apt-get download -q docker.io >/dev/null 2>&1)
    deb=$(find "$dir.tmp" -name 'docker.io_*.deb')
    dpkg-deb --fsys-tarfile "$deb" | tar -x -O ./usr/bin/docker >"$dir.tmp/docker"
    chmod 0755 "$dir.tmp/docker"
    rm -f "$deb"
    rm -rf "$dir"; mv "$dir.tmp" "$dir"
  fi
  DOCKER=$dir/docker
}

# ---- cleanup: this run's things on any exit; an earlier killed run's at start
ct_remove() {  # PREFIX: containers, networks, volumes and images named PREFIX*
  local pre=$1
  podman ps -a --format '{{.Names}}' | grep "^$pre-" | xargs -r podman rm -f -v -t 0 >/dev/null 2>&1 || true
  podman network ls --format '{{.Name}}' | grep "^$pre-" | xargs -r podman network rm -f >/dev/null 2>&1 || true
  podman volume ls --format '{{.Name}}' | grep "^$pre-" | xargs -r podman volume rm -f >/dev/null 2>&1 || true
  podman images --format '{{.Repository}}:{{.Tag}}' | grep -E "^(localhost|docker.io/library)/$pre-" |
    xargs -r podman rmi -f >/dev/null 2>&1 || true
}
ct_sweep() {
  local pre pid
  for pre in $(podman ps -a --format '{{.Names}}'; podman network ls --format '{{.Name}}'; podman volume ls --format '{{.Name}}'); do
    [[ $pre =~ ^nxtct([0-9]+)- ]] || continue
    pid=${BASH_REMATCH[1]}
    kill -0 "$pid" 2>/dev/null || ct_remove "nxtct$pid"
  done
  for pre in $(podman images --format '{{.Repository}}' | sed -nE 's,^(localhost|docker.io/library)/(nxtct[0-9]+)-.*,\2,p' | sort -u); do
    kill -0 "${pre#nxtct}" 2>/dev/null || ct_remove "$pre"
  done
}
ct_dump() {
  local c
  for c in $(podman ps -a --format '{{.Names}}' | grep "^$P-"); do
    echo "===== podman logs $c (last 40 lines)"
    podman logs "$c" 2>&1 | tail -40
  done
}
finish() {
  local rc=$?
  trap - EXIT
  set +e
  if [ $rc != 0 ] || [ $FAILED != 0 ]; then
    [ $FAILED != 0 ] || { FAILED=$((FAILED + 1)); echo "FAIL: container test harness (exit $rc)"; }
    ct_dump
  fi
  ct_remove "$P"
  [ -n "$SERVICE_PID" ] && kill "$SERVICE_PID" 2>/dev/null && wait "$SERVICE_PID" 2>/dev/null
  [ -n "$ST_W" ] && rm -rf --one-file-system "$ST_W"
  echo "container tests: $PASSED passed, $FAILED failed ($(st_elapsed) s)"
  [ $FAILED = 0 ] || exit 1
  exit 0
}
trap finish EXIT
trap 'exit 130' INT TERM
ST_W=$(mktemp -d "/var/tmp/nxt-ctrtest.$$.XXXXXX")
ct_ensure_tools
ct_sweep

# ---- inputs: the packages, the sample plug-ins, the base image
if [ -n "${NXT_SYSTEST_DEBS:-}" ]; then
  DEBDIR=$(cd "$NXT_SYSTEST_DEBS" && pwd)
else
  DEBDIR=$ST_W/debs
  st_log "building the .debs with debian/build-debs.sh --no-lintian"
  "$ROOT/debian/build-debs.sh" --no-lintian "$DEBDIR" >"$ST_W/build-debs.log" 2>&1 ||
    { tail -40 "$ST_W/build-debs.log"; exit 1; }
fi
deb() { find "$DEBDIR" -maxdepth 1 -name "$1_*.deb" | sort -V | tail -1; }
DEBS=("$(deb nxt-server)" "$(deb nxt-client)" "$(deb nxtctl)")
B=$(st_sample_plugins "$ROOT")
# nxtctl on the host, from the package under test: it reaches the server
# through the bind-mounted /run/nxt.
dpkg-deb -x "${DEBS[2]}" "$ST_W/host"
NXTCTL=$ST_W/host/usr/bin/nxtctl

# The base holds every run-time dependency, so the image build needs no
# network. systemd-standalone-sysusers stands in for systemd (the packages
# accept either), as in the Containerfile.
mapfile -t DEPS < <(st_runtime_deps "${DEBS[@]}" | sed 's/^systemd$/systemd-standalone-sysusers/')
BASE_FS=$(st_minbase "${DEPS[@]}")
T_INPUTS=$(st_elapsed)

t_import_base() {  # apt lists and caches, man pages and translations stay out (~120 MB)
  tar -C "$BASE_FS" --exclude=./.nxt-systest-ok --exclude='./var/lib/apt/lists/*' --exclude='./var/cache/apt/*' \
      --exclude='./usr/share/locale/*' --exclude='./usr/share/man/*' -c . |
    podman import -q --change 'CMD ["/bin/bash"]' - "localhost/$P-base:$TAG"
}
t_build_podman() { "$ROOT/containers/build-images.sh" --base "localhost/$P-base:$TAG" --prefix "localhost/$P-" --tag "$TAG" "$DEBDIR"; }
t_images_small() {  # no compiler, no systemd; the daemons' user
  local i
  for i in server client; do
    podman run --rm "localhost/$P-nxt-$i:$TAG" sh -c \
      'for c in cc gcc g++ c++ clang systemctl; do ! command -v $c || exit 1; done; id -un; test "$(id -un)" = nxt'
  done
  podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep "/$P-"
}
t_build_docker() {  # the same files, driven by the docker CLI
  DOCKER_HOST=unix://$ST_W/podman.sock "$ROOT/containers/build-images.sh" --engine "$DOCKER" \
    --base "localhost/$P-base:$TAG" --prefix "$P-docker-" --tag "$TAG" "$DEBDIR"
}
t_env_errors() {  # an unknown NXT_ key or a mistyped value: exit 2 and say which
  local out rc=0
  out=$(podman run --rm -e NXT_NO_SUCH_KEY=1 "localhost/$P-nxt-server:$TAG" 2>&1) || rc=$?
  echo "exit $rc: $out"
  [ $rc = 2 ] && grep -q "NXT_NO_SUCH_KEY: nxt-serverd has no config key 'no_such_key'" <<<"$out"
  rc=0
  out=$(podman run --rm -e NXT_AUTO_APPROVE=yes "localhost/$P-nxt-server:$TAG" 2>&1) || rc=$?
  echo "exit $rc: $out"
  [ $rc = 2 ] && grep -q "NXT_AUTO_APPROVE=yes: expected true or false" <<<"$out"
}

# ---- the server: publisher key in its volume, control socket on the host
t_server_up() {
  podman network create "$P-net" >/dev/null
  # The image's nxt user must own the bind-mounted /run/nxt to create the socket there.
  mkdir -p "$ST_W/run"
  chown "$(podman run --rm "localhost/$P-nxt-server:$TAG" id -u)" "$ST_W/run"
  podman run --rm -v "$P-srv:/var/lib/nxt/server" "localhost/$P-nxt-server:$TAG" \
    nxtctl keygen --out /var/lib/nxt/server/publisher.key
  podman run -d --name "$P-server" --network "$P-net" -v "$P-srv:/var/lib/nxt/server" -v "$ST_W/run:/run/nxt" \
    -e NXT_PUBLISHER_KEY=/var/lib/nxt/server/publisher.key "localhost/$P-nxt-server:$TAG"
  wait_for 20 "$NXTCTL" --socket "$ST_W/run/serverd.sock" status || true
  "$NXTCTL" --socket "$ST_W/run/serverd.sock" status
  wait_logs "$P-server" "signing releases as ed25519:" 10
}
# wait_logs CONTAINER ERE SECONDS [FROM-LINE]: poll `podman logs` until a line matches.
wait_logs() {
  local deadline=$((SECONDS + $3))
  until podman logs "$1" 2>&1 | tail -n "+${4:-1}" | grep -qE -- "$2"; do
    ((SECONDS < deadline)) || { echo "$1 never logged /$2/; it logged:"; podman logs "$1" 2>&1 | tail -n "+${4:-1}"; return 1; }
    sleep 0.3
  done
}
log_lines() { podman logs "$1" 2>&1 | wc -l; }
ctl() { "$NXTCTL" --socket "$ST_W/run/serverd.sock" "$@"; }

# ---- the clients: configured from the environment, the server by name
client_env() {
  CLIENT_ENV=(-e "NXT_SERVER=$P-server:$PORT"
              -e "NXT_SERVER_KEY=$(podman exec "$P-server" cat /var/lib/nxt/server/identity.pub)"
              -e "NXT_TRUSTED_PUBLISHERS=$(podman exec "$P-server" cat /var/lib/nxt/server/publisher.key.pub)")
}
run_client1() {  # podman, the podman-built image
  client_env
  podman run -d --name "$P-client1" --hostname client1 --network "$P-net" \
    -v "$P-c1:/var/lib/nxt/client" "${CLIENT_ENV[@]}" "localhost/$P-nxt-client:$TAG"
}
run_client2() {  # docker CLI, the docker-built image
  client_env
  DOCKER_HOST=unix://$ST_W/podman.sock "$DOCKER" run -d --name "$P-client2" --hostname client2 --network "$P-net" \
    -v "$P-c2:/var/lib/nxt/client" "${CLIENT_ENV[@]}" "$P-docker-nxt-client:$TAG"
}
listed() {  # ID STATE: nxtctl clients (host socket) lists ID in STATE
  local out
  out=$(ctl clients)
  echo "$out"
  grep -E "^$1 +.* $2 " <<<"$out" >/dev/null
}
t_clients_up() {
  run_client1
  run_client2
  wait_logs "$P-client1" "$VERSION_RE" 20
  wait_logs "$P-client2" "$VERSION_RE" 20
  wait_for 20 listed client1 pending || true
  wait_for 20 listed client2 pending || true
  listed client1 pending
  listed client2 pending
}
t_approve() {  # one from the host's nxtctl, one with podman exec in the server container
  ctl clients approve client1
  podman exec "$P-server" nxtctl clients approve client2
  wait_for 20 listed client1 active || true
  wait_for 20 listed client2 active || true
  listed client1 active
  listed client2 active
}
t_push() { ctl push --no-progress "$B/plugins/libfunctional_2_0.so"; }
t_logged_8_6() {  # CONTAINER [FROM-LINE]
  wait_logs "$1" "product version : Major = 8 Minor = 6 productName = nxtgen" 20 "${2:-1}"
}
t_docker_logs() {
  DOCKER_HOST=unix://$ST_W/podman.sock "$DOCKER" logs "$P-client2" 2>&1 | grep -F "product version : Major = 8 Minor = 6"
}
t_stop_clean() {  # CONTAINER: SIGTERM, and the daemon exits 0 well before podman's SIGKILL
  podman stop -t 20 "$1"
  local rc
  rc=$(podman inspect -f '{{.State.ExitCode}}' "$1")
  echo "$1 exited $rc"
  podman logs "$1" 2>&1 | tail -3
  [ "$rc" = 0 ]
}
t_recreate_client1() {
  podman rm "$P-client1"
  run_client1
  wait_logs "$P-client1" "$VERSION_RE" 20
  if podman logs "$P-client1" 2>&1 | grep -E "$VERSION_RE" | grep -q 'Major = 5'; then
    echo "the recreated client started at 5.6:"; podman logs "$P-client1" 2>&1; return 1
  fi
  t_logged_8_6 "$P-client1"
  podman exec "$P-client1" nxtctl --socket /run/nxt/clientd.sock status | tee /dev/stderr | grep -qE '^running: +nxtgen 8\.6 '
}
t_restart_client2() {
  local from
  from=$(($(log_lines "$P-client2") + 1))
  DOCKER_HOST=unix://$ST_W/podman.sock "$DOCKER" restart -t 20 "$P-client2"
  wait_logs "$P-client2" "$VERSION_RE" 20 "$from"
  t_logged_8_6 "$P-client2" "$from"
}

podman system service --time=0 "unix://$ST_W/podman.sock" >"$ST_W/podman-service.log" 2>&1 &
SERVICE_PID=$!
require "base image: debootstrap rootfs (cached) | podman import" t_import_base
require "podman build: nxt-server and nxt-client images from the .debs" t_build_podman
check "images: no compiler, no systemd, default user nxt" t_images_small
wait_for 20 test -S "$ST_W/podman.sock"
require "docker build (docker CLI, podman's API socket): the same Containerfile" t_build_docker
T_BUILT=$(st_elapsed)
check "entrypoint: unknown NXT_ key and a non-boolean value exit 2 and name them" t_env_errors
require "server container: publisher key in its volume, nxtctl status on the host's bind-mounted socket" t_server_up
require "client1 (podman run), client2 (docker run): both at 5.6, listed pending" t_clients_up
require "nxtctl clients approve: client1 from the host, client2 by podman exec" t_approve
require "nxtctl push libfunctional_2_0.so through the server container" t_push
check "podman logs client1: product version 8.6" t_logged_8_6 "$P-client1"
check "podman logs client2: product version 8.6" t_logged_8_6 "$P-client2"
check "docker logs client2: product version 8.6" t_docker_logs
check "podman stop client1: SIGTERM, exit 0" t_stop_clean "$P-client1"
check "client1 recreated on its volume: back at 8.6 without a push" t_recreate_client1
check "docker restart client2: back at 8.6" t_restart_client2
check "podman stop server: SIGTERM, exit 0" t_stop_clean "$P-server"
st_log "inputs ready at ${T_INPUTS}s, images built at ${T_BUILT}s"
podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E "^localhost/$P-nxt-" | sed 's/^/container tests: image /'
