// nxt_sys configuration: a schema-driven TOML loader (toml++). Each daemon
// declares its keys once — name, type, default, help, validator — and gets
// both the loader and the commented default file (RenderDefaultConfig) from
// that one declaration, so the shipped file can never miss a key.
//
// A bad file is refused as a whole, one line per problem, in file order:
//   /etc/nxt/clientd.toml:4:10: key 'server': not a host:port address
// Syntax errors, unknown keys, wrong types and failed validators all carry
// path:line:col. No toml++ type or exception leaves this module.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.h"

namespace nxt::sys {

enum class ConfigType { kString, kInt, kBool, kStringArray };
using ConfigValue = std::variant<std::string, int64_t, bool, std::vector<std::string>>;

// Validators return an error whose message completes "key 'x': ...".
using StringCheck = std::function<Status(const std::string&)>;
using IntCheck = std::function<Status(int64_t)>;

struct ConfigKey {
  std::string name;  // dotted: "listen", "transfer.window_chunks" ([transfer] window_chunks)
  ConfigType type = ConfigType::kString;
  ConfigValue default_value;
  std::string help;          // shown as comment lines above the key; may hold '\n'
  StringCheck check_string;  // kString; kStringArray: run on each element
  IntCheck check_int;        // kInt
};

class ConfigSchema {
 public:
  ConfigSchema& String(std::string name, std::string def, std::string help, StringCheck check = {});
  ConfigSchema& Int(std::string name, int64_t def, std::string help, IntCheck check = {});
  ConfigSchema& Bool(std::string name, bool def, std::string help);
  ConfigSchema& StringArray(std::string name, std::vector<std::string> def, std::string help,
                            StringCheck check_each = {});

  const std::vector<ConfigKey>& keys() const { return keys_; }
  const ConfigKey* Find(std::string_view name) const;
  // True if some key lives inside table `prefix` ("transfer" for "transfer.x").
  bool IsTable(std::string_view prefix) const;

 private:
  ConfigSchema& Add(ConfigKey key);
  std::vector<ConfigKey> keys_;
};

// Ready-made validators.
IntCheck IntRange(int64_t min, int64_t max);                 // "must be between 1 and 65535"
StringCheck OneOf(std::vector<std::string> allowed);         // "must be one of: a, b"
StringCheck NonEmpty();                                      // "must not be empty"

// The loaded configuration: every schema key has a value (file or default).
// Asking for a key that is not in the schema, or with the wrong type, is a
// programming error and aborts with the key's name.
class ConfigValues {
 public:
  explicit ConfigValues(const ConfigSchema& schema);  // all defaults

  const std::string& GetString(std::string_view name) const;
  int64_t GetInt(std::string_view name) const;
  bool GetBool(std::string_view name) const;
  const std::vector<std::string>& GetStringArray(std::string_view name) const;
  // True if the value came from the file or Set(), not the default.
  bool IsSet(std::string_view name) const;

  // For command-line overrides: parses `text` as the key's type (int: decimal;
  // bool: true/false/yes/no/1/0; string array: comma-separated) and validates
  // it. Error: "key 'x': ...". Unknown keys are refused.
  Status Set(std::string_view name, std::string_view text);
  // Stores an already typed value after checking type and validator.
  Status SetValue(std::string_view name, ConfigValue value);

 private:
  struct Entry {
    ConfigKey key;  // a copy: the values outlive the schema they came from
    ConfigValue value;
    bool set = false;
  };
  const Entry& Get(std::string_view name, ConfigType type) const;
  std::map<std::string, Entry, std::less<>> entries_;
};

enum class MissingFile { kError, kUseDefaults };

// Reads and validates `path` (at most 1 MiB). A missing file is an error
// unless `missing` is kUseDefaults. Errc::kConfig for a bad file.
Result<ConfigValues> LoadConfig(const std::string& path, const ConfigSchema& schema,
                                MissingFile missing = MissingFile::kError);
// Same for text already in memory; `source_name` prefixes the errors.
Result<ConfigValues> ParseConfig(std::string_view text, std::string_view source_name,
                                 const ConfigSchema& schema);

// The default file: `title` lines as comments, then every key with its help as
// "# ..." lines and its default as "#name = value" ('#' directly followed by
// the key, so uncommenting is removing one character). Table headers such as
// "[transfer]" stay uncommented so an uncommented key lands in its table.
std::string RenderDefaultConfig(const ConfigSchema& schema, std::string_view title);

// A TOML literal for a value: "\"text\"", "42", "true", "[\"a\", \"b\"]".
std::string TomlLiteral(const ConfigValue& value);

std::string_view ConfigTypeName(ConfigType type);  // "a string", "an integer", ...

}  // namespace nxt::sys
