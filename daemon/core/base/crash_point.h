// Crash points: a test hook that kills or freezes a daemon at a named step
// (tests/faults/test_crash.py). Compiled in only with the build option
// NXT_CRASH_POINTS=ON (off by default and in the packages); otherwise
// NXT_CRASH_POINT(name) is empty and costs nothing.
//
// With the option on, the environment variable NXT_CRASH_AT=<point>[:<n>[:stop]]
// makes the n-th pass (default 1st) through NXT_CRASH_POINT("<point>") log
// "nxt crash point <point> reached" to stderr and then SIGKILL the process
// (a kill -9 at exactly that step) or, with ":stop", SIGSTOP it so a test can
// copy the state directory as a power cut would leave it, then kill it.
// The counter is process-wide on purpose: it is a test hook, never built into
// a shipped daemon.
#pragma once

#ifdef NXT_CRASH_POINTS
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace nxt::crash {

inline void Hit(const char* point) {
  static const char* spec = std::getenv("NXT_CRASH_AT");
  static int hits = 0;
  if (!spec) return;
  std::string s(spec), name = s.substr(0, s.find(':'));
  if (name != point) return;
  std::string rest = name.size() < s.size() ? s.substr(name.size() + 1) : "";
  int at = rest.empty() ? 1 : std::atoi(rest.c_str());
  bool stop = rest.find(":stop") != std::string::npos;
  if (++hits != (at > 0 ? at : 1)) return;
  std::fprintf(stderr, "nxt crash point %s reached (pass %d), %s\n", point, hits, stop ? "stopping" : "killing");
  std::fflush(stderr);
  ::raise(stop ? SIGSTOP : SIGKILL);
}

}  // namespace nxt::crash

#define NXT_CRASH_POINT(name) ::nxt::crash::Hit(name)
#else
#define NXT_CRASH_POINT(name) ((void)0)
#endif
