// nxtctl rendering: pure functions from control-protocol messages to the text
// an operator reads (tables, key: value blocks, progress bars, durations, sizes,
// versions) and to the JSON a script reads. Nothing here does I/O, reads a
// clock or looks at a terminal: the caller passes `now` and the terminal facts,
// so every line nxtctl prints can be unit-tested byte for byte.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "nxt/control.pb.h"

namespace google::protobuf {
class Message;
}

namespace nxt::ctl {

// ---- small values -------------------------------------------------------

// "850ms", "42s", "3m05s", "2h07m", "4d03h".
std::string FormatDuration(uint64_t ms);
// "3s ago" / "in 40s" relative to now; "never" when then_unix_ms is 0.
std::string FormatAgo(uint64_t then_unix_ms, uint64_t now_unix_ms);
// "512 B", "1.5 KiB", "12.3 MiB", "2.0 GiB" (binary units).
std::string FormatSize(uint64_t bytes);
// "12.3 MiB/s"; "-" when no time has passed yet.
std::string FormatRate(uint64_t bytes, uint64_t elapsed_ms);
// "nxtgen 8.6"; the name stands in for a missing product; "-" when empty.
std::string FormatVersion(const wire::ArtifactInfo& artifact);
// First 12 hex digits of the artifact's SHA-256; "" when unknown.
std::string ShortSha256(const std::string& digest);
// "installed", "transferring", ...
std::string TargetStateName(control::TargetState state);

// ---- tables -------------------------------------------------------------

// Left-aligned columns separated by two spaces; empty cells show as "-";
// widths count UTF-8 code points; no trailing spaces.
class Table {
 public:
  explicit Table(std::vector<std::string> headers);
  void AddRow(std::vector<std::string> cells);
  std::string Render() const;

 private:
  std::vector<std::vector<std::string>> rows_;  // rows_[0] is the header
};

// ---- whole replies ------------------------------------------------------

// "key: value" lines; server or client fields depending on the daemon.
std::string RenderStatus(const control::Status& status, uint64_t now_unix_ms);
// ID ADDRESS PLATFORM VERSION STATE LAST SEEN LAST RESULT.
std::string RenderClients(const control::ClientList& list, uint64_t now_unix_ms);
// One command name per line.
std::string RenderCommands(const control::CommandList& list);

// One line per message in the protobuf JSON form (snake_case field names,
// default values printed so scripts see a stable shape), newline-terminated.
Result<std::string> JsonLine(const google::protobuf::Message& message);

// ---- pushes -------------------------------------------------------------

// "host-a  [########------------]  40%  12.3 MiB/s  transferring"; the id is
// padded to id_width, the bar is bar_width cells between the brackets.
std::string ProgressLine(const control::TargetProgress& target, size_t id_width,
                         size_t bar_width);
// "host-a: transferring" / "host-b: failed (hash mismatch)": one state change.
std::string StateChangeLine(const control::TargetProgress& target);

// How a finished push went: a target succeeded if it reached TARGET_INSTALLED,
// or TARGET_STAGED when the push asked for later activation.
struct PushVerdict {
  size_t total = 0;
  size_t failed = 0;
  size_t skipped = 0;  // no artifact for their platform: listed, not failed
  int exit_code = 1;  // 0 only if there were targets and none failed
};
PushVerdict JudgePush(const control::PushProgress& progress, bool later);
// "2 of 5 hosts failed" / "all 5 hosts installed" / "no hosts were targeted".
std::string VerdictLine(const PushVerdict& verdict, bool later);

// HOST RESULT VERSION TIME DETAIL, then "k of n hosts failed" when any did.
std::string RenderPushSummary(const control::PushProgress& progress, bool later);

// ---- fleet (render_fleet.cpp) -------------------------------------------

// GROUP MEMBERS.
std::string RenderGroups(const control::GroupList& list);
// HOST SYNC RUNNING STAGED DESIRED UPTIME RESULT: query, activate, rollback, reconcile;
// then the reply's one-line summary.
std::string RenderFleet(const control::FleetReport& report, const std::string& summary);
// One block per rollout: state, waves with their hosts and outcomes.
std::string RenderRollouts(const control::RolloutList& list, uint64_t now_unix_ms);
// TIME DEPLOYMENT HOST ACTION VERSION RESULT DETAIL, newest first.
std::string RenderHistory(const control::History& history, uint64_t now_unix_ms);

}  // namespace nxt::ctl
