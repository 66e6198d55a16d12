#!/bin/sh
# Build the nxt-server and nxt-client images from the .debs in DEBDIR
# (debian/build-debs.sh DEBDIR) with podman or docker.
#
#   containers/build-images.sh [--engine podman|docker] [--base IMAGE]
#                              [--tag TAG] [--prefix PREFIX] DEBDIR
#
# Images: PREFIXnxt-server:TAG and PREFIXnxt-client:TAG (TAG defaults to the
# packages' version, PREFIX to nothing). --base replaces the default
# debian:bookworm-slim (any Debian 12 image). The build context is a temporary
# directory with Containerfile, entrypoint.sh, install-debs.sh and the newest
# nxt-server, nxt-client and nxtctl .debs of DEBDIR (never the -dbgsym ones).
set -eu

usage() { echo "usage: $0 [--engine podman|docker] [--base IMAGE] [--tag TAG] [--prefix PREFIX] DEBDIR" >&2; exit 2; }
engine=podman base='' tag='' prefix=''
while [ $# -gt 0 ]; do
	case $1 in
	--engine) [ $# -ge 2 ] || usage; engine=$2; shift 2 ;;
	--base) [ $# -ge 2 ] || usage; base=$2; shift 2 ;;
	--tag) [ $# -ge 2 ] || usage; tag=$2; shift 2 ;;
	--prefix) [ $# -ge 2 ] || usage; prefix=$2; shift 2 ;;
	-h | --help) sed -n '2,13p' "$0"; exit 0 ;;
	-*) usage ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || usage
debdir=$1
here=$(cd "$(dirname "$0")" && pwd)

ctx=$(mktemp -d "${TMPDIR:-/tmp}/nxt-images.XXXXXX")
trap 'rm -rf "$ctx"' EXIT INT TERM
mkdir "$ctx/debs"
cp "$here/Containerfile" "$here/entrypoint.sh" "$here/install-debs.sh" "$ctx/"
for p in nxt-server nxt-client nxtctl; do
	f=$(find "$debdir" -maxdepth 1 -name "${p}_*.deb" | sort -V | tail -n 1)
	[ -n "$f" ] || { echo "build-images: no ${p}_*.deb in $debdir" >&2; exit 1; }
	cp "$f" "$ctx/debs/"
done
[ -n "$tag" ] || tag=$(dpkg-deb -f "$(find "$ctx/debs" -name 'nxt-server_*.deb')" Version | tr '~+:' '---')

for target in server client; do
	image=${prefix}nxt-$target:$tag
	echo "build-images: $engine build --target $target -t $image"
	# shellcheck disable=SC2086 # ${base:+...} is one word or none
	"$engine" build -f "$ctx/Containerfile" --target "$target" ${base:+--build-arg BASE_IMAGE="$base"} -t "$image" "$ctx"
done
