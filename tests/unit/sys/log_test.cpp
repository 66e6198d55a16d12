#include "sys/log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

namespace nxt::sys {
namespace {

constexpr MessageId kVersionLogged{"4f1c2a9e8b7d4c3fa1e2d3c4b5a69788"};

std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

TEST(AStderrLine, StartsWithTheLevelAndListsFieldsAsKeyValue) {
  LogRecord r{LogLevel::kInfo, kVersionLogged,
              "product version : Major = 8 Minor = 6 productName = nxtgen",
              {{"NXT_PRODUCT", "nxtgen"}, {"NXT_MAJOR", "8"}}};
  EXPECT_EQ(FormatLogLine(r),
            "info product version : Major = 8 Minor = 6 productName = nxtgen "
            "NXT_PRODUCT=nxtgen NXT_MAJOR=8");
}

TEST(AStderrLine, QuotesValuesWithSpacesAndEscapesNewlines) {
  LogRecord r{LogLevel::kWarning, {}, "two\nlines", {{"NXT_REASON", "no space \"left\""}}};
  EXPECT_EQ(FormatLogLine(r), "warning two\\nlines NXT_REASON=\"no space \\\"left\\\"\"");
}

TEST(JournalFields, CarryMessagePriorityIdentifierMessageIdAndCallerFields) {
  LogRecord r{LogLevel::kNotice, kVersionLogged, "loaded", {{"NXT_MAJOR", "8"}}};
  std::vector<std::string> fields = JournalFields(r, "nxt-clientd");
  EXPECT_EQ(fields, (std::vector<std::string>{"MESSAGE=loaded", "PRIORITY=5",
                                              "SYSLOG_IDENTIFIER=nxt-clientd",
                                              "MESSAGE_ID=4f1c2a9e8b7d4c3fa1e2d3c4b5a69788",
                                              "NXT_MAJOR=8"}));
}

TEST(JournalFields, OmitMessageIdWhenNoneIsGiven) {
  LogRecord r{LogLevel::kError, {}, "boom", {}};
  EXPECT_EQ(JournalFields(r, "x"),
            (std::vector<std::string>{"MESSAGE=boom", "PRIORITY=3", "SYSLOG_IDENTIFIER=x"}));
}

TEST(JournalFields, NeverLetACallerFieldOverrideTheMessage) {
  LogRecord r{LogLevel::kInfo, {}, "real", {{"MESSAGE", "forged"}, {"_PID", "1"}}};
  std::vector<std::string> fields = JournalFields(r, "x");
  EXPECT_EQ(fields[0], "MESSAGE=real");
  EXPECT_EQ(fields[3], "NXT_MESSAGE=forged");
  EXPECT_EQ(fields[4], "NXT__PID=1");
}

TEST(AJournalFieldName, IsUppercasedAndSanitized) {
  EXPECT_EQ(JournalFieldName("nxt.major"), "NXT_MAJOR");
  EXPECT_EQ(JournalFieldName("9lives"), "NXT_9LIVES");
  EXPECT_EQ(JournalFieldName(std::string(100, 'A')).size(), 64u);
}

TEST(JournalStream, MatchesOnlyTheExactDeviceAndInode) {
  EXPECT_TRUE(JournalStreamMatches("8:1234", 8, 1234));
  EXPECT_FALSE(JournalStreamMatches("8:1234", 8, 1235));
  EXPECT_FALSE(JournalStreamMatches("", 0, 0));
}

TEST(ALogger, DropsRecordsBelowItsThreshold) {
  auto sink = std::make_shared<MemorySink>();
  Logger log(sink, "test", LogLevel::kInfo);
  log.Debug("noise");
  log.Info("kept");
  log.set_threshold(LogLevel::kDebug);
  log.Debug("now kept");
  EXPECT_EQ(sink->lines(), (std::vector<std::string>{"info kept", "debug now kept"}));
}

TEST(ALogger, PassesTheMessageIdAndFieldsToItsSink) {
  auto sink = std::make_shared<MemorySink>();
  Logger log(sink, "test");
  log.Info(kVersionLogged, "product version", {{"NXT_PRODUCT", "nxtgen"}, {"NXT_MAJOR", "8"}});
  std::vector<LogRecord> records = sink->records();
  ASSERT_EQ(records.size(), 1u);
  const LogRecord& r = records[0];
  EXPECT_EQ(r.id.hex(), kVersionLogged.hex());
  ASSERT_EQ(r.fields.size(), 2u);
  EXPECT_EQ(r.fields[1].key, "NXT_MAJOR");
  EXPECT_EQ(r.fields[1].value, "8");
}

TEST(AStderrSink, WritesOneLinePerRecord) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  {
    Logger log(std::make_shared<StderrSink>(fds[1]), "test");
    log.Error("first", {{"K", "v"}});
    log.Notice("second");
  }
  ::close(fds[1]);
  EXPECT_EQ(ReadAll(fds[0]), "error first K=v\nnotice second\n");
  ::close(fds[0]);
}

TEST(ALogLevel, ParsesFromItsName) {
  EXPECT_EQ(ParseLogLevel("debug"), LogLevel::kDebug);
  EXPECT_EQ(ParseLogLevel("warning"), LogLevel::kWarning);
  EXPECT_EQ(ParseLogLevel("loud"), std::nullopt);
  EXPECT_EQ(ParseLogTarget("journal"), LogTarget::kJournal);
  EXPECT_EQ(ParseLogTarget("syslog"), std::nullopt);
}

}  // namespace
}  // namespace nxt::sys
