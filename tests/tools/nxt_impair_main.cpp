// nxt-impair: a UDP impairment relay for tests and benchmarks (this kernel has
// no tc netem). See relay.h and impairment.h.
//
//   nxt-impair --listen 127.0.0.1:0 --upstream 127.0.0.1:5467 --loss 0.2
//       --seed 7 --port-file /tmp/port
//
// Every impairment flag applies to both directions; FLAG-up / FLAG-down
// (e.g. --loss-up 0.5) override one direction. SIGUSR1 toggles a blackout
// (drop everything); SIGUSR2 prints stats; SIGTERM/SIGINT print stats and exit 0.
// --burst P --burst-len N: loss in bursts of N datagrams on average;
// --flap-up-ms U --flap-down-ms D [--flap-cycles C]: a link that is up U ms,
// down D ms, repeatedly (C times; 0 = for ever), from the relay's start.
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>

#include "base/unique_fd.h"
#include "relay.h"

namespace nxt::impair {
namespace {

// One impairment knob with its both-directions and per-direction flags.
struct Knob {
  double both = 0;
  std::optional<double> up, down;
};

struct Flags {
  std::string listen = "127.0.0.1:0", upstream, port_file;
  Knob loss, dup, reorder, corrupt, delay_ms, jitter_ms, rate_mbit, burst, burst_len;
  double flap_up_ms = 0, flap_down_ms = 0;
  uint64_t flap_cycles = 0;
  uint64_t seed = 1;
  size_t max_clients = 1024;
};

void AddKnob(CLI::App& app, const std::string& name, Knob& k, const std::string& help,
             const CLI::Validator& valid) {
  app.add_option("--" + name, k.both, help + " (both directions)")->check(valid);
  app.add_option("--" + name + "-up", k.up, help + " (client -> server only)")->check(valid);
  app.add_option("--" + name + "-down", k.down, help + " (server -> client only)")->check(valid);
}

ImpairmentSpec SpecFor(const Flags& f, bool up) {
  auto pick = [up](const Knob& k) { return (up ? k.up : k.down).value_or(k.both); };
  ImpairmentSpec s;
  s.loss = pick(f.loss);
  s.dup = pick(f.dup);
  s.reorder = pick(f.reorder);
  s.corrupt = pick(f.corrupt);
  s.delay_us = static_cast<TimeUs>(pick(f.delay_ms) * 1000.0);
  s.jitter_us = static_cast<TimeUs>(pick(f.jitter_ms) * 1000.0);
  s.rate_mbit = pick(f.rate_mbit);
  s.burst = pick(f.burst);
  s.burst_len = std::max(1.0, pick(f.burst_len));
  return s;
}

// Written to a temp name and renamed, so a test polling for the file never
// reads half a port number.
bool WritePortFile(const std::string& path, uint16_t port) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << "\n";
    if (!out.flush()) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

Result<UniqueFd> BlockSignalsIntoFd() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGTERM, SIGINT, SIGUSR1, SIGUSR2}) sigaddset(&set, s);
  if (sigprocmask(SIG_BLOCK, &set, nullptr) != 0) return ErrnoError("sigprocmask");
  UniqueFd fd(signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!fd) return ErrnoError("signalfd");
  return fd;
}

// Returns false when the relay should stop.
bool HandleSignals(int fd, Relay& relay) {
  signalfd_siginfo info;
  while (::read(fd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    switch (info.ssi_signo) {
      case SIGUSR1:
        relay.ToggleBlackout();
        std::fprintf(stderr, "nxt-impair: blackout %s\n", relay.blackout() ? "on" : "off");
        break;
      case SIGUSR2: std::fputs(relay.StatsText().c_str(), stderr); break;
      default: return false;
    }
  }
  return true;
}

int Run(const Flags& f) {
  auto listen = net::Address::Parse(f.listen);
  auto upstream = net::Address::Parse(f.upstream);
  for (const auto* a : {&listen, &upstream})
    if (!a->ok()) return std::fprintf(stderr, "nxt-impair: %s\n", a->error().message().c_str()), 2;
  auto signals = BlockSignalsIntoFd();
  if (!signals) return std::fprintf(stderr, "nxt-impair: %s\n", signals.error().message().c_str()), 1;

  SystemClock clock;
  RelayConfig config{*listen, *upstream, SpecFor(f, true), SpecFor(f, false), f.seed, f.max_clients,
                     static_cast<TimeUs>(f.flap_up_ms * 1000.0), static_cast<TimeUs>(f.flap_down_ms * 1000.0),
                     f.flap_cycles};
  auto relay = Relay::Open(config, clock);
  if (!relay) return std::fprintf(stderr, "nxt-impair: %s\n", relay.error().message().c_str()), 1;
  if (!f.port_file.empty() && !WritePortFile(f.port_file, relay->listen_address().port()))
    return std::fprintf(stderr, "nxt-impair: cannot write %s\n", f.port_file.c_str()), 1;
  std::fprintf(stderr, "nxt-impair: listening on %s, upstream %s, seed %llu\n",
               relay->listen_address().ToString().c_str(), upstream->ToString().c_str(),
               static_cast<unsigned long long>(f.seed));

  for (;;) {
    auto woke = relay->RunOnce(kUsPerSec, signals->get());
    if (!woke) return std::fprintf(stderr, "nxt-impair: %s\n", woke.error().message().c_str()), 1;
    if (*woke && !HandleSignals(signals->get(), *relay)) break;
  }
  std::fputs(relay->StatsText().c_str(), stderr);
  return 0;
}

}  // namespace
}  // namespace nxt::impair

int main(int argc, char** argv) {
  nxt::impair::Flags f;
  CLI::App app{"nxt-impair: UDP relay that drops, duplicates, reorders, corrupts, delays and rate-limits"};
  app.add_option("--listen", f.listen, "address clients send to (port 0 = ephemeral)");
  app.add_option("--upstream", f.upstream, "server address")->required();
  nxt::impair::AddKnob(app, "loss", f.loss, "drop probability", CLI::Range(0.0, 1.0));
  nxt::impair::AddKnob(app, "dup", f.dup, "duplicate probability", CLI::Range(0.0, 1.0));
  nxt::impair::AddKnob(app, "reorder", f.reorder, "reorder probability", CLI::Range(0.0, 1.0));
  nxt::impair::AddKnob(app, "corrupt", f.corrupt, "one-bit corruption probability", CLI::Range(0.0, 1.0));
  nxt::impair::AddKnob(app, "delay-ms", f.delay_ms, "one-way delay in ms", CLI::NonNegativeNumber);
  nxt::impair::AddKnob(app, "jitter-ms", f.jitter_ms, "delay variation +- ms", CLI::NonNegativeNumber);
  nxt::impair::AddKnob(app, "rate-mbit", f.rate_mbit, "rate limit in Mbit/s, 0 = none", CLI::NonNegativeNumber);
  nxt::impair::AddKnob(app, "burst", f.burst, "probability a datagram starts a loss burst", CLI::Range(0.0, 1.0));
  nxt::impair::AddKnob(app, "burst-len", f.burst_len, "mean datagrams lost per burst", CLI::Range(1.0, 1e6));
  app.add_option("--flap-up-ms", f.flap_up_ms, "flapping link: ms up per cycle")->check(CLI::NonNegativeNumber);
  app.add_option("--flap-down-ms", f.flap_down_ms, "flapping link: ms down per cycle (0 = no flapping)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--flap-cycles", f.flap_cycles, "flapping link: cycles, 0 = for ever");
  app.add_option("--seed", f.seed, "RNG seed: same seed and input, same impairments");
  app.add_option("--port-file", f.port_file, "write the bound port here once ready");
  app.add_option("--max-clients", f.max_clients, "distinct client sources served");
  CLI11_PARSE(app, argc, argv);
  return nxt::impair::Run(f);
}
