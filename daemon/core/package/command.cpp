#include "package/command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/unique_fd.h"

namespace nxt::package {
namespace {

using Clock = std::chrono::steady_clock;

// In the child, between fork and exec: only async-signal-safe calls.
[[noreturn]] void ExecChild(int out, char* const* argv, char* const* envp) {
  int null = ::open("/dev/null", O_RDONLY);
  if (null >= 0) ::dup2(null, 0);
  ::dup2(out, 1);
  ::dup2(out, 2);
  ::execvpe(argv[0], argv, envp);
  const char msg[] = "cannot execute the tool\n";
  (void)!::write(2, msg, sizeof msg - 1);
  ::_exit(127);
}

void Append(std::string& out, const char* data, size_t n) {
  out.append(data, n);
  if (out.size() > 2 * kMaxOutput) out.erase(0, out.size() - kMaxOutput);
}

}  // namespace

Result<CommandResult> RunCommand(const std::vector<std::string>& argv, std::chrono::seconds timeout,
                                 const std::vector<std::string>& env, const std::function<void()>& keepalive) {
  if (argv.empty()) return Error(Errc::kInvalidArgument, "no command");
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
  env_strings.insert(env_strings.end(), env.begin(), env.end());
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return ErrnoError("pipe");
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  const pid_t pid = ::fork();
  if (pid < 0) return ErrnoError("fork " + argv[0]);
  if (pid == 0) ExecChild(write_end.get(), args.data(), envp.data());
  write_end.Reset();

  CommandResult result;
  const auto deadline = Clock::now() + timeout;
  auto last_keepalive = Clock::now();
  char buf[4096];
  for (;;) {
    if (keepalive && Clock::now() - last_keepalive >= std::chrono::seconds(1)) {
      keepalive();
      last_keepalive = Clock::now();
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      result.timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    pollfd p{read_end.get(), POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::min<long>(left, 1000)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    const ssize_t n = ::read(read_end.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: the tool (and whatever it started) closed the pipe
    Append(result.output, buf, static_cast<size_t>(n));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (result.output.size() > kMaxOutput) result.output.erase(0, result.output.size() - kMaxOutput);
  return result;
}

std::string LastLines(const std::string& output, size_t lines) {
  std::vector<std::string> kept;
  size_t start = 0;
  while (start < output.size()) {
    size_t end = output.find('\n', start);
    if (end == std::string::npos) end = output.size();
    std::string line = output.substr(start, end - start);
    if (line.find_first_not_of(" \t\r") != std::string::npos) kept.push_back(line.substr(line.find_first_not_of(" \t")));
    start = end + 1;
  }
  std::string out;
  for (size_t i = kept.size() > lines ? kept.size() - lines : 0; i < kept.size(); ++i)
    out += (out.empty() ? "" : "; ") + kept[i];
  return out;
}

}  // namespace nxt::package
