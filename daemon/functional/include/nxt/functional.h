/*
 * nxt plug-in ABI, version 1 — the only contract between nxt-clientd and a
 * plug-in library (libfunctional.so). Plain C so that a plug-in built by any
 * compiler works and nothing C++ (exceptions, std types, name mangling)
 * crosses dlopen.
 *
 * For plug-in authors:
 *   - Build a shared object that exports the functions below with C linkage
 *     and default visibility (NXT_FUNCTIONAL_EXPORT does that), e.g.
 *       cc -shared -fPIC -fvisibility=hidden -o libfunctional.so my_plugin.c
 *   - nxt_functional_abi() must return NXT_FUNCTIONAL_ABI. The host calls it
 *     before anything else and refuses the file if it differs.
 *   - nxt_functional_version() fills *out and returns 0. `product` must point
 *     at static storage: 1-63 characters of [A-Za-z0-9._+-] (it goes into log
 *     lines and journal fields). Return non-zero if the plug-in cannot run.
 *   - nxt_functional_selftest() is optional. Return 0 if healthy. It runs
 *     first in a throw-away child process with a time limit (2 s by default),
 *     so it may do real work, but it must not wait for input or fork.
 *   - Never let a C++ exception escape any of these functions; never call
 *     exit(). Don't rely on being unloaded: the host may keep old and new
 *     builds loaded side by side while it swaps them, so keep no state that
 *     two copies would fight over (files, sockets, signal handlers).
 *   - Each build is loaded from its own path; the file is never rewritten in
 *     place, so there is no need for a SONAME.
 */
#ifndef NXT_FUNCTIONAL_H_
#define NXT_FUNCTIONAL_H_

#include <stdint.h>

#define NXT_FUNCTIONAL_ABI 1

#if defined(__GNUC__) || defined(__clang__)
#define NXT_FUNCTIONAL_EXPORT __attribute__((visibility("default")))
#else
#define NXT_FUNCTIONAL_EXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

struct nxt_functional_version {
  uint32_t major, minor;
  const char *product; /* static storage, e.g. "nxtgen" */
};

/* Required. Returns NXT_FUNCTIONAL_ABI of the header the plug-in was built with. */
NXT_FUNCTIONAL_EXPORT uint32_t nxt_functional_abi(void);

/* Required. Fills *out; returns 0 on success.
 * The function shares its name with the struct (as the ABI was first
 * published). C is fine with that; C++ code must write
 * `struct nxt_functional_version` for the type, and GCC's -Wshadow would
 * flag the declaration, hence the pragma. */
#if defined(__cplusplus) && defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
#endif
NXT_FUNCTIONAL_EXPORT int nxt_functional_version(struct nxt_functional_version *out);
#if defined(__cplusplus) && defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

/* Optional. Returns 0 if the plug-in is healthy on this host. */
NXT_FUNCTIONAL_EXPORT int nxt_functional_selftest(void);

/* Function pointer types, for hosts that resolve the symbols with dlsym. */
typedef uint32_t (*nxt_functional_abi_fn)(void);
typedef int (*nxt_functional_version_fn)(struct nxt_functional_version *out);
typedef int (*nxt_functional_selftest_fn)(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* NXT_FUNCTIONAL_H_ */
