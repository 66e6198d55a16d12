#include "client/activation_policy.h"

#include <time.h>

#include <cstdio>

namespace nxt::client {
namespace {
constexpr uint64_t kMsPerMin = 60'000;

// "HH:MM" -> minutes after midnight.
Result<uint32_t> ParseClock(std::string_view s) {
  if (s.size() != 5 || s[2] != ':') return Error(Errc::kInvalidArgument, "want HH:MM, got '" + std::string(s) + "'");
  auto digit = [&](size_t i) { return s[i] >= '0' && s[i] <= '9'; };
  if (!digit(0) || !digit(1) || !digit(3) || !digit(4))
    return Error(Errc::kInvalidArgument, "want HH:MM, got '" + std::string(s) + "'");
  uint32_t h = static_cast<uint32_t>((s[0] - '0') * 10 + (s[1] - '0'));
  uint32_t m = static_cast<uint32_t>((s[3] - '0') * 10 + (s[4] - '0'));
  if (h > 23 || m > 59) return Error(Errc::kInvalidArgument, "no such time of day: " + std::string(s));
  return h * 60 + m;
}

std::string FormatClock(uint32_t minutes) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02u:%02u", minutes / 60 % 24, minutes % 60);
  return buf;
}
}  // namespace

std::string ActivationPolicy::ToString() const {
  switch (kind) {
    case Kind::kImmediate: return "immediate";
    case Kind::kManual: return "manual";
    case Kind::kWindow: return "window " + FormatClock(start_min) + "-" + FormatClock(end_min);
  }
  return "immediate";
}

bool ActivationPolicy::InWindow(uint64_t ms_of_day) const {
  if (kind != Kind::kWindow) return false;
  uint64_t start = start_min * kMsPerMin, end = end_min * kMsPerMin, t = ms_of_day % kMsPerDay;
  return start < end ? (t >= start && t < end) : (t >= start || t < end);
}

uint64_t ActivationPolicy::MsUntilOpen(uint64_t ms_of_day) const {
  if (InWindow(ms_of_day)) return 0;
  uint64_t start = start_min * kMsPerMin, t = ms_of_day % kMsPerDay;
  return start > t ? start - t : kMsPerDay - t + start;
}

Result<ActivationPolicy> ParseActivationPolicy(std::string_view text) {
  ActivationPolicy p;
  if (text == "immediate") return p;
  if (text == "manual") {
    p.kind = ActivationPolicy::Kind::kManual;
    return p;
  }
  constexpr std::string_view kWindow = "window ";
  if (text.substr(0, kWindow.size()) == kWindow) {
    std::string_view range = text.substr(kWindow.size());
    size_t dash = range.find('-');
    if (dash == std::string_view::npos)
      return Error(Errc::kInvalidArgument, "a window is \"window HH:MM-HH:MM\", got '" + std::string(text) + "'");
    NXT_ASSIGN(p.start_min, ParseClock(range.substr(0, dash)));
    NXT_ASSIGN(p.end_min, ParseClock(range.substr(dash + 1)));
    if (p.start_min == p.end_min) return Error(Errc::kInvalidArgument, "the window " + std::string(range) + " is empty");
    p.kind = ActivationPolicy::Kind::kWindow;
    return p;
  }
  return Error(Errc::kInvalidArgument,
               "activation is \"immediate\", \"manual\" or \"window HH:MM-HH:MM\", got '" + std::string(text) + "'");
}

uint64_t LocalMsOfDay(uint64_t unix_ms) {
  time_t secs = static_cast<time_t>(unix_ms / 1000);
  struct tm local {};
  localtime_r(&secs, &local);
  uint64_t s = static_cast<uint64_t>(local.tm_hour) * 3600 + static_cast<uint64_t>(local.tm_min) * 60 +
               static_cast<uint64_t>(local.tm_sec);
  return s * 1000 + unix_ms % 1000;
}

}  // namespace nxt::client
