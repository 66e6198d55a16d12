#!/bin/bash
# Cross-builds what an arm64 host runs — nxt-clientd and the sample plug-ins,
# nothing else — with Debian's g++-aarch64-linux-gnu, into BUILD_DIR
# (default build-arm64). tests/integration/test_platforms.py runs that client
# under qemu-user next to a native one.
#
# As root it installs what it needs first (arm64 as a dpkg foreign
# architecture, the cross compiler, qemu-user-static and the arm64 -dev
# packages of the client's libraries). libevent-dev is not Multi-Arch: same in
# Debian 12, so only its arm64 runtime libraries are installed and the
# link-time names (.so, .pc) are made here; its headers are the same on both
# architectures (both LP64 little-endian).
# Exit 0: built. Exit 77: cannot build here (not root and packages missing).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${BUILD_DIR:-build-arm64}
pkgs=(g++-aarch64-linux-gnu qemu-user-static libprotobuf-dev:arm64 libssl-dev:arm64 libsystemd-dev:arm64
      libsqlite3-dev:arm64 libtomlplusplus-dev:arm64 libevent-core-2.1-7:arm64 libevent-extra-2.1-7:arm64)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) != 0 ]]; then
    echo "build-arm64: SKIP: missing ${missing[*]} and not root to install them" >&2
    exit 77
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then dpkg --add-architecture arm64; fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# libevent's link-time names for arm64 (see above).
dev="$PWD/$BUILD_DIR/arm64-dev"
mkdir -p "$dev"
for lib in core extra; do
  ln -sfn "/usr/lib/aarch64-linux-gnu/libevent_$lib-2.1.so.7" "$dev/libevent_$lib.so"
  printf 'libdir=%s\nName: libevent_%s\nDescription: libevent_%s (arm64)\nVersion: 2.1.12-stable\nLibs: -L${libdir} -levent_%s\nCflags:\n' \
    "$dev" "$lib" "$lib" "$lib" > "$dev/libevent_$lib.pc"
done

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# -O2 like the native build (same warnings under -Werror), no debug info: CI time.
NXT_CROSS_PKG_CONFIG="$dev" cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
  -DCMAKE_TOOLCHAIN_FILE="$PWD/tests/cross/aarch64-linux-gnu.cmake" -DNXT_BUILD_TESTS=OFF "${launcher[@]}" >/dev/null
cmake --build "$BUILD_DIR" --target nxt-clientd nxt_functional nxt_functional_1_0 nxt_functional_2_0
file "$BUILD_DIR/daemon/client/nxt-clientd" 2>/dev/null || true
