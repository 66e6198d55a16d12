// Log sinks and the Logger. CODE_FILE/CODE_LINE would always point here, so
// the journal gets no source location.
#define SD_JOURNAL_SUPPRESS_LOCATION 1

#include "sys/log.h"

#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <cstdlib>

namespace nxt::sys {
namespace {

void WriteLine(int fd, std::string line) {
  line += '\n';
  // One write(2) per line; a short write or EINTR loses the tail, which is
  // acceptable for a log line and better than blocking the event loop.
  ssize_t n = ::write(fd, line.data(), line.size());
  (void)n;
}

bool StderrIsJournal() {
  const char* env = std::getenv("JOURNAL_STREAM");
  if (env == nullptr) return false;
  struct stat st {};
  if (::fstat(2, &st) != 0) return false;
  return JournalStreamMatches(env, st.st_dev, st.st_ino);
}

}  // namespace

void JournalSink::Write(const LogRecord& record, std::string_view identifier) {
  std::vector<std::string> fields = JournalFields(record, identifier);
  std::vector<iovec> iov;
  iov.reserve(fields.size());
  for (std::string& f : fields) iov.push_back({f.data(), f.size()});
  if (sd_journal_sendv(iov.data(), static_cast<int>(iov.size())) < 0) {
    // journald is gone (shutdown, container without it): keep the line.
    WriteLine(2, std::string(identifier) + ": " + FormatLogLine(record));
  }
}

void StderrSink::Write(const LogRecord& record, std::string_view /*identifier*/) {
  WriteLine(fd_, FormatLogLine(record));
}

void MemorySink::Write(const LogRecord& record, std::string_view /*identifier*/) {
  std::lock_guard lock(mu_);
  records_.push_back(record);
}

std::vector<LogRecord> MemorySink::records() const {
  std::lock_guard lock(mu_);
  return records_;
}

std::vector<std::string> MemorySink::lines() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const LogRecord& r : records_) out.push_back(FormatLogLine(r));
  return out;
}

bool MemorySink::Contains(std::string_view text) const {
  for (const std::string& line : lines())
    if (line.find(text) != std::string::npos) return true;
  return false;
}

void MemorySink::Clear() {
  std::lock_guard lock(mu_);
  records_.clear();
}

Logger::Logger(std::shared_ptr<LogSink> sink, std::string identifier, LogLevel threshold)
    : sink_(std::move(sink)), identifier_(std::move(identifier)), threshold_(threshold) {}

Logger Logger::Create(std::string identifier, LogTarget target, LogLevel threshold) {
  bool journal = target == LogTarget::kJournal ||
                 (target == LogTarget::kAuto && StderrIsJournal());
  std::shared_ptr<LogSink> sink;
  if (journal) {
    sink = std::make_shared<JournalSink>();
  } else {
    sink = std::make_shared<StderrSink>();
  }
  return Logger(std::move(sink), std::move(identifier), threshold);
}

Logger Logger::Auto(std::string identifier, LogLevel threshold) {
  const char* env = std::getenv("NXT_LOG_TARGET");
  LogTarget target = LogTarget::kAuto;
  if (env != nullptr) target = ParseLogTarget(env).value_or(LogTarget::kAuto);
  return Create(std::move(identifier), target, threshold);
}

void Logger::Log(LogLevel level, MessageId id, std::string_view message, Fields fields) {
  if (!Enabled(level)) return;
  sink_->Write(LogRecord{level, id, std::string(message), std::vector<LogField>(fields)},
               identifier_);
}

void Logger::Log(LogLevel level, MessageId id, std::string_view message,
                 const std::vector<LogField>& fields) {
  if (!Enabled(level)) return;
  sink_->Write(LogRecord{level, id, std::string(message), fields}, identifier_);
}

}  // namespace nxt::sys
