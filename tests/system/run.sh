#!/bin/bash
# System tests: the install-and-operate path on two booted Debian 12 hosts.
# h1 (server) and h2 (client) are systemd-nspawn containers with systemd as
# PID 1, each in its own network namespace, joined by a veth pair carrying
# 10.99.0.0/24 and fd99::/64. The .deb packages are installed with dpkg -i and
# everything is asserted with the real tools (systemctl, journalctl, nxtctl,
# dpkg). One PASS/FAIL line per check, then "N passed, M failed"; exit status
# non-zero on any failure. Prints SKIP and exits 0 only when this machine
# cannot boot a systemd container at all.
#
# Run as root from anywhere:   tests/system/run.sh
#   NXT_SYSTEST_DEBS=DIR      use the .debs in DIR instead of building them
#   NXT_SYSTEST_DEBS_OUT=DIR  build them into DIR and keep them there (for
#                             tests/system/containers.sh; default: the work dir)
#   BUILD_DIR=DIR             where the sample plug-ins are built (default build/)
#   NXT_SYSTEST_CACHE=DIR     base rootfs cache (default /var/cache/nxt-systest)
#   NXT_SYSTEST_KEEP=1        keep the work dir (host roots, console logs)
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
[ "$(id -u)" = 0 ] || st_skip "must run as root (containers, netns, dpkg)"

SERVER4=10.99.0.1 CLIENT4=10.99.0.2 SERVER6=fd99::1 CLIENT6=fd99::2 PORT=5467
UNITS=(nxt-serverd.socket nxt-serverd.service nxt-clientd.service)
finish() {
  local rc=$?
  trap - EXIT
  set +e
  if [ $rc != 0 ] || [ $FAILED != 0 ]; then
    [ $FAILED != 0 ] || { FAILED=$((FAILED + 1)); echo "FAIL: system test harness (exit $rc)"; }
    ((${#ST_HOSTS[@]})) && st_dump "${UNITS[@]}"
  fi
  st_cleanup
  echo "system tests: $PASSED passed, $FAILED failed ($(st_elapsed) s)"
  [ $FAILED = 0 ] || exit 1
  exit 0
}
trap finish EXIT
trap 'exit 130' INT TERM
st_sweep
ST_W=$(mktemp -d "/var/tmp/nxt-systest.$$.XXXXXX")

# ---- inputs: the packages, the sample plug-ins, the base root file system
st_ensure_tools
if [ -n "${NXT_SYSTEST_DEBS:-}" ]; then
  DEBDIR=$(cd "$NXT_SYSTEST_DEBS" && pwd)
else
  DEBDIR=${NXT_SYSTEST_DEBS_OUT:-$ST_W/debs}
  [ -x "$ROOT/debian/build-debs.sh" ] || { echo "FAIL: debian/build-debs.sh missing: no packages to test"; exit 1; }
  st_log "building the .debs with debian/build-debs.sh (dpkg-buildpackage, lintian)"
  BUILD_DEBS_RC=0
  "$ROOT/debian/build-debs.sh" "$DEBDIR" >"$ST_W/build-debs.log" 2>&1 || BUILD_DEBS_RC=$?
  grep '^build-debs: \(built\|lintian\)' "$ST_W/build-debs.log" || true
  st_log "debian/build-debs.sh exited $BUILD_DEBS_RC"
  # A lintian failure fails this check, not the run: the .debs exist and are tested.
  check "debian/build-debs.sh: dpkg-buildpackage -us -uc -b and lintian clean" sh -c "tail -60 '$ST_W/build-debs.log'; exit $BUILD_DEBS_RC"
fi
deb() { local f; f=$(find "$DEBDIR" -maxdepth 1 -name "$1_*.deb" | sort | tail -1); [ -n "$f" ] || { echo "no $1_*.deb in $DEBDIR" >&2; return 1; }; echo "$f"; }
SERVER_DEB=$(deb nxt-server) CLIENT_DEB=$(deb nxt-client) CTL_DEB=$(deb nxtctl)
st_log "packages: $(basename "$SERVER_DEB") $(basename "$CLIENT_DEB") $(basename "$CTL_DEB")"

B=$(st_sample_plugins "$ROOT")

mapfile -t DEPS < <(st_runtime_deps "$SERVER_DEB" "$CLIENT_DEB" "$CTL_DEB")
BASE=$(st_rootfs "${DEPS[@]}")

# The "previous version" for the upgrade check is the package under test; the
# upgrade goes to the same contents with the version bumped (+systest1), so
# dpkg runs the real upgrade path of the maintainer scripts.
bump() {
  local in=$1 x v out
  v=$(dpkg-deb -f "$in" Version)
  x=$ST_W/bump/x
  out=$ST_W/bump/$(dpkg-deb -f "$in" Package)_${v}+systest1_$(dpkg-deb -f "$in" Architecture).deb
  rm -rf "$x"; mkdir -p "$x"
  dpkg-deb -R "$in" "$x"
  sed -i "s/^Version: .*/Version: ${v}+systest1/" "$x/DEBIAN/control"
  dpkg-deb -Zgzip -z1 -b "$x" "$out" >/dev/null
  rm -rf "$x"
  echo "$out"
}
mkdir -p "$ST_W/bump"
SERVER_DEB2=$(bump "$SERVER_DEB") CLIENT_DEB2=$(bump "$CLIENT_DEB") CTL_DEB2=$(bump "$CTL_DEB")

# ---- two hosts
st_log "booting h1 and h2"
st_hosts_up "$BASE" h1 "$SERVER4" "$SERVER6" h2 "$CLIENT4" "$CLIENT6"
T_BOOTED=$(st_elapsed)
put() { install -m 0644 "$2" "$ST_W/$1/root/root/$(basename "$2")"; }  # nspawn's /tmp is a tmpfs: use /root
for f in "$SERVER_DEB" "$CLIENT_DEB" "$CTL_DEB" "$SERVER_DEB2" "$CTL_DEB2" "$B/plugins/libfunctional_1_0.so" "$B/plugins/libfunctional_2_0.so"; do put h1 "$f"; done
for f in "$CLIENT_DEB" "$CTL_DEB" "$CLIENT_DEB2" "$CTL_DEB2"; do put h2 "$f"; done
b() { echo "/root/$(basename "$1")"; }

# shellcheck source=checks.sh
source "$HERE/checks.sh"
# shellcheck source=checks_packages.sh
source "$HERE/checks_packages.sh"
run_checks
T_CHECKS=$(st_elapsed)
st_log "boot done at ${T_BOOTED}s, checks done at ${T_CHECKS}s"
