# shellcheck shell=bash
# The system-test checks, in the order an operator meets them: install, start,
# configure, push, restart, reload, IPv6, upgrade, remove, purge. Sourced by
# run.sh, which provides check/require, on/wait_log/wait_for and the host and
# package variables. Each check body runs with errexit: any failing command
# fails the check, and its output is printed.

VERSION_RE='product version : Major = ([0-9]+) Minor = ([0-9]+) productName = nxtgen'
CLIENT_TOML=/etc/nxt/clientd.toml

# Journal position on HOST, so later checks see only what came after it.
cursor() { on "$1" journalctl -q -n1 -o export | sed -n 's/^__CURSOR=//p'; }
main_pid() { on "$1" systemctl show -p MainPID --value "$2"; }
# client_versions [CURSOR]: the "product version" lines nxt-clientd logged (after CURSOR).
client_versions() {
  on h2 journalctl -q -u nxt-clientd -o cat --no-pager ${1:+--after-cursor="$1"} | grep -oE "$VERSION_RE"
}
# wait_version MAJOR.MINOR [CURSOR]: nxt-clientd logs that version (after CURSOR) within 20 s.
wait_version() {
  local want="product version : Major = ${1%.*} Minor = ${1#*.} productName = nxtgen"
  for _ in $(seq 60); do
    client_versions "${2:-}" | grep -qxF "$want" && return 0
    sleep 0.3
  done
  echo "nxt-clientd never logged '$want'; it logged:"; client_versions "${2:-}"
  return 1
}
status_says() {  # nxtctl status on h2 says the client runs MAJOR.MINOR
  local out
  out=$(on h2 nxtctl --socket /run/nxt/clientd.sock status)
  echo "$out"
  grep -E "^running: +nxtgen $1 " <<<"$out" >/dev/null
}
clients_list() {  # nxtctl clients on h1 lists h2 at ADDRESS-REGEX
  local out
  out=$(on h1 nxtctl clients)
  echo "$out"
  grep -E "^h2 +$1:[0-9]+ " <<<"$out" >/dev/null
}
set_client_opt() {  # KEY VALUE: set a key of h2's client config (the shipped file has no tables)
  # Insert first: once `d` deletes line 1, sed runs no further command on it.
  on h2 sed -i -e "1i $1 = \"$2\"" -e "/^[[:space:]]*$1[[:space:]]*=/d" "$CLIENT_TOML"
  on h2 grep -n "^$1 = " "$CLIENT_TOML"
}
set_server() { set_client_opt server "$1"; }
set_client_raw() {  # KEY TOML-VALUE: like set_client_opt, for arrays
  on h2 sed -i -e "1i $1 = $2" -e "/^[[:space:]]*$1[[:space:]]*=/d" "$CLIENT_TOML"
  on h2 grep -n "^$1 = " "$CLIENT_TOML"
}

# ---- install and start
t_install_server() { on h1 dpkg -i "$(b "$CTL_DEB")" "$(b "$SERVER_DEB")"; }
t_install_client() { on h2 dpkg -i "$(b "$CTL_DEB")" "$(b "$CLIENT_DEB")"; }
t_server_active() {
  wait_for 15 on h1 systemctl is-active -q nxt-serverd.socket nxt-serverd.service || true
  on h1 systemctl is-active nxt-serverd.socket nxt-serverd.service
}
t_server_socket_perms() {
  local s
  s=$(on h1 stat -c '%U:%G %a %F' /run/nxt/serverd.sock)
  echo "/run/nxt/serverd.sock: $s"
  [ "$s" = "root:nxt 660 socket" ] || [[ "$s" =~ ^[a-z_-]+:nxt\ 660\ socket$ ]]
}
t_server_unprivileged() {
  local u
  u=$(on h1 ps -o user= -C nxt-serverd)
  echo "nxt-serverd runs as '$u'"
  [ -n "$u" ] && [ "$u" != root ]
}
t_units_verify() {
  local out
  out=$(on h1 systemd-analyze verify --man=no nxt-serverd.socket nxt-serverd.service 2>&1
        on h2 systemd-analyze verify --man=no nxt-clientd.service 2>&1)
  echo "$out"
  [ -z "$out" ]
}
t_server_identity() {  # the server made its identity; keep the public half for h2's config
  on h1 cat /var/lib/nxt/server/identity.pub >"$ST_W/server.pub"
  cat "$ST_W/server.pub"
  grep -E '^nxt-x25519-public [A-Za-z0-9+/=]+$' "$ST_W/server.pub" >/dev/null
}
t_publisher() {  # a publisher key on h1; the server signs plain pushes with it
  on h1 nxtctl keygen --out /etc/nxt/publisher.key
  on h1 chown nxt:nxt /etc/nxt/publisher.key
  on h1 sed -i -e '1i publisher_key = "/etc/nxt/publisher.key"' /etc/nxt/serverd.toml
  on h1 systemctl restart nxt-serverd
  wait_for 15 on h1 systemctl is-active -q nxt-serverd || true
  on h1 systemctl is-active nxt-serverd
  on h1 cat /etc/nxt/publisher.key.pub >"$ST_W/publisher.pub"
  wait_log h1 nxt-serverd "signing releases as ed25519:" 15
}
t_client_starts() {
  local c
  c=$(cursor h2)
  set_server "$SERVER4:$PORT"
  set_client_opt server_key "$(cat "$ST_W/server.pub")"
  set_client_raw trusted_publishers "[\"$(cat "$ST_W/publisher.pub")\"]"
  on h2 systemctl restart nxt-clientd
  on h2 systemctl is-active nxt-clientd
  wait_version 5.6 "$c"
  wait_log h2 nxt-clientd "registered with $SERVER4:$PORT" 15 --after-cursor="$c"
}
t_push_to_pending_refused() {  # a new host is pending: it shows as such and gets nothing
  local out rc=0
  wait_for 15 clients_list "${CLIENT4//./\\.}" || true
  out=$(on h1 nxtctl clients)
  echo "$out"
  grep -E "^h2 +${CLIENT4//./\\.}:[0-9]+ .* pending " <<<"$out" >/dev/null
  on h1 nxtctl push --no-progress /root/libfunctional_2_0.so || rc=$?
  echo "nxtctl push exited $rc"
  [ $rc != 0 ]
  if client_versions | grep -q 'Major = 8'; then echo "the pending host installed 8.6"; return 1; fi
}
t_approve() {
  on h1 nxtctl clients approve h2
  wait_for 15 clients_list_active "${CLIENT4//./\\.}" || true
  clients_list_active "${CLIENT4//./\\.}"
}
clients_list_active() { local out; out=$(on h1 nxtctl clients); echo "$out"; grep -E "^h2 +$1:[0-9]+ .* active " <<<"$out" >/dev/null; }
status_text_says() {
  local s
  s=$(on h1 systemctl show -p StatusText --value nxt-serverd)
  echo "StatusText: '$s'"
  [[ $s =~ $1 ]]
}
t_server_status_text() {
  local s
  wait_for 20 status_text_says "1 client" || true
  status_text_says "1 client"
}

# ---- push, restart, reload
t_push_2_0() {  # run_checks sets PID_BEFORE and C1 (a check runs in a subshell)
  on h1 nxtctl push --no-progress /root/libfunctional_2_0.so
}
t_push_logged_8_6() {
  wait_version 8.6 "$C1"
  local pid
  pid=$(main_pid h2 nxt-clientd)
  echo "MainPID before the push $PID_BEFORE, after $pid"
  [ "$pid" = "$PID_BEFORE" ]
}
t_journal_fields() {
  local out
  out=$(on h2 journalctl -u nxt-clientd -o verbose --no-pager --after-cursor="$C1")
  grep -E '^ +NXT_MAJOR=8$' <<<"$out" >/dev/null || { echo "no NXT_MAJOR=8 field"; echo "$out" | tail -40; return 1; }
  grep -E '^ +MESSAGE_ID=[0-9a-f]{32}$' <<<"$out" >/dev/null || { echo "no MESSAGE_ID field"; echo "$out" | tail -40; return 1; }
}
t_restart_keeps_8_6() {
  local c
  c=$(cursor h2)
  on h2 systemctl restart nxt-clientd
  on h2 systemctl is-active nxt-clientd
  wait_version 8.6 "$c"
  if client_versions "$c" | grep -q 'Major = 5'; then echo "the restarted client logged 5.6:"; client_versions "$c"; return 1; fi
  status_says 8.6
}
t_reload_bad_config() {
  local c pid
  on h2 cp "$CLIENT_TOML" /root/clientd.toml.good
  on h2 sh -c "echo 'no_such_key = 1' >> $CLIENT_TOML"
  pid=$(main_pid h2 nxt-clientd)
  c=$(cursor h2)
  on h2 systemctl reload nxt-clientd || echo "(systemctl reload exited non-zero)"
  wait_log h2 nxt-clientd "clientd\.toml:[0-9]+.*no_such_key" 10 --after-cursor="$c" ||
    { echo "no file:line error for the bad key:"; on h2 journalctl -u nxt-clientd -o cat --no-pager --after-cursor="$c"; return 1; }
  on h2 journalctl -u nxt-clientd -o cat --no-pager --after-cursor="$c"
  on h2 systemctl is-active nxt-clientd
  [ "$(main_pid h2 nxt-clientd)" = "$pid" ] || { echo "MainPID changed: the bad reload restarted the daemon"; return 1; }
  status_says 8.6
}
t_reload_good_config() {
  on h2 cp /root/clientd.toml.good "$CLIENT_TOML"
  on h2 systemctl reload nxt-clientd
  on h2 systemctl is-active nxt-clientd
  status_says 8.6
}
t_start_refuses_bad_config() {
  local out rc=0
  on h2 sh -c "cp $CLIENT_TOML /root/bad.toml; echo 'selftest_timeout_ms = \"soon\"' >> /root/bad.toml"
  out=$(ST_TIMEOUT=10 on h2 nxt-clientd --config /root/bad.toml --control-socket /run/nxt/bad.sock \
        --state-dir /root/bad-state --log-target stderr 2>&1) || rc=$?
  echo "exit $rc: $out"
  [ $rc != 0 ] && [ $rc != 124 ] && grep -E 'bad\.toml:[0-9]+.*selftest_timeout_ms' <<<"$out" >/dev/null
}

# ---- IPv6 between the hosts
t_client_over_v6() {
  local c
  c=$(cursor h2)
  set_server "[$SERVER6]:$PORT"
  on h2 systemctl restart nxt-clientd
  on h2 systemctl is-active nxt-clientd
  wait_log h2 nxt-clientd "registered with \[$SERVER6\]:$PORT" 15 --after-cursor="$c"
  wait_for 15 clients_list "\[$CLIENT6\]" || true
  clients_list "\[$CLIENT6\]"
}
t_push_v6() {  # FILE MAJOR.MINOR [nxtctl flags]
  local c
  c=$(cursor h2)
  on h1 nxtctl push --no-progress "/root/$1" "${@:3}"
  wait_version "$2" "$c"
  status_says "$2"
}

# ---- upgrade, remove, purge
t_upgrade_server() {  # run_checks sets SERVER_PID_BEFORE and marks serverd.toml
  local out
  on h1 dpkg -i "$(b "$CTL_DEB2")" "$(b "$SERVER_DEB2")"
  on h1 dpkg-query -W nxt-server | grep '+systest1$'
  on h1 grep -x '# systest: an edit that an upgrade must keep' /etc/nxt/serverd.toml
  wait_for 15 on h1 systemctl is-active -q nxt-serverd.socket nxt-serverd.service || true
  on h1 systemctl is-active nxt-serverd.socket nxt-serverd.service
  [ "$(main_pid h1 nxt-serverd)" != "$SERVER_PID_BEFORE" ] || { echo "nxt-serverd was not restarted by the upgrade"; return 1; }
  # Right after the restart, before h2 renews its lease (every 20 s): the
  # registry and the last push result come from the kept state.db.
  out=$(on h1 nxtctl clients)
  echo "$out"
  grep -E "^h2 +\[$CLIENT6\]:[0-9]+ .*nxtgen 8\.6 .* installed *$" <<<"$out" >/dev/null
}
t_upgrade_client() {
  local c
  c=$(cursor h2)
  on h2 dpkg -i "$(b "$CTL_DEB2")" "$(b "$CLIENT_DEB2")"
  on h2 dpkg-query -W nxt-client | grep '+systest1$'
  on h2 grep -x "server = \"\[$SERVER6\]:$PORT\"" "$CLIENT_TOML"   # config kept
  [ "$(main_pid h2 nxt-clientd)" != "$CLIENT_PID_BEFORE" ] || { echo "nxt-clientd was not restarted by the upgrade"; return 1; }
  wait_for 15 on h2 systemctl is-active -q nxt-clientd || true
  on h2 systemctl is-active nxt-clientd
  if client_versions "$c" | grep -q 'Major = 5'; then echo "after the upgrade the client logged 5.6:"; client_versions "$c"; return 1; fi
  wait_for 15 status_says 8.6 || true
  status_says 8.6
  wait_for 15 clients_list "\[$CLIENT6\]" || true
  clients_list "\[$CLIENT6\]"
}
t_remove_server_keeps_state() {
  on h1 dpkg -r nxt-server
  on h1 test -f /var/lib/nxt/server/state.db
  on h1 test -f /etc/nxt/serverd.toml   # remove keeps conffiles
  if on h1 systemctl is-active nxt-serverd.socket nxt-serverd.service; then echo "still active after remove"; return 1; fi
  if on h1 pgrep -x nxt-serverd; then echo "nxt-serverd still running after remove"; return 1; fi
}
t_purge_server() {
  on h1 dpkg --purge nxt-server
  if on h1 test -e /var/lib/nxt/server; then on h1 ls -la /var/lib/nxt/server; echo "state left after purge"; return 1; fi
  if on h1 test -e /etc/nxt/serverd.toml; then echo "/etc/nxt/serverd.toml left after purge"; return 1; fi
}
t_purge_client() {
  on h2 dpkg --purge nxt-client
  if on h2 test -e /var/lib/nxt/client; then on h2 ls -la /var/lib/nxt/client; echo "state left after purge"; return 1; fi
  if on h2 test -e "$CLIENT_TOML"; then echo "$CLIENT_TOML left after purge"; return 1; fi
  if on h2 pgrep -x nxt-clientd; then echo "nxt-clientd still running after purge"; return 1; fi
}

t_side_by_side() {  # one host running both daemons: the packages must not conflict
  on h1 dpkg -i "$(b "$CTL_DEB2")" "$(b "$SERVER_DEB")" "$(b "$CLIENT_DEB")"
  wait_for 15 on h1 systemctl is-active -q nxt-serverd.socket nxt-serverd.service nxt-clientd.service || true
  on h1 systemctl is-active nxt-serverd.socket nxt-serverd.service nxt-clientd.service
  on h1 nxtctl status >/dev/null
  on h1 nxtctl --socket /run/nxt/clientd.sock status >/dev/null
}

run_checks() {
  require "h1: dpkg -i nxtctl nxt-server" t_install_server
  require "h1: nxt-serverd.socket and nxt-serverd.service active" t_server_active
  check "h1: /run/nxt/serverd.sock is group nxt, mode 0660" t_server_socket_perms
  check "h1: nxt-serverd does not run as root" t_server_unprivileged
  require "h2: dpkg -i nxtctl nxt-client" t_install_client
  check "h1, h2: systemd-analyze verify --man=no on the installed units prints nothing" t_units_verify
  require "h1: nxt-serverd made its identity (/var/lib/nxt/server/identity.pub)" t_server_identity
  require "h1: nxtctl keygen a publisher key; nxt-serverd restarted with publisher_key signs with it" t_publisher
  require "h2: server = $SERVER4:$PORT, server_key and trusted_publishers set, restart: registered, journal shows nxtgen 5.6" t_client_starts
  check "h1: nxtctl clients lists h2 at $CLIENT4 as pending; a push to it is refused" t_push_to_pending_refused
  require "h1: nxtctl clients approve h2: listed at $CLIENT4 as active" t_approve
  check "h1: nxt-serverd STATUS= says 1 client" t_server_status_text
  PID_BEFORE=$(main_pid h2 nxt-clientd) C1=$(cursor h2)
  require "h1: nxtctl push /root/libfunctional_2_0.so exits 0" t_push_2_0
  check "h2: journal shows nxtgen 8.6, same MainPID (no restart)" t_push_logged_8_6
  check "h2: journalctl -o verbose has NXT_MAJOR=8 and MESSAGE_ID" t_journal_fields
  check "h2: systemctl restart nxt-clientd: journal and nxtctl status say 8.6" t_restart_keeps_8_6
  check "h2: reload with an unknown key: error with file:line, keeps running 8.6" t_reload_bad_config
  check "h2: reload with the config restored: active, 8.6" t_reload_good_config
  check "h2: nxt-clientd refuses a bad config at start with file:line and key" t_start_refuses_bad_config
  require "h2: server = [$SERVER6]:$PORT, restart: registered, listed at $CLIENT6" t_client_over_v6
  check "h1->h2 over IPv6: push libfunctional_1_0.so --downgrade (8.6 -> 5.6 needs it), client logs 5.6" \
    t_push_v6 libfunctional_1_0.so 5.6 --downgrade
  check "h1->h2 over IPv6: push libfunctional_2_0.so, client logs 8.6" t_push_v6 libfunctional_2_0.so 8.6
  on h1 sh -c 'echo "# systest: an edit that an upgrade must keep" >> /etc/nxt/serverd.toml'
  SERVER_PID_BEFORE=$(main_pid h1 nxt-serverd) CLIENT_PID_BEFORE=$(main_pid h2 nxt-clientd)
  check "h1: upgrade nxt-server to +systest1: restarted, config kept, h2 and its last push still listed" t_upgrade_server
  check "h2: upgrade nxt-client to +systest1: restarted, config kept, still 8.6" t_upgrade_client
  check "h2: with the packages drop-in and packages = true, a pushed .deb is installed by dpkg; a failing postinst is rolled back" \
    t_package_payload
  check "h2: drop-in removed, packages off: runs as nxt again, still 8.6" t_package_payload_off_again
  check "h2: dpkg --purge nxt-client removes /var/lib/nxt/client and $CLIENT_TOML" t_purge_client
  check "h1: dpkg -r nxt-server stops it, keeps /var/lib/nxt/server and the config" t_remove_server_keeps_state
  check "h1: dpkg --purge nxt-server removes /var/lib/nxt/server and the config" t_purge_server
  check "h1: nxt-server and nxt-client installed on one host: all three units active" t_side_by_side
}
