// nxt_sys logging: one event per line for operators (STYLE.md rule 11).
//
// A Logger is an object the daemon creates in main and passes down; there is
// no global logger. It filters by level and hands each LogRecord to a LogSink:
// the journal (structured fields: MESSAGE, PRIORITY, SYSLOG_IDENTIFIER,
// MESSAGE_ID, NXT_*), stderr (one line: "<level> message key=value ...") or
// memory (tests). Sinks never throw and never block on anything but one write.
#pragma once

#include <sys/types.h>

#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nxt::sys {

// Numerically equal to the syslog priorities the journal stores in PRIORITY=.
enum class LogLevel { kError = 3, kWarning = 4, kNotice = 5, kInfo = 6, kDebug = 7 };

std::string_view LogLevelName(LogLevel level);                 // "error" ... "debug"
std::optional<LogLevel> ParseLogLevel(std::string_view name);  // accepts the names above

// A stable 128-bit id per event type, written as 32 lowercase hex digits as
// `journalctl --new-id128` prints it, so operators can `journalctl
// MESSAGE_ID=...`. consteval: a malformed id is a compile error.
class MessageId {
 public:
  constexpr MessageId() = default;  // no MESSAGE_ID field
  consteval explicit MessageId(const char* hex) : hex_(hex) {
    if (hex_.size() != 32) throw "MessageId must be 32 hex digits";
    for (char c : hex_)
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
        throw "MessageId must be lowercase hex";
  }
  constexpr std::string_view hex() const { return hex_; }
  constexpr bool empty() const { return hex_.empty(); }

 private:
  std::string_view hex_;
};

// One structured field. Keys are journal field names ("NXT_MAJOR"); the
// journal sink sanitizes anything else into one.
struct LogField {
  std::string key;
  std::string value;
};

struct LogRecord {
  LogLevel level = LogLevel::kInfo;
  MessageId id;
  std::string message;
  std::vector<LogField> fields;
};

class LogSink {
 public:
  virtual ~LogSink() = default;
  // `identifier` is the program name (SYSLOG_IDENTIFIER), e.g. "nxt-clientd".
  virtual void Write(const LogRecord& record, std::string_view identifier) = 0;
};

// "info product version : Major = 8 NXT_MAJOR=8" — one line, no newline at the
// end; newlines inside are escaped and values with spaces are quoted.
std::string FormatLogLine(const LogRecord& record);

// The "KEY=value" strings the journal sink sends, in order: MESSAGE, PRIORITY,
// SYSLOG_IDENTIFIER, MESSAGE_ID (if any), then the record's fields.
std::vector<std::string> JournalFields(const LogRecord& record, std::string_view identifier);

// Maps a key onto a valid journal field name: A-Z, 0-9, '_', not starting with
// a digit or '_', at most 64 characters ("nxt.major" -> "NXT_MAJOR").
std::string JournalFieldName(std::string_view key);

// True when $JOURNAL_STREAM ("<dev>:<ino>") names the given stderr file, i.e.
// systemd connected stderr to the journal (see systemd.exec(5)).
bool JournalStreamMatches(std::string_view journal_stream, dev_t dev, ino_t ino);

class JournalSink final : public LogSink {
 public:
  void Write(const LogRecord& record, std::string_view identifier) override;
};

// Writes FormatLogLine + '\n' to `fd` (default stderr) with one write(2), so
// lines from several threads never interleave.
class StderrSink final : public LogSink {
 public:
  explicit StderrSink(int fd = 2) : fd_(fd) {}
  void Write(const LogRecord& record, std::string_view identifier) override;

 private:
  int fd_;
};

// Keeps every record; for tests. Thread-safe.
class MemorySink final : public LogSink {
 public:
  void Write(const LogRecord& record, std::string_view identifier) override;
  std::vector<LogRecord> records() const;
  std::vector<std::string> lines() const;  // FormatLogLine of each record
  bool Contains(std::string_view text) const;  // some line contains text
  void Clear();

 private:
  mutable std::mutex mu_;
  std::vector<LogRecord> records_;
};

enum class LogTarget { kAuto, kJournal, kStderr };
std::optional<LogTarget> ParseLogTarget(std::string_view name);  // "auto" | "journal" | "stderr"

class Logger {
 public:
  using Fields = std::initializer_list<LogField>;

  Logger(std::shared_ptr<LogSink> sink, std::string identifier,
         LogLevel threshold = LogLevel::kInfo);

  // kAuto: the journal if stderr is connected to it (JournalStreamMatches on
  // fd 2), else stderr.
  static Logger Create(std::string identifier, LogTarget target,
                       LogLevel threshold = LogLevel::kInfo);
  // Create with the target from $NXT_LOG_TARGET (auto|journal|stderr; unset or
  // unknown = auto). Command-line flags should call Create instead.
  static Logger Auto(std::string identifier, LogLevel threshold = LogLevel::kInfo);

  LogLevel threshold() const { return threshold_; }
  void set_threshold(LogLevel level) { threshold_ = level; }
  bool Enabled(LogLevel level) const { return level <= threshold_; }
  const std::string& identifier() const { return identifier_; }

  void Log(LogLevel level, MessageId id, std::string_view message, Fields fields);
  void Log(LogLevel level, MessageId id, std::string_view message,
           const std::vector<LogField>& fields);

  void Error(std::string_view m, Fields f = {}) { Log(LogLevel::kError, {}, m, f); }
  void Warning(std::string_view m, Fields f = {}) { Log(LogLevel::kWarning, {}, m, f); }
  void Notice(std::string_view m, Fields f = {}) { Log(LogLevel::kNotice, {}, m, f); }
  void Info(std::string_view m, Fields f = {}) { Log(LogLevel::kInfo, {}, m, f); }
  void Debug(std::string_view m, Fields f = {}) { Log(LogLevel::kDebug, {}, m, f); }
  void Error(MessageId id, std::string_view m, Fields f = {}) { Log(LogLevel::kError, id, m, f); }
  void Warning(MessageId id, std::string_view m, Fields f = {}) { Log(LogLevel::kWarning, id, m, f); }
  void Notice(MessageId id, std::string_view m, Fields f = {}) { Log(LogLevel::kNotice, id, m, f); }
  void Info(MessageId id, std::string_view m, Fields f = {}) { Log(LogLevel::kInfo, id, m, f); }
  void Debug(MessageId id, std::string_view m, Fields f = {}) { Log(LogLevel::kDebug, id, m, f); }

 private:
  std::shared_ptr<LogSink> sink_;
  std::string identifier_;
  LogLevel threshold_;
};

}  // namespace nxt::sys
