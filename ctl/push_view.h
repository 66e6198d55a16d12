// What nxtctl shows while a push runs. On a terminal: one progress bar per host,
// redrawn in place with ANSI cursor movement. Elsewhere (a pipe, a CI log): one
// line each time a host changes state, so logs stay short and greppable.
// Pure: Update() returns the bytes to write; the caller owns the stream.
#pragma once

#include <map>
#include <string>

#include "nxt/control.pb.h"

namespace nxt::ctl {

class PushView {
 public:
  enum class Mode { kQuiet, kStateChanges, kBars };
  // columns: terminal width in characters; bar lines are cut to fit so the
  // in-place redraw never wraps (a wrapped line would break the cursor math).
  PushView(Mode mode, size_t columns);

  std::string Update(const control::PushProgress& progress);

 private:
  std::string Redraw(const control::PushProgress& progress);
  std::string StateChanges(const control::PushProgress& progress);

  Mode mode_;
  size_t columns_;
  size_t lines_drawn_ = 0;                          // bar lines currently on screen
  std::map<std::string, control::TargetState> last_;  // by client id
};

}  // namespace nxt::ctl
