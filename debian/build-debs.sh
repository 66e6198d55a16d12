#!/bin/sh
# Build nxt-server, nxt-client and nxtctl .debs from a clean copy of the
# committed tree (HEAD; uncommitted changes are not included) and check them
# with lintian and units/check-units.sh. Exits non-zero if the build fails,
# lintian reports any error or warning (info tags are shown, not fatal), or
# (as root) systemd-analyze verify prints anything or a service's exposure is
# above 2.0.
#
#   debian/build-debs.sh [--version VERSION] [--ref REF] [--no-lintian] OUTDIR
#
# --version adds a changelog entry so the packages carry VERSION (upgrade
# tests need two versions); --ref builds another commit. OUTDIR receives the
# .debs, .buildinfo, .changes and build.log. DEB_BUILD_OPTIONS is passed
# through (default: parallel=<cores>).
set -eu

usage() { echo "usage: $0 [--version VERSION] [--ref REF] [--no-lintian] OUTDIR" >&2; exit 2; }

version='' ref=HEAD lintian=yes
while [ $# -gt 0 ]; do
	case $1 in
	--version) [ $# -ge 2 ] || usage; version=$2; shift 2 ;;
	--ref) [ $# -ge 2 ] || usage; ref=$2; shift 2 ;;
	--no-lintian) lintian=no; shift ;;
	-h|--help) sed -n '2,14p' "$0"; exit 0 ;;
	-*) usage ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || usage
mkdir -p "$1"
out=$(cd "$1" && pwd)
repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)

work=$(mktemp -d "${TMPDIR:-/tmp}/nxt-debs.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
src=$work/nxt
mkdir "$src"
git -C "$repo" archive --format=tar "$ref" | tar -x -C "$src"

if [ -n "$version" ]; then
	# A new top entry, as dch would write it.
	{
		printf 'nxt (%s) unstable; urgency=medium\n\n' "$version"
		printf '  * Rebuild as %s by debian/build-debs.sh.\n\n' "$version"
		printf ' -- %s  %s\n\n' \
			"$(dpkg-parsechangelog -l "$src/debian/changelog" -S Maintainer)" \
			"$(date -R)"
		cat "$src/debian/changelog"
	} >"$work/changelog"
	mv "$work/changelog" "$src/debian/changelog"
fi

export DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-parallel=$(nproc)}"
start=$(date +%s)
echo "build-debs: dpkg-buildpackage -us -uc -b in $src (DEB_BUILD_OPTIONS=$DEB_BUILD_OPTIONS)"
if ! (cd "$src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1; then
	tail -n 40 "$out/build.log" >&2
	echo "build-debs: dpkg-buildpackage failed; full log in $out/build.log" >&2
	exit 1
fi
echo "build-debs: built in $(( $(date +%s) - start )) s"

# Three packages and their -dbgsym companions; lintian checks all of them.
set --
main=0
for f in "$work"/*.deb "$work"/*.buildinfo "$work"/*.changes; do
	[ -e "$f" ] || continue
	cp "$f" "$out/"
	case $f in
	*-dbgsym_*.deb) set -- "$@" "$out/${f##*/}" ;;
	*.deb) set -- "$@" "$out/${f##*/}"; main=$((main + 1)) ;;
	esac
done
[ $main -eq 3 ] || { echo "build-debs: expected 3 packages, got $main" >&2; exit 1; }
printf 'build-debs: %s\n' "$@"

if [ "$lintian" = yes ]; then
	echo "build-debs: lintian (errors and warnings are fatal)"
	# Not --show-overrides: lintian 2.116 then fails on overridden tags too.
	lintian --fail-on error,warning --display-info "$@"
	echo "build-debs: lintian clean"
fi

# systemd-analyze verify (must print nothing) and security exposure of the
# units as installed; needs root for its private mount namespace.
if [ "$(id -u)" = 0 ]; then
	"$src/units/check-units.sh" "$@"
else
	echo "build-debs: not root: skipping units/check-units.sh"
fi
