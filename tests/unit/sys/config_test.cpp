#include "sys/config.h"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "sys/atomic_file.h"
#include "temp_dir.h"

namespace nxt::sys {
namespace {

// A stand-in for a real address check, which lives in the net module.
Status LooksLikeHostPort(const std::string& v) {
  if (v.rfind(':') == std::string::npos || v.back() == ':')
    return Error(Errc::kConfig, "not a host:port address");
  return Ok();
}

ConfigSchema TestSchema() {
  ConfigSchema s;
  s.String("server", "nxt.example:4711", "Server to register with, host:port.", LooksLikeHostPort)
      .StringArray("listen", {"[::]:4711", "0.0.0.0:4711"}, "Addresses to listen on.",
                   LooksLikeHostPort)
      .Bool("auto_approve", false, "Approve new clients without an operator.")
      .String("log_level", "info", "error, warning, notice, info or debug.",
              OneOf({"error", "warning", "notice", "info", "debug"}))
      .Int("transfer.window_chunks", 64, "Chunks in flight per client.\nMore uses more memory.",
           IntRange(1, 4096))
      .String("transfer.note", "say \"hi\"\t\\", "A string that needs escaping.");
  return s;
}

Result<ConfigValues> Parse(std::string_view text) {
  return ParseConfig(text, "/etc/nxt/test.toml", TestSchema());
}

std::string ErrorOf(std::string_view text) {
  Result<ConfigValues> r = Parse(text);
  EXPECT_FALSE(r.ok()) << text;
  return r.ok() ? std::string() : r.error().message();
}

TEST(AConfigFile, OverridesOnlyTheKeysItSets) {
  Result<ConfigValues> r = Parse("server = \"10.0.0.1:4711\"\n[transfer]\nwindow_chunks = 8\n");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->GetString("server"), "10.0.0.1:4711");
  EXPECT_EQ(r->GetInt("transfer.window_chunks"), 8);
  EXPECT_TRUE(r->IsSet("server"));
  EXPECT_FALSE(r->IsSet("listen"));
  EXPECT_EQ(r->GetStringArray("listen"), (std::vector<std::string>{"[::]:4711", "0.0.0.0:4711"}));
  EXPECT_FALSE(r->GetBool("auto_approve"));
}

TEST(AConfigFile, WithASyntaxErrorIsRefusedWithLineAndColumn) {
  std::string e = ErrorOf("server = \"a:1\"\nlisten = [\n");
  EXPECT_EQ(e.rfind("/etc/nxt/test.toml:", 0), 0u) << e;
  EXPECT_TRUE(std::regex_search(e, std::regex("^/etc/nxt/test\\.toml:[23]:[0-9]+: "))) << e;
}

TEST(AConfigFile, WithAnUnknownKeyIsRefusedNamingTheKeyAndItsPosition) {
  EXPECT_EQ(ErrorOf("server = \"a:1\"\nsevrer = \"b:2\"\n"),
            "/etc/nxt/test.toml:2:1: key 'sevrer': unknown key");
  EXPECT_EQ(ErrorOf("[transfer]\nwindow = 3\n"),
            "/etc/nxt/test.toml:2:1: key 'transfer.window': unknown key");
}

TEST(AConfigFile, WithAWrongTypeIsRefusedSayingWhatWasExpected) {
  EXPECT_EQ(ErrorOf("auto_approve = \"yes\"\n"),
            "/etc/nxt/test.toml:1:16: key 'auto_approve': expected a boolean, got a string");
  EXPECT_EQ(ErrorOf("transfer = 5\n"),
            "/etc/nxt/test.toml:1:12: key 'transfer': expected a table, got an integer");
  EXPECT_EQ(ErrorOf("listen = [\"a:1\", 7]\n"),
            "/etc/nxt/test.toml:1:18: key 'listen': element 2: expected a string, got an integer");
}

TEST(AConfigFile, WithAValueFailingItsValidatorIsRefused) {
  EXPECT_EQ(ErrorOf("\nserver = \"nohost\"\n"),
            "/etc/nxt/test.toml:2:10: key 'server': not a host:port address");
  EXPECT_EQ(ErrorOf("[transfer]\nwindow_chunks = 0\n"),
            "/etc/nxt/test.toml:2:17: key 'transfer.window_chunks': must be between 1 and 4096");
  EXPECT_EQ(ErrorOf("listen = [\"a:1\", \"bad\"]\n"),
            "/etc/nxt/test.toml:1:10: key 'listen': element 2 'bad': not a host:port address");
}

TEST(AConfigFile, ListsEveryProblemInFileOrder) {
  std::string e = ErrorOf("zeta = 1\nalpha = 2\n");
  EXPECT_EQ(e,
            "/etc/nxt/test.toml:1:1: key 'zeta': unknown key\n"
            "/etc/nxt/test.toml:2:1: key 'alpha': unknown key");
}

TEST(LoadConfig, RefusesAMissingFileUnlessTheCallerAllowsIt) {
  TempDir dir;
  Result<ConfigValues> strict = LoadConfig(dir / "none.toml", TestSchema());
  ASSERT_FALSE(strict.ok());
  EXPECT_NE(strict.error().message().find(dir / "none.toml"), std::string::npos);
  Result<ConfigValues> lenient =
      LoadConfig(dir / "none.toml", TestSchema(), MissingFile::kUseDefaults);
  ASSERT_TRUE(lenient.ok());
  EXPECT_EQ(lenient->GetString("log_level"), "info");
}

TEST(LoadConfig, PrefixesErrorsWithTheFilePath) {
  TempDir dir;
  ASSERT_TRUE(WriteFileAtomic(dir / "c.toml", std::string_view("log_level = \"loud\"\n")).ok());
  Result<ConfigValues> r = LoadConfig(dir / "c.toml", TestSchema());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::kConfig);
  EXPECT_EQ(r.error().message(), dir / "c.toml" +
                                     ":1:13: key 'log_level': must be one of: error, warning, "
                                     "notice, info, debug");
}

// Turns every "#key = value" line of the rendered file into "key = value".
std::string Uncomment(const std::string& text) {
  return std::regex_replace(text, std::regex("^#([a-z_]+ = )", std::regex::multiline), "$1");
}

TEST(TheDefaultConfig, ListsEveryKeyWithItsHelp) {
  std::string text = RenderDefaultConfig(TestSchema(), "nxt-test configuration");
  EXPECT_EQ(text.rfind("# nxt-test configuration\n", 0), 0u);
  EXPECT_NE(text.find("# Chunks in flight per client.\n# More uses more memory.\n"
                      "#window_chunks = 64\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("#listen = [\"[::]:4711\", \"0.0.0.0:4711\"]\n"), std::string::npos);
  EXPECT_NE(text.find("\n[transfer]\n"), std::string::npos);
  ConfigSchema schema = TestSchema();
  for (const ConfigKey& k : schema.keys()) {
    std::string leaf = k.name.substr(k.name.rfind('.') + 1);
    EXPECT_NE(text.find("\n#" + leaf + " = "), std::string::npos) << k.name;
  }
}

TEST(TheDefaultConfig, LoadsAsTheDefaultsBothCommentedAndUncommented) {
  ConfigSchema schema = TestSchema();
  std::string text = RenderDefaultConfig(schema, "title");
  for (const std::string& variant : {text, Uncomment(text)}) {
    Result<ConfigValues> r = ParseConfig(variant, "default.toml", schema);
    ASSERT_TRUE(r.ok()) << r.error().message() << "\n" << variant;
    ConfigValues defaults(schema);
    EXPECT_EQ(r->GetString("server"), defaults.GetString("server"));
    EXPECT_EQ(r->GetStringArray("listen"), defaults.GetStringArray("listen"));
    EXPECT_EQ(r->GetBool("auto_approve"), defaults.GetBool("auto_approve"));
    EXPECT_EQ(r->GetInt("transfer.window_chunks"), 64);
    EXPECT_EQ(r->GetString("transfer.note"), "say \"hi\"\t\\");
  }
  Result<ConfigValues> uncommented = ParseConfig(Uncomment(text), "default.toml", schema);
  ASSERT_TRUE(uncommented.ok());
  EXPECT_TRUE(uncommented->IsSet("transfer.note"));  // the uncommenting really happened
}

TEST(AFlagOverride, ParsesTheKeysTypeAndRunsItsValidator) {
  ConfigValues v(TestSchema());
  EXPECT_TRUE(v.Set("transfer.window_chunks", "128").ok());
  EXPECT_EQ(v.GetInt("transfer.window_chunks"), 128);
  EXPECT_TRUE(v.Set("auto_approve", "yes").ok());
  EXPECT_TRUE(v.GetBool("auto_approve"));
  EXPECT_TRUE(v.Set("listen", "a:1, b:2").ok());
  EXPECT_EQ(v.GetStringArray("listen"), (std::vector<std::string>{"a:1", "b:2"}));
  Status bad = v.Set("transfer.window_chunks", "lots");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "key 'transfer.window_chunks': expected an integer, got 'lots'");
  EXPECT_EQ(v.Set("transfer.window_chunks", "0").error().message(),
            "key 'transfer.window_chunks': must be between 1 and 4096");
  EXPECT_EQ(v.Set("nope", "1").error().message(), "key 'nope': unknown key");
  EXPECT_EQ(v.GetInt("transfer.window_chunks"), 128);  // failed sets change nothing
}

}  // namespace
}  // namespace nxt::sys
