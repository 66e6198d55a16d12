// Schema, validators, typed values and the toml++ loader.
#include "sys/config.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cstdio>
#include <cstdlib>


namespace nxt::sys {
namespace {


[[noreturn]] void ProgrammingError(std::string_view what, std::string_view name) {
  std::fprintf(stderr, "nxt config: %.*s '%.*s'\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(name.size()), name.data());
  std::abort();
}

ConfigType TypeOf(const ConfigValue& v) {
  switch (v.index()) {
    case 0: return ConfigType::kString;
    case 1: return ConfigType::kInt;
    case 2: return ConfigType::kBool;
    default: return ConfigType::kStringArray;
  }
}

// Runs the key's validator; the message completes "key 'x': ...".
Status Validate(const ConfigKey& key, const ConfigValue& value) {
  if (TypeOf(value) != key.type)
    return Error(Errc::kConfig, "expected " + std::string(ConfigTypeName(key.type)));
  if (key.type == ConfigType::kInt && key.check_int) return key.check_int(std::get<int64_t>(value));
  if (key.type == ConfigType::kString && key.check_string)
    return key.check_string(std::get<std::string>(value));
  if (key.type == ConfigType::kStringArray && key.check_string) {
    const auto& items = std::get<std::vector<std::string>>(value);
    for (size_t i = 0; i < items.size(); ++i) {
      Status s = key.check_string(items[i]);
      if (!s.ok()) return Error(Errc::kConfig, "element " + std::to_string(i + 1) + " '" +
                                                   items[i] + "': " + s.error().message());
    }
  }
  return Ok();
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Result<ConfigValue> ParseFlagText(ConfigType type, std::string_view text) {
  switch (type) {
    case ConfigType::kString:
      return ConfigValue(std::string(text));
    case ConfigType::kInt: {
      int64_t v = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || end != text.data() + text.size() || text.empty())
        return Error(Errc::kConfig, "expected an integer, got '" + std::string(text) + "'");
      return ConfigValue(v);
    }
    case ConfigType::kBool:
      if (text == "true" || text == "yes" || text == "1" || text == "on") return ConfigValue(true);
      if (text == "false" || text == "no" || text == "0" || text == "off") return ConfigValue(false);
      return Error(Errc::kConfig, "expected true or false, got '" + std::string(text) + "'");
    case ConfigType::kStringArray: {
      std::vector<std::string> items;
      while (!Trim(text).empty()) {
        size_t comma = text.find(',');
        items.emplace_back(Trim(text.substr(0, comma)));
        text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
      }
      return ConfigValue(std::move(items));
    }
  }
  return Error(Errc::kConfig, "unknown type");
}

}  // namespace

std::string_view ConfigTypeName(ConfigType type) {
  switch (type) {
    case ConfigType::kString: return "a string";
    case ConfigType::kInt: return "an integer";
    case ConfigType::kBool: return "a boolean";
    case ConfigType::kStringArray: return "an array of strings";
  }
  return "a value";
}

ConfigSchema& ConfigSchema::Add(ConfigKey key) {
  // Declaring a key twice, or as both a value and a table, is a bug in the daemon.
  if (Find(key.name) != nullptr || IsTable(key.name)) ProgrammingError("duplicate key", key.name);
  for (size_t dot = key.name.find('.'); dot != std::string::npos; dot = key.name.find('.', dot + 1))
    if (Find(std::string_view(key.name).substr(0, dot)) != nullptr)
      ProgrammingError("key inside a value", key.name);
  keys_.push_back(std::move(key));
  return *this;
}

ConfigSchema& ConfigSchema::String(std::string name, std::string def, std::string help,
                                   StringCheck check) {
  return Add({std::move(name), ConfigType::kString, std::move(def), std::move(help),
              std::move(check), {}});
}

ConfigSchema& ConfigSchema::Int(std::string name, int64_t def, std::string help, IntCheck check) {
  return Add({std::move(name), ConfigType::kInt, def, std::move(help), {}, std::move(check)});
}

ConfigSchema& ConfigSchema::Bool(std::string name, bool def, std::string help) {
  return Add({std::move(name), ConfigType::kBool, def, std::move(help), {}, {}});
}

ConfigSchema& ConfigSchema::StringArray(std::string name, std::vector<std::string> def,
                                        std::string help, StringCheck check_each) {
  return Add({std::move(name), ConfigType::kStringArray, std::move(def), std::move(help),
              std::move(check_each), {}});
}

const ConfigKey* ConfigSchema::Find(std::string_view name) const {
  for (const ConfigKey& k : keys_)
    if (k.name == name) return &k;
  return nullptr;
}

bool ConfigSchema::IsTable(std::string_view prefix) const {
  for (const ConfigKey& k : keys_)
    if (k.name.size() > prefix.size() && k.name.compare(0, prefix.size(), prefix) == 0 &&
        k.name[prefix.size()] == '.')
      return true;
  return false;
}

IntCheck IntRange(int64_t min, int64_t max) {
  return [min, max](int64_t v) -> Status {
    if (v < min || v > max)
      return Error(Errc::kConfig,
                   "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return Ok();
  };
}

StringCheck OneOf(std::vector<std::string> allowed) {
  return [allowed = std::move(allowed)](const std::string& v) -> Status {
    if (std::find(allowed.begin(), allowed.end(), v) != allowed.end()) return Ok();
    std::string list;
    for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
    return Error(Errc::kConfig, "must be one of: " + list);
  };
}

StringCheck NonEmpty() {
  return [](const std::string& v) -> Status {
    if (v.empty()) return Error(Errc::kConfig, "must not be empty");
    return Ok();
  };
}

ConfigValues::ConfigValues(const ConfigSchema& schema) {
  for (const ConfigKey& k : schema.keys()) entries_.emplace(k.name, Entry{k, k.default_value});
}

const ConfigValues::Entry& ConfigValues::Get(std::string_view name, ConfigType type) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) ProgrammingError("no such key", name);
  if (it->second.key.type != type) ProgrammingError("wrong type asked for key", name);
  return it->second;
}

const std::string& ConfigValues::GetString(std::string_view name) const {
  return std::get<std::string>(Get(name, ConfigType::kString).value);
}

int64_t ConfigValues::GetInt(std::string_view name) const {
  return std::get<int64_t>(Get(name, ConfigType::kInt).value);
}

bool ConfigValues::GetBool(std::string_view name) const {
  return std::get<bool>(Get(name, ConfigType::kBool).value);
}

const std::vector<std::string>& ConfigValues::GetStringArray(std::string_view name) const {
  return std::get<std::vector<std::string>>(Get(name, ConfigType::kStringArray).value);
}

bool ConfigValues::IsSet(std::string_view name) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) ProgrammingError("no such key", name);
  return it->second.set;
}

Status ConfigValues::SetValue(std::string_view name, ConfigValue value) {
  auto it = entries_.find(name);
  if (it == entries_.end())
    return Error(Errc::kConfig, "key '" + std::string(name) + "': unknown key");
  Status valid = Validate(it->second.key, value);
  if (!valid.ok()) return std::move(valid).error().WithContext("key '" + std::string(name) + "'");
  it->second.value = std::move(value);
  it->second.set = true;
  return Ok();
}

Status ConfigValues::Set(std::string_view name, std::string_view text) {
  auto it = entries_.find(name);
  if (it == entries_.end())
    return Error(Errc::kConfig, "key '" + std::string(name) + "': unknown key");
  Result<ConfigValue> parsed = ParseFlagText(it->second.key.type, text);
  if (!parsed.ok()) return std::move(parsed).error().WithContext("key '" + std::string(name) + "'");
  return SetValue(name, std::move(parsed).value());
}

}  // namespace nxt::sys
