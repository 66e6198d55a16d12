# shellcheck shell=bash
# Harness for the system tests: booted Debian 12 "hosts" in systemd-nspawn
# containers, each in its own network namespace, joined by one veth pair.
# Sourced by run.sh (and, for the cache, check/require and the sample
# plug-ins, by containers.sh). Owns: the cached base root file system, the
# PASS/FAIL checks, the per-run work dir, the containers, their netns and
# cgroups, and tearing all of it down on any exit. Never touches the host's
# network, its /etc or anything outside the cache dir and the work dir.
# Works without systemd as the host's PID 1 (no machined, no dbus on the
# host): see ../../../shared/recipes/README.md.

ST_CACHE=${NXT_SYSTEST_CACHE:-/var/cache/nxt-systest}
ST_MIRROR=${NXT_SYSTEST_MIRROR:-http://deb.debian.org/debian}
ST_BASE_PKGS=(systemd systemd-sysv dbus iproute2 procps)
ST_PREFIX=nxtst$$                # netns/cgroup names: unique per run
declare -gA ST_LEADER=() ST_NSPAWN=() ST_ADDR4=() ST_ADDR6=()
ST_HOSTS=()
ST_W=                            # work dir (per-host overlays, console logs): set by the caller

st_log() { printf '%s [%5.1fs] %s\n' "systest:" "$(st_elapsed)" "$*"; }
st_elapsed() { local now; now=$(date +%s.%N); awk -v a="$ST_T0" -v b="$now" 'BEGIN{printf "%.1f", b-a}'; }
ST_T0=$(date +%s.%N)

PASSED=0 FAILED=0 NCHECK=0   # counted by check

# check NAME CMD...: run CMD with errexit (any failing command fails it) and
# print one PASS/FAIL line; CMD's output is shown only on failure. Sets
# CHECK_RC. Call it as a plain command, never after `if`, `||` or `&&`: bash
# ignores errexit in those contexts, even inside the subshell.
check() {
  local name=$1 log
  shift
  NCHECK=$((NCHECK + 1))
  log=$ST_W/check-$NCHECK.log
  set +e
  (set -e; "$@") >"$log" 2>&1
  CHECK_RC=$?
  set -e
  if [ $CHECK_RC = 0 ]; then
    PASSED=$((PASSED + 1)); printf 'PASS: %s\n' "$name"
  else
    FAILED=$((FAILED + 1)); printf 'FAIL: %s (exit %s)\n' "$name" "$CHECK_RC"; tail -40 "$log" | sed 's/^/    | /'
  fi
}
# require NAME CMD...: a check the rest depends on; stop here if it fails.
require() {
  check "$@"
  [ "$CHECK_RC" = 0 ] || { echo "systest: stopping, later checks depend on this one"; exit 1; }
}

# st_skip REASON: this machine cannot boot a systemd container at all.
st_skip() { echo "SKIP: system tests: $*"; exit 0; }

st_ensure_tools() {
  local need=()
  command -v systemd-nspawn >/dev/null || need+=(systemd-container)
  command -v debootstrap >/dev/null || need+=(debootstrap)
  command -v nsenter >/dev/null || need+=(util-linux)
  if ((${#need[@]})); then
    st_log "installing ${need[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >/dev/null
  fi
}

# st_sample_plugins SOURCE-DIR: print the build dir ($BUILD_DIR, default
# SOURCE-DIR/build) after making sure it holds plugins/libfunctional_1_0.so
# and libfunctional_2_0.so (the 5.6 and 8.6 samples).
st_sample_plugins() {
  local b=${BUILD_DIR:-$1/build}
  [ "${b:0:1}" = / ] || b=$1/$b
  if [ ! -f "$b/plugins/libfunctional_2_0.so" ] || [ ! -f "$b/plugins/libfunctional_1_0.so" ]; then
    st_log "building the sample plug-ins in $b" >&2
    [ -f "$b/CMakeCache.txt" ] || cmake -S "$1" -B "$b" -G Ninja >/dev/null
    cmake --build "$b" --target nxt_functional_1_0 nxt_functional_2_0 >/dev/null
  fi
  printf '%s\n' "$b"
}

# st_runtime_deps DEB...: the first alternative of every Depends/Pre-Depends
# entry that is not one of the given packages, one name a line, sorted.
st_runtime_deps() {
  local own=() d
  for d in "$@"; do own+=("$(dpkg-deb -f "$d" Package)"); done
  for d in "$@"; do dpkg-deb -f "$d" Pre-Depends Depends; done |
    sed -E 's/^[A-Za-z-]+: *//' | tr ',' '\n' | sed -E 's/\|.*//; s/\(.*\)//; s/:any//; s/[[:space:]]//g' |
    grep -v '^$' | grep -vxF -f <(printf '%s\n' "${own[@]}") | sort -u
}

# st_rootfs EXTRA_PKG...: print the path of a cached minbase bookworm with
# systemd and the given packages, building it (~2 min) if this exact package
# set was never built on this machine. The cache is read-only to the tests:
# each host gets an overlay on top of it.
st_rootfs() { st_minbase "${ST_BASE_PKGS[@]}" "$@"; }

# st_minbase PKG...: the same cache for any package set (no systemd unless
# asked for): tests/system/containers.sh imports one as its image base.
st_minbase() {
  local pkgs key dir
  pkgs=$(printf '%s\n' "$@" | sort -u | paste -sd,)
  key=$(printf 'bookworm minbase %s\n' "$pkgs" | sha256sum | cut -c1-16)
  dir=$ST_CACHE/rootfs-$key
  mkdir -p "$ST_CACHE/debs"
  (
    flock 9   # two runs at once build it once
    if [ ! -e "$dir/.nxt-systest-ok" ]; then
      rm -rf "$dir" "$dir.tmp"
      st_log "building base rootfs ($pkgs) in $dir, once per package set" >&2
      debootstrap --variant=minbase --cache-dir="$ST_CACHE/debs" --include="$pkgs" bookworm "$dir.tmp" "$ST_MIRROR" \
        >"$ST_CACHE/debootstrap.log" 2>&1 || { tail -30 "$ST_CACHE/debootstrap.log" >&2; exit 1; }
      rm -f "$dir.tmp/etc/machine-id" "$dir.tmp/var/lib/dbus/machine-id"
      printf '%s\n' "$pkgs" >"$dir.tmp/.nxt-systest-ok"
      mv "$dir.tmp" "$dir"
    fi
    touch "$dir/.nxt-systest-ok"
    # Drop package sets unused for two weeks (each is ~250 MB).
    find "$ST_CACHE" -maxdepth 2 -name .nxt-systest-ok -mtime +14 -printf '%h\n' | xargs -r rm -rf
  ) 9>"$ST_CACHE/lock" || return 1
  printf '%s\n' "$dir"
}

# st_hosts_up ROOTFS H1 ADDR4 ADDR6 H2 ADDR4 ADDR6: two booted hosts, a veth
# pair between their netns with both address families.
st_hosts_up() {
  local base=$1 h a
  shift
  while (($#)); do
    h=$1; ST_ADDR4[$h]=$2; ST_ADDR6[$h]=$3; ST_HOSTS+=("$h"); shift 3
  done
  for h in "${ST_HOSTS[@]}"; do st_host_fs "$base" "$h"; ip netns add "$ST_PREFIX-$h"; done
  ip link add nxt0 netns "$ST_PREFIX-${ST_HOSTS[0]}" type veth peer name nxt0 netns "$ST_PREFIX-${ST_HOSTS[1]}"
  for h in "${ST_HOSTS[@]}"; do
    a=(ip -n "$ST_PREFIX-$h")
    "${a[@]}" link set lo up
    "${a[@]}" addr add "${ST_ADDR4[$h]}/24" dev nxt0
    "${a[@]}" addr add "${ST_ADDR6[$h]}/64" dev nxt0 nodad   # nodad: usable at once, no 1-2 s DAD wait
    "${a[@]}" link set nxt0 up
  done
  for h in "${ST_HOSTS[@]}"; do st_boot "$h"; done
  for h in "${ST_HOSTS[@]}"; do st_wait_booted "$h" || return 1; done
}

# Per-host root: an overlay on the read-only cached rootfs (instant, and the
# cache stays clean); a full copy if this kernel refuses the overlay.
st_host_fs() {
  local base=$1 h=$2 r=$ST_W/$2/root
  mkdir -p "$r" "$ST_W/$h/upper" "$ST_W/$h/work"
  if ! mount -t overlay overlay -o "lowerdir=$base,upperdir=$ST_W/$h/upper,workdir=$ST_W/$h/work" "$r" 2>/dev/null; then
    cp -a "$base/." "$r/"
  fi
  echo "$h" >"$r/etc/hostname"
  printf '127.0.0.1 localhost\n127.0.1.1 %s\n::1 localhost\n' "$h" >"$r/etc/hosts"
  tr -d - </proc/sys/kernel/random/uuid >"$r/etc/machine-id"   # unique id; also no first-boot
  mkdir -p "$r/var/log/journal"                                  # persistent: readable after poweroff
}

st_boot() {
  local h=$1 c l=""
  (
    # Own cgroup per host in both hierarchies, or two containers on this
    # hybrid, systemd-less host share one and stopping one kills the other.
    for c in systemd unified; do
      mkdir -p "/sys/fs/cgroup/$c/$ST_PREFIX-$h"
      echo "$BASHPID" >"/sys/fs/cgroup/$c/$ST_PREFIX-$h/cgroup.procs"
    done
    exec systemd-nspawn -q -D "$ST_W/$h/root" -M "$h" -b --register=no --keep-unit --console=pipe \
      --network-namespace-path="/run/netns/$ST_PREFIX-$h" >"$ST_W/$h.console.log" 2>&1 </dev/null
  ) &
  ST_NSPAWN[$h]=$!
  for _ in $(seq 100); do   # container PID 1 = the nspawn child whose innermost NSpid is 1
    for c in $(pgrep -P "${ST_NSPAWN[$h]}" || true); do
      grep -qE '^NSpid:.*[[:space:]]1$' "/proc/$c/status" 2>/dev/null && l=$c
    done
    [ -n "$l" ] && break
    kill -0 "${ST_NSPAWN[$h]}" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$l" ] || { cat "$ST_W/$h.console.log" >&2; st_skip "systemd-nspawn did not start a container ($h)"; }
  ST_LEADER[$h]=$l
}

st_wait_booted() {
  local h=$1 state="" deadline=$((SECONDS + 90))
  # Right after PID 1 starts its private bus socket may not exist yet and
  # systemctl fails at once (empty state): retry until it answers.
  while [ -z "$state" ] && ((SECONDS < deadline)); do
    state=$(timeout 90 nsenter -t "${ST_LEADER[$h]}" -a systemctl is-system-running --wait 2>"$ST_W/$h.boot.err") || true
    [ -n "$state" ] || sleep 0.2
  done
  case $state in
    running | degraded) st_log "$h booted ($state)";;
    *) cat "$ST_W/$h.console.log" >&2; st_skip "$h did not finish booting (state '$state')";;
  esac
  [ "$state" = running ] || on "$h" systemctl --failed --no-legend || true
}

# on HOST CMD...: run CMD inside the booted host, like `machinectl shell`.
on() {
  local h=$1
  shift
  timeout "${ST_TIMEOUT:-60}" nsenter -t "${ST_LEADER[$h]}" -a env DEBIAN_FRONTEND=noninteractive "$@" </dev/null
}

# wait_log HOST UNIT ERE [SECONDS] [JOURNALCTL-ARGS...]: poll the unit's
# journal until a line matches.
wait_log() {
  local h=$1 u=$2 re=$3 t=${4:-20}
  shift 4 2>/dev/null || shift $#
  local deadline=$((SECONDS + t))
  until on "$h" journalctl -q -u "$u" -o cat --no-pager "$@" | grep -qE -- "$re"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.3
  done
}

# wait_for SECONDS CMD...: poll CMD until it succeeds.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.3
  done
}

st_dump() {
  local h u
  for h in "${ST_HOSTS[@]}"; do
    [ -n "${ST_LEADER[$h]:-}" ] || continue
    echo "===== $h: systemctl --failed"
    on "$h" systemctl --failed --no-legend --no-pager 2>&1 || true
    for u in "$@"; do
      echo "===== $h: journalctl -u $u"
      on "$h" journalctl -u "$u" --no-pager -o short-monotonic 2>&1 | tail -80 || true
    done
    echo "===== $h: console (last 40 lines)"
    tail -40 "$ST_W/$h.console.log" 2>/dev/null || true
  done
}

# st_sweep: tear down what an earlier run left behind when it was killed
# before its trap could run (kill -9, a CI timeout). Names carry the run's PID.
st_sweep() {
  local d pid c
  for d in /sys/fs/cgroup/unified/nxtst* /sys/fs/cgroup/systemd/nxtst* /run/netns/nxtst* /var/tmp/nxt-systest.*; do
    [ -e "$d" ] || continue
    pid=${d##*/}; pid=${pid#nxtst}; pid=${pid#nxt-systest.}; pid=${pid%%[.-]*}
    if ! [[ $pid =~ ^[0-9]+$ ]] || kill -0 "$pid" 2>/dev/null; then continue; fi
    case $d in
      /sys/fs/cgroup/*)
        while read -r c; do kill -KILL "$c" 2>/dev/null; done < <(find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null)
        sleep 0.5
        find "$d" -depth -type d -exec rmdir {} + 2>/dev/null;;
      /run/netns/*) ip netns del "${d##*/}" 2>/dev/null;;
      *) umount "$d"/*/root 2>/dev/null; rm -rf --one-file-system "$d";;
    esac
  done
  return 0
}

st_cleanup() {
  local h c p
  for h in "${ST_HOSTS[@]}"; do
    [ -n "${ST_LEADER[$h]:-}" ] && kill -RTMIN+4 "${ST_LEADER[$h]}" 2>/dev/null   # SIGRTMIN+4 = poweroff
  done
  for h in "${ST_HOSTS[@]}"; do
    [ -n "${ST_NSPAWN[$h]:-}" ] || continue
    for _ in $(seq 100); do kill -0 "${ST_NSPAWN[$h]}" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "${ST_NSPAWN[$h]}" 2>/dev/null || true
  done
  for h in "${ST_HOSTS[@]}"; do
    for c in systemd unified; do   # leftover processes first, then the (now empty) cgroup tree
      [ -d "/sys/fs/cgroup/$c/$ST_PREFIX-$h" ] || continue
      while read -r p; do kill -KILL "$p" 2>/dev/null; done < <(find "/sys/fs/cgroup/$c/$ST_PREFIX-$h" -name cgroup.procs -exec cat {} + 2>/dev/null)
      for _ in $(seq 50); do
        find "/sys/fs/cgroup/$c/$ST_PREFIX-$h" -depth -type d -exec rmdir {} + 2>/dev/null
        [ -d "/sys/fs/cgroup/$c/$ST_PREFIX-$h" ] || break
        sleep 0.1
      done
    done
    ip netns del "$ST_PREFIX-$h" 2>/dev/null
    [ -n "$ST_W" ] && umount "$ST_W/$h/root" 2>/dev/null
  done
  if [ -n "$ST_W" ] && [ -z "${NXT_SYSTEST_KEEP:-}" ]; then
    rm -rf --one-file-system "$ST_W"
  elif [ -n "$ST_W" ]; then
    echo "systest: kept $ST_W (NXT_SYSTEST_KEEP)"
  fi
  return 0
}
