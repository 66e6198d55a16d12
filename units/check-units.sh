#!/bin/sh
# Check the systemd units as the packages install them:
#   units/check-units.sh DEB...
# 1. `systemd-analyze verify` on every unit must print nothing. verify wants
#    the ExecStart= binaries and the Documentation= man pages at their
#    installed paths, so the packages' files are overlaid on the host's /usr
#    and /lib in a private mount namespace (needs root and overlayfs; nothing
#    on the host changes).
# 2. `systemd-analyze security --offline=true`: prints each service's
#    exposure and fails above NXT_MAX_EXPOSURE (default 2.0).
set -eu

max=${NXT_MAX_EXPOSURE:-2.0}
[ $# -ge 1 ] || { echo "usage: $0 DEB..." >&2; exit 2; }

root=$(mktemp -d "${TMPDIR:-/tmp}/nxt-units.XXXXXX")
trap 'rm -rf "$root"' EXIT INT TERM
for deb in "$@"; do dpkg-deb -x "$deb" "$root"; done
units=$(find "$root/lib/systemd/system" "$root/usr/lib/systemd/system" -maxdepth 1 \
	\( -name '*.service' -o -name '*.socket' \) 2>/dev/null | sort)
[ -n "$units" ] || { echo "check-units: no units in $*" >&2; exit 1; }

# Installed paths of the units, as verify must see them.
installed=
for u in $units; do installed="$installed ${u#"$root"}"; done

out=$root.verify
# $installed splits on purpose (unit paths have no blanks); the inner script
# is single-quoted because the inner shell expands it.
# shellcheck disable=SC2016,SC2086
unshare -m sh -c '
	root=$1; shift
	for d in /usr/sbin /usr/bin /usr/share/man /lib/systemd/system /usr/lib/systemd/system; do
		[ -d "$root$d" ] || continue
		mount -t overlay overlay -o "lowerdir=$root$d:$d" "$d" || exit 3
	done
	exec systemd-analyze verify "$@"
' sh "$root" $installed >"$out" 2>&1 || true
if [ -s "$out" ]; then
	echo "check-units: systemd-analyze verify is not clean:" >&2
	cat "$out" >&2
	rm -f "$out"
	exit 1
fi
rm -f "$out"
echo "check-units: systemd-analyze verify:$installed: clean"

fail=0
for u in $units; do
	case $u in *.service) ;; *) continue ;; esac
	level=$(systemd-analyze security --offline=true "$u" 2>&1 |
		sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	[ -n "$level" ] || { echo "check-units: no exposure level for $u" >&2; fail=1; continue; }
	echo "check-units: ${u##*/}: exposure $level (limit $max)"
	if ! awk -v l="$level" -v m="$max" 'BEGIN { exit !(l <= m) }'; then fail=1; fi
done
exit $fail
