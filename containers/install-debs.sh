#!/bin/sh
# Build step of containers/Containerfile: install the .debs copied to
# /tmp/nxt-debs and prepare the daemon's state dir (STATE_DIR) and /run/nxt,
# owned by nxt, as systemd would (StateDirectory=, RuntimeDirectory=).
#
#   install-debs STATE_DIR
#
# systemd-standalone-sysusers satisfies the packages' "systemd |
# systemd-standalone-sysusers" dependency without systemd and creates the nxt
# user from the packages' own sysusers.d file. Offline when the base image
# already holds every dependency (the system tests' base), else from the
# mirror.
set -eu
state_dir=$1
export DEBIAN_FRONTEND=noninteractive
set -- systemd-standalone-sysusers /tmp/nxt-debs/*.deb
if ! apt-get install -y --no-install-recommends "$@"; then
	echo "install-debs: dependencies missing from the base image: fetching them" >&2
	apt-get update
	apt-get install -y --no-install-recommends "$@"
fi
rm -rf /tmp/nxt-debs /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb
id nxt
install -d -o nxt -g nxt -m 0750 "$state_dir"
install -d -o nxt -g nxt -m 0755 /run/nxt
