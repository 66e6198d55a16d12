#!/bin/sh
# Entrypoint of the nxt-server and nxt-client images (containers/*.Containerfile).
#
#   nxt-container-entrypoint nxt-serverd|nxt-clientd [DAEMON-ARGS...]
#   nxt-container-entrypoint OTHER-COMMAND [ARGS...]     (run as is, e.g. nxtctl)
#
# Starts the daemon in the foreground (it is PID 1 and handles SIGTERM itself)
# with its configuration taken from, in order:
#   1. $NXT_CONFIG, else /etc/nxt/<daemon>.toml: the packaged file, or one
#      mounted over it (-v ./serverd.toml:/etc/nxt/serverd.toml:ro);
#   2. environment variables NXT_<KEY> (NXT_SERVER, NXT_AUTO_APPROVE, ...), one
#      per config key, which replace that key of the file. Then the merged file
#      is written to $TMPDIR (default /tmp) and the daemon reads that one.
# A value's TOML type comes from the daemon's own --print-default-config:
# strings are quoted for you, arrays take "a,b" or a TOML array "[...]".
# NXT_SERVER may name a host ("nxt-server:5467"): nxt-clientd takes addresses
# only, so the name is resolved here, once, at start.
# Unknown NXT_<KEY> or a value of the wrong type: a clear error, exit 2.
set -eu

say() { echo "nxt-container: $*" >&2; }
die() { say "$*"; exit 2; }

case ${1:-} in
nxt-serverd) name=serverd ;;
nxt-clientd) name=clientd ;;
*) exec "$@" ;;
esac
daemon=$1
shift
base=${NXT_CONFIG:-/etc/nxt/$name.toml}
[ -r "$base" ] || die "config file $base is missing or unreadable (set NXT_CONFIG or mount one)"

# NXT_CONFIG is ours, not a config key.
vars=$(env | sed -n 's/^\(NXT_[A-Z0-9_]*\)=.*/\1/p' | grep -vx NXT_CONFIG | sort -u) || true
if [ -z "$vars" ]; then
	say "$daemon --config $base"
	exec "$daemon" --config "$base" "$@"
fi

defaults=$("$daemon" --print-default-config) || die "$daemon --print-default-config failed"

# toml_string VALUE: a TOML basic string.
toml_string() {
	printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"
}
# resolve HOST:PORT: the address nxt-clientd needs for a name.
resolve() {
	case $1 in
	\[*\]:* | [0-9]*.[0-9]*.[0-9]*.[0-9]*:*) echo "$1"; return ;;
	esac
	host=${1%:*} port=${1##*:}
	[ "$host" != "$1" ] || die "NXT_SERVER=$1: expected HOST:PORT"
	addr=$(getent ahosts "$host" | awk 'NR == 1 { print $1 }') || true
	[ -n "$addr" ] || die "NXT_SERVER=$1: cannot resolve '$host'"
	case $addr in *:*) addr="[$addr]" ;; esac
	say "NXT_SERVER: $host is $addr"
	echo "$addr:$port"
}
# render VAR KEY DEFAULT: "KEY = <value of VAR>" typed like DEFAULT.
render() {
	var=$1 key=$2 default=$3
	value=$(printenv "$var")
	[ "$(printf '%s' "$value" | wc -l)" = 0 ] || die "$var: one line only"
	case $default in
	\"*)
		if [ "$daemon $key" = "nxt-clientd server" ] && [ -n "$value" ]; then value=$(resolve "$value"); fi
		echo "$key = $(toml_string "$value")" ;;
	\[*)
		case $value in
		\[*) echo "$key = $value" ;;
		'') echo "$key = []" ;;
		*)
			printf '%s = [' "$key"
			sep=''
			# No globbing while splitting on commas.
			set -f; old_ifs=$IFS; IFS=,
			for item in $value; do printf '%s%s' "$sep" "$(toml_string "$item")"; sep=', '; done
			IFS=$old_ifs; set +f
			echo ']' ;;
		esac ;;
	true | false)
		case $value in true | false) echo "$key = $value" ;; *) die "$var=$value: expected true or false" ;; esac ;;
	*)
		case $value in '' | *[!0-9]*) die "$var=$value: expected a whole number" ;; esac
		echo "$key = $value" ;;
	esac
}

out=${TMPDIR:-/tmp}/nxt-$name.toml
keys=''
{
	echo "# Written by nxt-container-entrypoint: $base with these keys from NXT_* variables."
	for var in $vars; do
		key=$(echo "${var#NXT_}" | tr '[:upper:]' '[:lower:]')
		default=$(printf '%s\n' "$defaults" | sed -n "s/^#$key = //p")
		[ -n "$default" ] || die "$var: $daemon has no config key '$key' (keys: $(printf '%s\n' "$defaults" | sed -n 's/^#\([a-z_]*\) = .*/\1/p' | paste -sd' '))"
		render "$var" "$key" "$default"
		keys="$keys $key"
	done
	echo
	# The file has no tables (the schema is flat): dropping a key's line and
	# putting the new one first is all a merge needs.
	drop=$(for k in $keys; do printf '/^[[:space:]]*%s[[:space:]]*=/d;' "$k"; done)
	sed "$drop" "$base"
} >"$out.new"
mv "$out.new" "$out"
say "$daemon --config $out ($base +$keys)"
exec "$daemon" --config "$out" "$@"
