#include "server/rollout_plan.h"

#include <algorithm>
#include <charconv>

namespace nxt::server {

Result<Amount> ParseAmount(std::string_view text, uint32_t min_count) {
  Amount a;
  std::string_view digits = text;
  if (!digits.empty() && digits.back() == '%') {
    a.percent = true;
    digits.remove_suffix(1);
  }
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), a.value);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size())
    return Error(Errc::kInvalidArgument, "want a count (\"3\") or a percentage (\"10%\"), got '" + std::string(text) + "'");
  if (a.percent && (a.value < 1 || a.value > 100))
    return Error(Errc::kInvalidArgument, "a percentage is 1% to 100%, got " + std::string(text));
  if (!a.percent && a.value < min_count)
    return Error(Errc::kInvalidArgument, "want at least " + std::to_string(min_count) + ", got " + std::string(text));
  return a;
}

std::vector<std::vector<std::string>> PlanWaves(const std::vector<std::string>& hosts, Amount size) {
  size_t n = hosts.size();
  // Percent rounds up: 10% of 6 hosts is one host per wave, never zero.
  size_t per = size.percent ? (n * size.value + 99) / 100 : size.value;
  per = std::max<size_t>(per, 1);
  std::vector<std::vector<std::string>> waves;
  for (size_t i = 0; i < n; i += per)
    waves.emplace_back(hosts.begin() + static_cast<std::ptrdiff_t>(i),
                       hosts.begin() + static_cast<std::ptrdiff_t>(std::min(n, i + per)));
  return waves;
}

bool ExceedsFailures(uint32_t failed, uint32_t wave_size, Amount max_failures) {
  if (max_failures.percent) return uint64_t{failed} * 100 > uint64_t{max_failures.value} * wave_size;
  return failed > max_failures.value;
}

}  // namespace nxt::server
