#include "ctl/push_view.h"

#include <algorithm>

#include "ctl/render.h"

namespace nxt::ctl {
namespace {

constexpr const char* kClearLine = "\r\x1b[2K";  // column 0, erase the whole line
constexpr size_t kMaxBarWidth = 30;               // cells
constexpr size_t kMinBarWidth = 10;
// Everything on a bar line except the id and the bar cells: separators, the
// brackets, "100%", "1234.5 MiB/s", "transferring" and the last column, which
// some terminals wrap on.
constexpr size_t kFixedWidth = 2 + 2 + 2 + 4 + 2 + 12 + 2 + 12 + 1;

std::string CursorUp(size_t lines) { return "\x1b[" + std::to_string(lines) + "A"; }

}  // namespace

PushView::PushView(Mode mode, size_t columns) : mode_(mode), columns_(std::max<size_t>(columns, 20)) {}

std::string PushView::Update(const control::PushProgress& progress) {
  switch (mode_) {
    case Mode::kBars: return Redraw(progress);
    case Mode::kStateChanges: return StateChanges(progress);
    case Mode::kQuiet: return "";
  }
  return "";
}

std::string PushView::Redraw(const control::PushProgress& progress) {
  size_t id_width = 4;
  for (const auto& t : progress.targets()) id_width = std::max(id_width, t.client_id().size());
  size_t room = columns_ > id_width + kFixedWidth ? columns_ - id_width - kFixedWidth : 0;
  size_t bar_width = std::clamp(room, kMinBarWidth, kMaxBarWidth);

  std::string out = lines_drawn_ > 0 ? CursorUp(lines_drawn_) : "";
  size_t lines = 0;
  for (const auto& t : progress.targets()) {
    std::string line = ProgressLine(t, id_width, bar_width);
    // One column short of the width: some terminals wrap on the last column.
    if (line.size() >= columns_) line.resize(columns_ - 1);
    out += kClearLine + line + "\n";
    ++lines;
  }
  for (; lines < lines_drawn_; ++lines) out += std::string(kClearLine) + "\n";  // hosts that left
  lines_drawn_ = lines;
  return out;
}

std::string PushView::StateChanges(const control::PushProgress& progress) {
  std::string out;
  for (const auto& t : progress.targets()) {
    // Unseen hosts count as pending, so the log starts at the first real step.
    auto it = last_.try_emplace(t.client_id(), control::TARGET_PENDING).first;
    if (it->second == t.state()) continue;
    it->second = t.state();
    out += StateChangeLine(t) + "\n";
  }
  return out;
}

}  // namespace nxt::ctl
