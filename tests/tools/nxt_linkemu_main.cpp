// nxt-linkemu: an impaired IP link between two network namespaces, for
// benchmarks that compare nxt with TCP and other UDP tools (this kernel has no
// tc netem, and nxt-impair relays only UDP to one upstream). It creates a TUN
// device in each namespace and forwards every IP packet between them through
// the same ImpairedLink as nxt-impair (impairment.h): seeded random loss,
// one-way delay, a serialising rate limit and a drop-tail queue, each
// direction on its own.
//
//   ip netns add a; ip netns add b
//   nxt-linkemu --ns-a a --ns-b b --dev nxl0 --loss 0.01 --delay-ms 5 --rate-mbit 100 --ready-file F &
//   ip -n a addr add 10.98.0.1/24 dev nxl0; ip -n a link set nxl0 up   (same for b, .2)
//
// SIGTERM/SIGINT print per-direction stats and exit 0. A test tool: never
// installed or shipped.
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <string>

#include "base/clock.h"
#include "base/unique_fd.h"
#include "impairment.h"

namespace nxt::impair {
namespace {

struct Flags {
  std::string ns_a, ns_b, dev = "nxl0", ready_file;
  double loss = 0, delay_ms = 0, rate_mbit = 0;
  size_t queue = 1000;  // packets in flight per direction: 1000 x 1500 B = 120 ms at 100 Mbit/s
  uint64_t seed = 1;
};

// Opens TUN device `dev` inside network namespace `ns` (as `ip netns` names
// it), then returns this thread to its own namespace. -1 on failure.
int OpenTunIn(const std::string& ns, const std::string& dev, int home_ns) {
  UniqueFd target(::open(("/var/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC));
  if (!target || ::setns(target.get(), CLONE_NEWNET) != 0) return -1;
  int fd = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  ifreq req{};
  req.ifr_flags = IFF_TUN | IFF_NO_PI;  // raw IP packets, no 4-byte header
  std::strncpy(req.ifr_name, dev.c_str(), IFNAMSIZ - 1);
  if (fd >= 0 && ::ioctl(fd, TUNSETIFF, &req) != 0) {
    ::close(fd);
    fd = -1;
  }
  int saved = errno;
  if (::setns(home_ns, CLONE_NEWNET) != 0) return -1;
  errno = saved;
  return fd;
}

// One direction: packets read from `in` go through `link` and out of `out`.
struct Direction {
  int in, out;
  ImpairedLink link;
  uint64_t write_errors = 0;
};

void ReadAll(Direction& d, TimeUs now) {
  std::array<uint8_t, 65536> buf;  // a TUN read is one IP packet, at most 64 KiB
  for (int i = 0; i < 256; ++i) {  // bounded, so the other direction is not starved
    ssize_t n = ::read(d.in, buf.data(), buf.size());
    if (n <= 0) return;
    d.link.Submit(now, Packet{0, std::vector<uint8_t>(buf.begin(), buf.begin() + n)});
  }
}

void WriteDue(Direction& d, TimeUs now, std::vector<Packet>& scratch) {
  scratch.clear();
  d.link.TakeDue(now, scratch);
  for (const Packet& p : scratch)
    if (::write(d.out, p.bytes.data(), p.bytes.size()) != static_cast<ssize_t>(p.bytes.size())) ++d.write_errors;
}

void PrintStats(const char* name, const Direction& d) {
  const LinkStats& s = d.link.stats();
  std::fprintf(stderr, "nxt-linkemu %s: received %llu forwarded %llu lost %llu queue-dropped %llu write-errors %llu\n",
               name, static_cast<unsigned long long>(s.received), static_cast<unsigned long long>(s.forwarded),
               static_cast<unsigned long long>(s.dropped), static_cast<unsigned long long>(s.queue_dropped),
               static_cast<unsigned long long>(d.write_errors));
}

int Run(const Flags& f) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  ::sigprocmask(SIG_BLOCK, &set, nullptr);
  UniqueFd signals(::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
  UniqueFd home(::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
  UniqueFd a(OpenTunIn(f.ns_a, f.dev, home.get()));
  UniqueFd b(a ? OpenTunIn(f.ns_b, f.dev, home.get()) : -1);
  if (!signals || !home || !a || !b)
    return std::fprintf(stderr, "nxt-linkemu: cannot open %s in %s and %s: %s\n", f.dev.c_str(), f.ns_a.c_str(),
                        f.ns_b.c_str(), std::strerror(errno)),
           1;
  ImpairmentSpec spec;
  spec.loss = f.loss;
  spec.delay_us = static_cast<TimeUs>(f.delay_ms * 1000.0);
  spec.rate_mbit = f.rate_mbit;
  spec.queue_limit = f.queue;
  Direction ab{a.get(), b.get(), ImpairedLink(spec, f.seed)};
  Direction ba{b.get(), a.get(), ImpairedLink(spec, f.seed + 1)};
  if (!f.ready_file.empty()) std::ofstream(f.ready_file) << ::getpid() << "\n";

  SystemClock clock;
  std::vector<Packet> scratch;
  for (;;) {
    TimeUs now = clock.NowUs();
    TimeUs next = std::min(ab.link.NextDueUs(), ba.link.NextDueUs());
    TimeUs wait = next == kNever ? kUsPerSec : (next > now ? next - now : 0);
    timespec ts{static_cast<time_t>(wait / kUsPerSec), static_cast<long>(wait % kUsPerSec) * 1000};
    pollfd fds[3] = {{a.get(), POLLIN, 0}, {b.get(), POLLIN, 0}, {signals.get(), POLLIN, 0}};
    if (::ppoll(fds, 3, &ts, nullptr) < 0 && errno != EINTR) return std::perror("nxt-linkemu: ppoll"), 1;
    if (fds[2].revents) break;
    now = clock.NowUs();
    if (fds[0].revents) ReadAll(ab, now);
    if (fds[1].revents) ReadAll(ba, now);
    WriteDue(ab, now, scratch);
    WriteDue(ba, now, scratch);
  }
  PrintStats((f.ns_a + "->" + f.ns_b).c_str(), ab);
  PrintStats((f.ns_b + "->" + f.ns_a).c_str(), ba);
  return 0;
}

}  // namespace
}  // namespace nxt::impair

int main(int argc, char** argv) {
  nxt::impair::Flags f;
  CLI::App app{"nxt-linkemu: a lossy, delayed, rate-limited IP link between two network namespaces"};
  app.add_option("--ns-a", f.ns_a, "first network namespace (ip netns name)")->required();
  app.add_option("--ns-b", f.ns_b, "second network namespace")->required();
  app.add_option("--dev", f.dev, "TUN device name created in both");
  app.add_option("--loss", f.loss, "random loss probability, each direction")->check(CLI::Range(0.0, 1.0));
  app.add_option("--delay-ms", f.delay_ms, "one-way delay in ms")->check(CLI::NonNegativeNumber);
  app.add_option("--rate-mbit", f.rate_mbit, "rate in Mbit/s, 0 = none")->check(CLI::NonNegativeNumber);
  app.add_option("--queue", f.queue, "packets queued or in flight per direction before tail drop");
  app.add_option("--seed", f.seed, "RNG seed");
  app.add_option("--ready-file", f.ready_file, "written with the pid once both devices exist");
  CLI11_PARSE(app, argc, argv);
  return nxt::impair::Run(f);
}
