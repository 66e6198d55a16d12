# shellcheck shell=bash
# System checks for Debian packages as payloads, on the booted hosts: the
# shipped drop-in (/usr/share/nxt/nxt-clientd-packages.conf) plus
# packages = true let nxt-clientd install a pushed .deb with the host's real
# dpkg; a package whose postinst fails is rolled back; then the host goes back
# to the default (no drop-in, packages off). Sourced by run.sh after checks.sh.

# make_deb VERSION POSTINST-EXIT: /root/nxt-systest-hello_VERSION_all.deb on h1.
make_deb() {
  on h1 sh -ec "d=/root/hello-$1; mkdir -p \$d/DEBIAN \$d/usr/share/nxt-systest-hello
    echo $1 > \$d/usr/share/nxt-systest-hello/version
    printf 'Package: nxt-systest-hello\nVersion: $1\nArchitecture: all\nMaintainer: nxt <t@nxt.invalid>\nDescription: nxt system test\n' > \$d/DEBIAN/control
    printf '#!/bin/sh\nexit $2\n' > \$d/DEBIAN/postinst; chmod 755 \$d/DEBIAN/postinst
    dpkg-deb --root-owner-group -Zgzip --build \$d /root/nxt-systest-hello_$1_all.deb >/dev/null"
}
hello_installed() { on h2 dpkg-query -W -f='${db:Status-Status} ${Version}\n' nxt-systest-hello | grep -x "installed $1"; }

t_package_payload() {
  local c
  on h2 mkdir -p /etc/systemd/system/nxt-clientd.service.d
  on h2 cp /usr/share/nxt/nxt-clientd-packages.conf /etc/systemd/system/nxt-clientd.service.d/packages.conf
  on h2 sed -i -e '1i packages = true' -e '/^[[:space:]]*packages[[:space:]]*=/d' "$CLIENT_TOML"
  on h2 systemctl daemon-reload
  c=$(cursor h2)
  on h2 systemctl restart nxt-clientd
  wait_log h2 nxt-clientd "registered with" 20 --after-cursor="$c"
  make_deb 1.0 0
  make_deb 2.0 1
  on h1 nxtctl push --no-progress /root/nxt-systest-hello_1.0_all.deb
  hello_installed 1.0
  on h2 grep -x 1.0 /usr/share/nxt-systest-hello/version
  wait_log h2 nxt-clientd "package installed: nxt-systest-hello 1\.0 \(new\)" 10 --after-cursor="$c"
  if on h1 nxtctl push --no-progress /root/nxt-systest-hello_2.0_all.deb; then
    echo "a package whose postinst fails was reported installed"; return 1
  fi
  wait_log h2 nxt-clientd "not installed: .*rolled back to nxt-systest-hello 1\.0" 10 --after-cursor="$c"
  hello_installed 1.0
}
t_package_payload_off_again() {
  local c
  on h2 rm /etc/systemd/system/nxt-clientd.service.d/packages.conf
  on h2 sed -i '/^packages = true$/d' "$CLIENT_TOML"
  on h2 systemctl daemon-reload
  c=$(cursor h2)
  on h2 systemctl restart nxt-clientd
  wait_log h2 nxt-clientd "registered with" 20 --after-cursor="$c"
  [ "$(on h2 systemctl show -p User --value nxt-clientd)" = nxt ]
  wait_for 15 status_says 8.6 || true
  status_says 8.6
}
