# CMake toolchain for an arm64 (aarch64) build of nxt-clientd and the sample
# plug-ins with Debian's cross compiler (g++-aarch64-linux-gnu), against the
# arm64 libraries installed multiarch (/usr/lib/aarch64-linux-gnu). protoc
# runs natively: it only writes C++. Used by tests/cross/build-arm64.sh.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
# Programs (protoc) from the build host; libraries and headers for the target.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(Protobuf_PROTOC_EXECUTABLE /usr/bin/protoc CACHE FILEPATH "native protoc")
# build-arm64.sh makes libevent's arm64 .pc files in NXT_CROSS_PKG_CONFIG;
# cached so that a re-configure run by ninja finds them too.
if(DEFINED ENV{NXT_CROSS_PKG_CONFIG})
  set(NXT_CROSS_PKG_CONFIG "$ENV{NXT_CROSS_PKG_CONFIG}" CACHE PATH "arm64 .pc files made by build-arm64.sh")
endif()
set(ENV{PKG_CONFIG_LIBDIR} "${NXT_CROSS_PKG_CONFIG}:/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
