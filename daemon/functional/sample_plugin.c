/*
 * The one source behind every plug-in built in the tree: the shipped default,
 * the version samples and the deliberately broken ones the loader's tests
 * need. Compile definitions pick the behaviour (see CMakeLists.txt):
 *
 *   NXT_SAMPLE_MAJOR, NXT_SAMPLE_MINOR   version reported (required)
 *   NXT_SAMPLE_ABI                       ABI reported (default NXT_FUNCTIONAL_ABI)
 *   NXT_SAMPLE_NO_VERSION                leave out nxt_functional_version
 *   NXT_SAMPLE_SELFTEST_FAIL             self-test returns 1
 *   NXT_SAMPLE_SELFTEST_CRASH            self-test writes through NULL (SIGSEGV)
 *   NXT_SAMPLE_SELFTEST_HANG             self-test never returns
 *   NXT_SAMPLE_PAD_BYTES                 add that many bytes of read-only data
 *   NXT_SAMPLE_BUILD                     build tag string embedded in the file, so
 *                                        same-version builds (the shipped 5.6 and the
 *                                        1_0 sample) are different releases
 *
 * Uses no libc at all, so the same file also cross-builds with -nostdlib.
 */
#include <stddef.h>

#include "nxt/functional.h"

#ifndef NXT_SAMPLE_ABI
#define NXT_SAMPLE_ABI NXT_FUNCTIONAL_ABI
#endif

#if !defined(NXT_SAMPLE_MAJOR) || !defined(NXT_SAMPLE_MINOR)
#error "define NXT_SAMPLE_MAJOR and NXT_SAMPLE_MINOR"
#endif

#ifdef NXT_SAMPLE_BUILD
__attribute__((used)) static const char kBuildTag[] = NXT_SAMPLE_BUILD;
#endif

#ifdef NXT_SAMPLE_PAD_BYTES
/* Makes the file big enough to measure transfer and hot-reload times with.
 * Non-zero first byte: the array lands in .rodata and occupies the file. */
__attribute__((used)) static const unsigned char kPadding[NXT_SAMPLE_PAD_BYTES] = {1};

/* Touches one byte per 4 KiB page so loading really maps the whole file. */
static int TouchPadding(void) {
  const volatile unsigned char *p = kPadding;
  unsigned sum = 0;
  for (size_t i = 0; i < sizeof kPadding; i += 4096) sum += p[i];
  return sum >= 1 ? 0 : 1;
}
#endif

uint32_t nxt_functional_abi(void) { return NXT_SAMPLE_ABI; }

#ifndef NXT_SAMPLE_NO_VERSION
int nxt_functional_version(struct nxt_functional_version *out) {
  if (out == NULL) return 1;
  out->major = NXT_SAMPLE_MAJOR;
  out->minor = NXT_SAMPLE_MINOR;
  out->product = "nxtgen";
  return 0;
}
#endif

int nxt_functional_selftest(void) {
#if defined(NXT_SAMPLE_SELFTEST_FAIL)
  return 1;
#elif defined(NXT_SAMPLE_SELFTEST_CRASH)
  /* Through a volatile pointer so the compiler cannot turn the store into a
   * trap (SIGILL) or drop the store: the loader's test wants a real SIGSEGV. */
  volatile int *volatile nowhere = NULL;
  *nowhere = 1;
  return 0;
#elif defined(NXT_SAMPLE_SELFTEST_HANG)
  volatile unsigned long spins = 0;
  for (;;) ++spins; /* a busy plug-in, not a sleeping one: only SIGKILL ends it */
#elif defined(NXT_SAMPLE_PAD_BYTES)
  return TouchPadding();
#else
  return 0;
#endif
}
