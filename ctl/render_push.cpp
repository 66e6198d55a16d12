// Push rendering: per-host progress lines, state-change lines, the final
// per-host result table and the exit-code decision.
#include <algorithm>

#include "ctl/render.h"

namespace nxt::ctl {
namespace {

bool Finished(control::TargetState state) {
  return state == control::TARGET_INSTALLED || state == control::TARGET_STAGED ||
         state == control::TARGET_FAILED || state == control::TARGET_DECLINED || state == control::TARGET_SKIPPED;
}

// Staged counts even without --later: a host whose `activation` is manual or
// a window stages every release, as its owner asked.
bool Succeeded(control::TargetState state, bool /*later*/) {
  return state == control::TARGET_INSTALLED || state == control::TARGET_STAGED;
}

// Fraction done in [0, 1]. A host that finished without byte counts (declined
// because it already runs the build, say) shows a full bar.
double Fraction(const control::TargetProgress& t) {
  if (t.bytes_total() > 0)
    return std::min(1.0, static_cast<double>(t.bytes_done()) / static_cast<double>(t.bytes_total()));
  return Finished(t.state()) ? 1.0 : 0.0;
}

std::string PadRight(std::string text, size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

std::string PadLeft(const std::string& text, size_t width) {
  return text.size() < width ? std::string(width - text.size(), ' ') + text : text;
}

std::string Detail(const control::TargetProgress& t) {
  std::string detail = t.reason();
  if (t.retransmitted() > 0) {
    if (!detail.empty()) detail += "; ";
    detail += std::to_string(t.retransmitted()) + " chunks resent";
  }
  return detail;
}

}  // namespace

std::string ProgressLine(const control::TargetProgress& target, size_t id_width, size_t bar_width) {
  double fraction = Fraction(target);
  auto filled = static_cast<size_t>(fraction * static_cast<double>(bar_width));
  std::string bar = "[" + std::string(filled, '#') + std::string(bar_width - filled, '-') + "]";
  std::string percent = std::to_string(static_cast<int>(fraction * 100.0)) + "%";
  std::string line = PadRight(target.client_id(), id_width) + "  " + bar + "  " + PadLeft(percent, 4) +
                     "  " + PadLeft(FormatRate(target.bytes_done(), target.elapsed_ms()), 12) + "  " +
                     TargetStateName(target.state());
  if (!target.reason().empty()) line += " (" + target.reason() + ")";
  return line;
}

std::string StateChangeLine(const control::TargetProgress& target) {
  std::string line = target.client_id() + ": " + TargetStateName(target.state());
  if (std::string version = FormatVersion(target.running()); Finished(target.state()) && version != "-")
    line += " " + version;
  if (!target.reason().empty()) line += " (" + target.reason() + ")";
  return line;
}

PushVerdict JudgePush(const control::PushProgress& progress, bool later) {
  PushVerdict verdict;
  verdict.total = static_cast<size_t>(progress.targets_size());
  for (const auto& t : progress.targets()) {
    if (t.state() == control::TARGET_SKIPPED) ++verdict.skipped;
    else if (!Succeeded(t.state(), later)) ++verdict.failed;
  }
  // A push that reached nobody did not do what the operator asked.
  verdict.exit_code = verdict.total > verdict.skipped && verdict.failed == 0 ? 0 : 1;
  return verdict;
}

std::string VerdictLine(const PushVerdict& verdict, bool later) {
  if (verdict.total == 0) return "no hosts were targeted";
  const size_t reached = verdict.total - verdict.skipped;
  const std::string skipped =
      verdict.skipped ? "; " + std::to_string(verdict.skipped) + " skipped (no artifact for their platform)" : "";
  if (reached == 0) return "no targeted host runs a platform this release has" + skipped;
  if (verdict.failed > 0)
    return std::to_string(verdict.failed) + " of " + std::to_string(reached) + " hosts failed" + skipped;
  return "all " + std::to_string(reached) + (reached == 1 ? " host " : " hosts ") +
         (later ? "staged or installed" : "installed") + skipped;
}

std::string RenderPushSummary(const control::PushProgress& progress, bool later) {
  PushVerdict verdict = JudgePush(progress, later);
  std::string out;
  if (verdict.total > 0) {
    Table table({"HOST", "RESULT", "VERSION", "TIME", "DETAIL"});
    for (const auto& t : progress.targets())
      table.AddRow({t.client_id(), TargetStateName(t.state()), FormatVersion(t.running()),
                    FormatDuration(t.elapsed_ms()), Detail(t)});
    out = table.Render();
  }
  return out + VerdictLine(verdict, later) + "\n";
}

}  // namespace nxt::ctl
