// Pure formatting for the log sinks: the stderr line and the journal fields.
// Kept free of I/O so the tests can check exactly what an operator will see.
#include <cstdio>
#include <string>

#include "sys/log.h"

namespace nxt::sys {
namespace {

// Keeps the stderr output one event per line: control characters become
// escapes so a hostile or multi-line message cannot forge extra lines.
void AppendEscaped(std::string& out, std::string_view text, bool quoting) {
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (quoting && (c == '"' || c == '\\')) {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
}

bool NeedsQuotes(std::string_view value) {
  if (value.empty()) return true;
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || u < 0x20 || u == 0x7f) return true;
  }
  return false;
}

}  // namespace

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kError: return "error";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kNotice: return "notice";
    case LogLevel::kInfo: return "info";
    case LogLevel::kDebug: return "debug";
  }
  return "info";
}

std::optional<LogLevel> ParseLogLevel(std::string_view name) {
  for (LogLevel l : {LogLevel::kError, LogLevel::kWarning, LogLevel::kNotice, LogLevel::kInfo,
                     LogLevel::kDebug}) {
    if (LogLevelName(l) == name) return l;
  }
  if (name == "warn") return LogLevel::kWarning;
  if (name == "err") return LogLevel::kError;
  return std::nullopt;
}

std::optional<LogTarget> ParseLogTarget(std::string_view name) {
  if (name == "auto") return LogTarget::kAuto;
  if (name == "journal") return LogTarget::kJournal;
  if (name == "stderr") return LogTarget::kStderr;
  return std::nullopt;
}

std::string FormatLogLine(const LogRecord& record) {
  std::string out(LogLevelName(record.level));
  out += ' ';
  AppendEscaped(out, record.message, false);
  for (const LogField& f : record.fields) {
    out += ' ';
    AppendEscaped(out, f.key, false);
    out += '=';
    if (NeedsQuotes(f.value)) {
      out += '"';
      AppendEscaped(out, f.value, true);
      out += '"';
    } else {
      out += f.value;
    }
  }
  return out;
}

std::string JournalFieldName(std::string_view key) {
  std::string name;
  for (char c : key) {
    if (c >= 'a' && c <= 'z') {
      name += static_cast<char>(c - 'a' + 'A');
    } else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      name += c;
    } else {
      name += '_';
    }
  }
  // A leading '_' marks fields only journald may set; a leading digit is invalid.
  if (name.empty() || name[0] == '_' || (name[0] >= '0' && name[0] <= '9')) name.insert(0, "NXT_");
  if (name.size() > 64) name.resize(64);  // journald's limit on field names
  return name;
}

std::vector<std::string> JournalFields(const LogRecord& record, std::string_view identifier) {
  std::vector<std::string> out;
  out.reserve(4 + record.fields.size());
  out.push_back("MESSAGE=" + record.message);
  out.push_back("PRIORITY=" + std::to_string(static_cast<int>(record.level)));
  out.push_back("SYSLOG_IDENTIFIER=" + std::string(identifier));
  if (!record.id.empty()) out.push_back("MESSAGE_ID=" + std::string(record.id.hex()));
  for (const LogField& f : record.fields) {
    std::string name = JournalFieldName(f.key);
    // These four are ours to set; a caller's field must not override them.
    if (name == "MESSAGE" || name == "PRIORITY" || name == "SYSLOG_IDENTIFIER" ||
        name == "MESSAGE_ID")
      name.insert(0, "NXT_");
    out.push_back(name + "=" + f.value);
  }
  return out;
}

bool JournalStreamMatches(std::string_view journal_stream, dev_t dev, ino_t ino) {
  std::string expected = std::to_string(static_cast<unsigned long long>(dev)) + ":" +
                         std::to_string(static_cast<unsigned long long>(ino));
  return !journal_stream.empty() && journal_stream == expected;
}

}  // namespace nxt::sys
