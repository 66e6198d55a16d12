#include "plugin/probe.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <ctime>

#include "base/unique_fd.h"

namespace nxt::plugin::detail {
namespace {

enum class Kind : uint32_t { kStage, kReport, kDlopenFailed };

// One message from the child. Sent whole with one write(2) of at most
// PIPE_BUF bytes, which the kernel delivers atomically.
struct ProbeMessage {
  Kind kind = Kind::kStage;
  AbiReport report;
  char dlerror[512] = {};
};
static_assert(sizeof(ProbeMessage) <= PIPE_BUF);

// ---- child side: only system calls and the plug-in; leaves through _exit ----

void Send(int fd, const ProbeMessage& m) {
  // Best effort: if the parent gave up and closed the pipe, EPIPE is fine.
  while (::write(fd, &m, sizeof m) < 0 && errno == EINTR) {
  }
}

// The daemon's handlers (libevent's signal pipe, crash reporters) must not run
// in the child: a crash has to kill it with the plug-in's own signal.
void ResetSignalsForChild() {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);  // EINVAL for KILL/STOP: fine
  struct sigaction ign {};
  ign.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ign, nullptr);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

[[noreturn]] void RunChild(const char* path, bool run_selftest, int fd, pid_t parent) {
  ::setpgid(0, 0);  // own group: a timeout kill also reaches whatever the plug-in forked
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(127);
  ResetSignalsForChild();
  // A plug-in crashing here is expected; no core dump or coredump journal entry for it.
  ::prctl(PR_SET_DUMPABLE, 0);
  const struct rlimit no_core {0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
  ::prctl(PR_SET_NAME, "nxt-probe");  // 15 chars max; what ps and journal show

  ProbeMessage m;
  Send(fd, m);  // stage: loading (constructors run inside dlopen)
  void* handle = ::dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    m.kind = Kind::kDlopenFailed;
    const char* err = ::dlerror();
    std::strncpy(m.dlerror, err ? err : "dlopen failed", sizeof m.dlerror - 1);
    Send(fd, m);
    ::_exit(0);
  }
  m.report = CallPlugin(handle, run_selftest, [&](Stage s) {
    m.report.stage = s;
    Send(fd, m);
  });
  m.kind = Kind::kReport;
  Send(fd, m);
  ::_exit(0);  // no atexit handlers, no static destructors, no dlclose
}

// ---- parent side ----

int64_t NowMs() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1'000'000;
}

// Owns the child: whatever happens, it ends up killed (with its process group) and reaped.
class ProbeChild {
 public:
  explicit ProbeChild(pid_t pid) : pid_(pid) { ::setpgid(pid_, pid_); }  // also in the child: no race
  ~ProbeChild() { KillAndReap(); }
  ProbeChild(const ProbeChild&) = delete;
  ProbeChild& operator=(const ProbeChild&) = delete;

  // Returns the wait status, or -1 if the child could not be reaped.
  int KillAndReap() {
    if (pid_ <= 0) return status_;
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);  // in case setpgid failed
    int status = 0;
    pid_t r;
    while ((r = ::waitpid(pid_, &status, 0)) < 0 && errno == EINTR) {
    }
    status_ = r == pid_ ? status : -1;
    pid_ = -1;
    return status_;
  }

 private:
  pid_t pid_;
  int status_ = -1;
};

struct Reading {
  ProbeMessage last;  // the last complete message
  bool timed_out = false;
};

bool IsFinal(const ProbeMessage& m) { return m.kind != Kind::kStage; }

// Reads messages until the final one, EOF (the child is gone) or the deadline.
Reading ReadUntilFinal(int fd, int timeout_ms) {
  Reading out;
  const int64_t deadline = NowMs() + timeout_ms;
  ProbeMessage buf;
  size_t have = 0;
  while (!IsFinal(out.last)) {
    const int64_t left = deadline - NowMs();
    if (left <= 0) {
      out.timed_out = true;
      break;
    }
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left));
    if (ready == 0 || (ready < 0 && errno == EINTR)) continue;  // re-check the deadline
    if (ready < 0) break;
    const ssize_t n = ::read(fd, reinterpret_cast<char*>(&buf) + have, sizeof buf - have);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: the child died or exited
    have += static_cast<size_t>(n);
    if (have == sizeof buf) {
      out.last = buf;
      have = 0;
    }
  }
  return out;
}

std::string SignalName(int sig) {
  switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGILL: return "SIGILL";
    case SIGFPE: return "SIGFPE";
    case SIGABRT: return "SIGABRT";
    case SIGTRAP: return "SIGTRAP";
    case SIGSYS: return "SIGSYS";
    case SIGKILL: return "SIGKILL";
    case SIGTERM: return "SIGTERM";
    default: return "signal " + std::to_string(sig);
  }
}

Result<AbiReport> Interpret(const std::string& path, const Reading& r, int status, int timeout_ms) {
  const ProbeMessage& m = r.last;
  if (m.kind == Kind::kDlopenFailed) return Error(Errc::kPlugin, WithoutPathPrefix(path, m.dlerror));
  if (m.kind == Kind::kReport) {
    if (m.report.outcome != Outcome::kOk) return Error(Errc::kPlugin, Describe(m.report));
    return m.report;
  }
  const std::string subject(StageSubject(m.report.stage));
  if (r.timed_out) return Error(Errc::kPlugin, subject + " timed out after " + std::to_string(timeout_ms) + " ms");
  if (status != -1 && WIFSIGNALED(status)) {
    return Error(Errc::kPlugin, subject + " crashed (" + SignalName(WTERMSIG(status)) + ")");
  }
  if (status != -1 && WIFEXITED(status)) {
    return Error(Errc::kPlugin, subject + " ended the process (exit status " +
                                    std::to_string(WEXITSTATUS(status)) + ")");
  }
  return Error(Errc::kPlugin, subject + ": probe ended without a report");
}

}  // namespace

Result<AbiReport> ProbeInChild(const std::string& path, bool run_selftest, int timeout_ms) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return ErrnoError("probe: pipe2");
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return ErrnoError("probe: fork");
  if (pid == 0) {
    ::close(fds[0]);  // the child's own copy; nothing shared is touched
    RunChild(path.c_str(), run_selftest, fds[1], parent);
  }
  ProbeChild child(pid);
  write_end.Reset();  // so EOF means the child is gone
  const Reading reading = ReadUntilFinal(read_end.get(), timeout_ms);
  const int status = child.KillAndReap();
  return Interpret(path, reading, status, timeout_ms);
}

}  // namespace nxt::plugin::detail
