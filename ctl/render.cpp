// Small values, tables, status/clients/commands rendering and JSON lines.
// Push progress rendering lives in render_push.cpp.
#include "ctl/render.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cstdio>
#include <utility>

namespace nxt::ctl {
namespace {

// "12.3": one decimal, the precision every human-facing number here uses.
std::string Fixed1(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", value);
  return buf;
}

// "05": two digits for the minor unit of a duration.
std::string Pad2(uint64_t value) { return (value < 10 ? "0" : "") + std::to_string(value); }

// Display width of UTF-8 text: count every byte that does not continue a code point.
size_t Width(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(),
                                           [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string JoinList(const google::protobuf::RepeatedPtrField<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += sep;
    out += item;
  }
  return out;
}

bool IsEmpty(const wire::ArtifactInfo& a) {
  return a.name().empty() && a.product().empty() && a.major() == 0 && a.minor() == 0 &&
         a.sha256().empty();
}

// "nxtgen 8.6  sha256 1a2b3c4d5e6f"
std::string VersionWithSha(const wire::ArtifactInfo& a) {
  std::string out = FormatVersion(a);
  if (std::string sha = ShortSha256(a.sha256()); !sha.empty()) out += "  sha256 " + sha;
  return out;
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

// "key:   value" lines, values aligned one space after the longest key.
std::string KeyValues(const Pairs& pairs, std::string_view indent = "") {
  size_t width = 0;
  for (const auto& [key, value] : pairs) width = std::max(width, Width(key) + 1);
  std::string out;
  for (const auto& [key, value] : pairs) {
    out += indent;
    out += key + ":";
    out += std::string(width - Width(key), ' ') + (value.empty() ? "-" : value) + "\n";
  }
  return out;
}

void AddServerFields(const control::Status& s, Pairs& pairs) {
  pairs.emplace_back("clients", std::to_string(s.clients_active()) + " active, " +
                                    std::to_string(s.clients_expired()) + " expired");
  pairs.emplace_back("transfers", std::to_string(s.transfers_active()) + " active");
  if (!s.identity().empty()) pairs.emplace_back("identity", s.identity() + "  (" + s.identity_public() + ")");
}

void AddClientFields(const control::Status& s, uint64_t now_unix_ms, Pairs& pairs) {
  pairs.emplace_back("client id", s.client_id());
  pairs.emplace_back("server", s.server());
  pairs.emplace_back("registered", std::string(s.registered() ? "yes" : "no") +
                                       (s.enrollment().empty() ? "" : ", " + s.enrollment()));
  if (!s.identity().empty()) pairs.emplace_back("identity", s.identity());
  pairs.emplace_back("lease expires",
                     s.lease_expires_unix_ms() ? FormatAgo(s.lease_expires_unix_ms(), now_unix_ms) : "");
  std::string running = VersionWithSha(s.running());
  if (!s.running_path().empty()) running += "  " + s.running_path();
  if (!s.running_source().empty()) running += "  (" + s.running_source() + ")";
  pairs.emplace_back("running", running);
  if (s.plugin_loaded_unix_ms())
    pairs.emplace_back("loaded", FormatAgo(s.plugin_loaded_unix_ms(), now_unix_ms));
  pairs.emplace_back("staged", IsEmpty(s.staged()) ? "none" : VersionWithSha(s.staged()));
  if (!IsEmpty(s.previous())) pairs.emplace_back("previous", VersionWithSha(s.previous()));
  if (!s.activation().empty()) pairs.emplace_back("activation", s.activation());
  if (!s.last_activation().empty()) pairs.emplace_back("last activation", s.last_activation());
}

}  // namespace

std::string FormatDuration(uint64_t ms) {
  if (ms < 1000) return std::to_string(ms) + "ms";
  if (ms < 10'000) return Fixed1(static_cast<double>(ms) / 1000.0) + "s";
  uint64_t s = ms / 1000;
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m" + Pad2(s % 60) + "s";
  if (s < 86400) return std::to_string(s / 3600) + "h" + Pad2(s % 3600 / 60) + "m";
  return std::to_string(s / 86400) + "d" + Pad2(s % 86400 / 3600) + "h";
}

std::string FormatAgo(uint64_t then_unix_ms, uint64_t now_unix_ms) {
  if (then_unix_ms == 0) return "never";
  // Whole seconds: sub-second precision is noise next to lease lengths.
  auto coarse = [](uint64_t ms) {
    uint64_t s = ms / 1000;
    return s < 60 ? std::to_string(s) + "s" : FormatDuration(s * 1000);
  };
  if (then_unix_ms <= now_unix_ms) return coarse(now_unix_ms - then_unix_ms) + " ago";
  return "in " + coarse(then_unix_ms - now_unix_ms);
}

std::string FormatSize(uint64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " B";
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes) / 1024.0;
  size_t unit = 0;
  while (value >= 1024.0 && unit + 1 < std::size(kUnits)) {
    value /= 1024.0;
    ++unit;
  }
  return Fixed1(value) + " " + kUnits[unit];
}

std::string FormatRate(uint64_t bytes, uint64_t elapsed_ms) {
  if (elapsed_ms == 0) return "-";
  double mib_per_s = static_cast<double>(bytes) * 1000.0 / static_cast<double>(elapsed_ms) /
                     (1024.0 * 1024.0);
  return Fixed1(mib_per_s) + " MiB/s";
}

std::string FormatVersion(const wire::ArtifactInfo& artifact) {
  if (IsEmpty(artifact)) return "-";
  const std::string& label = artifact.product().empty() ? artifact.name() : artifact.product();
  std::string number = std::to_string(artifact.major()) + "." + std::to_string(artifact.minor());
  return label.empty() ? number : label + " " + number;
}

std::string ShortSha256(const std::string& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < digest.size() && i < 6; ++i) {  // 6 bytes = 12 hex digits
    auto byte = static_cast<unsigned char>(digest[i]);
    out += kHex[byte >> 4];
    out += kHex[byte & 0xF];
  }
  return out;
}

std::string TargetStateName(control::TargetState state) {
  switch (state) {
    case control::TARGET_PENDING: return "pending";
    case control::TARGET_OFFERED: return "offered";
    case control::TARGET_TRANSFERRING: return "transferring";
    case control::TARGET_VERIFYING: return "verifying";
    case control::TARGET_INSTALLED: return "installed";
    case control::TARGET_STAGED: return "staged";
    case control::TARGET_FAILED: return "failed";
    case control::TARGET_DECLINED: return "declined";
    case control::TARGET_SKIPPED: return "skipped";
    default: return "unknown(" + std::to_string(static_cast<int>(state)) + ")";
  }
}

Table::Table(std::vector<std::string> headers) { rows_.push_back(std::move(headers)); }

void Table::AddRow(std::vector<std::string> cells) {
  for (auto& cell : cells)
    if (cell.empty()) cell = "-";
  rows_.push_back(std::move(cells));
}

std::string Table::Render() const {
  std::vector<size_t> widths;
  for (const auto& row : rows_) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], Width(row[c]));
  }
  std::string out;
  for (const auto& row : rows_) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      if (c > 0) line += "  ";
      line += row[c];
      if (c + 1 < row.size()) line += std::string(widths[c] - Width(row[c]), ' ');
    }
    out += line + "\n";
  }
  return out;
}

std::string RenderStatus(const control::Status& status, uint64_t now_unix_ms) {
  Pairs pairs = {{"daemon", status.daemon()},
                 {"version", status.version()},
                 {"uptime", FormatDuration(status.uptime_ms())},
                 {"listen", JoinList(status.listen(), ", ")}};
  bool is_client = status.daemon() == "nxt-clientd" || !status.client_id().empty();
  if (is_client) {
    AddClientFields(status, now_unix_ms, pairs);
  } else {
    AddServerFields(status, pairs);
  }
  std::string out = KeyValues(pairs);
  if (status.counters_size() > 0) {
    Pairs counters;
    for (const auto& c : status.counters()) counters.emplace_back(c.name(), std::to_string(c.value()));
    out += "counters:\n" + KeyValues(counters, "  ");
  }
  return out;
}

std::string RenderClients(const control::ClientList& list, uint64_t now_unix_ms) {
  if (list.clients_size() == 0) return "no clients\n";
  Table table({"ID", "ADDRESS", "PLATFORM", "VERSION", "DESIRED", "STATE", "LEASE", "LAST SEEN", "KEY", "LAST RESULT"});
  for (const auto& c : list.clients()) {
    std::string version = FormatVersion(c.running());
    if (!IsEmpty(c.staged())) version += " (staged " + FormatVersion(c.staged()) + ")";
    // Enrollment first: a pending or revoked host gets nothing, whatever its lease says.
    std::string state = c.enrollment().empty() || c.enrollment() == "approved" ? c.state() : c.enrollment();
    std::string desired = c.sync();
    if (c.sync() == "behind") desired += ": " + FormatVersion(c.desired());
    table.AddRow({c.id(), c.address(), c.platform(), version, desired, state,
                  c.lease_expires_unix_ms() ? FormatAgo(c.lease_expires_unix_ms(), now_unix_ms) : "",
                  FormatAgo(c.last_seen_unix_ms(), now_unix_ms), c.key_fingerprint(), c.last_result()});
  }
  return table.Render();
}

std::string RenderCommands(const control::CommandList& list) {
  std::string out;
  for (const auto& command : list.commands()) out += command + "\n";
  return out;
}

Result<std::string> JsonLine(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;      // the names in control.proto
  options.always_print_primitive_fields = true;   // "code": "RESULT_OK" is 0, print it anyway
  options.always_print_enums_as_ints = false;
  std::string out;
  auto status = google::protobuf::util::MessageToJsonString(message, &out, options);
  if (!status.ok()) return Error(Errc::kCorrupt, "cannot render JSON: " + status.ToString());
  return out + "\n";
}

}  // namespace nxt::ctl
