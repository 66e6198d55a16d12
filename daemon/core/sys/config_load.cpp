// Loading a TOML file against a ConfigSchema. toml++ throws on syntax errors;
// the exception is caught here and turned into "path:line:col: message".
#include <algorithm>
#include <toml++/toml.h>

#include "sys/atomic_file.h"
#include "sys/config.h"

namespace nxt::sys {
namespace {

constexpr size_t kMaxConfigBytes = 1 << 20;  // 1 MiB: a config file, not a data file

struct Problem {
  uint32_t line;
  uint32_t column;
  std::string text;
};

class Checker {
 public:
  Checker(const ConfigSchema& schema, ConfigValues& values) : schema_(schema), values_(values) {}

  void Walk(const toml::table& table, const std::string& prefix);
  std::vector<Problem>& problems() { return problems_; }

 private:
  void Leaf(const ConfigKey& key, const toml::node& node);
  Result<ConfigValue> Typed(const ConfigKey& key, const toml::node& node);
  void Report(const toml::source_region& where, const std::string& name, std::string message) {
    problems_.push_back({where.begin.line, where.begin.column,
                         "key '" + name + "': " + std::move(message)});
  }

  const ConfigSchema& schema_;
  ConfigValues& values_;
  std::vector<Problem> problems_;
};

std::string_view NodeTypeName(toml::node_type type) {
  switch (type) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    case toml::node_type::none: break;
  }
  return "nothing";
}

std::string WrongType(std::string_view expected, const toml::node& node) {
  return "expected " + std::string(expected) + ", got " + std::string(NodeTypeName(node.type()));
}

void Checker::Walk(const toml::table& table, const std::string& prefix) {
  for (auto&& [k, node] : table) {
    std::string name = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (const ConfigKey* key = schema_.Find(name)) {
      Leaf(*key, node);
    } else if (!schema_.IsTable(name)) {
      Report(k.source(), name, "unknown key");
    } else if (const toml::table* sub = node.as_table()) {
      Walk(*sub, name);
    } else {
      Report(node.source(), name, WrongType("a table", node));
    }
  }
}

Result<ConfigValue> Checker::Typed(const ConfigKey& key, const toml::node& node) {
  std::string_view expected = ConfigTypeName(key.type);
  switch (key.type) {
    case ConfigType::kString:
      if (const auto* s = node.as_string()) return ConfigValue(s->get());
      break;
    case ConfigType::kInt:
      if (const auto* i = node.as_integer()) return ConfigValue(i->get());
      break;
    case ConfigType::kBool:
      if (const auto* b = node.as_boolean()) return ConfigValue(b->get());
      break;
    case ConfigType::kStringArray:
      if (const auto* arr = node.as_array()) {
        std::vector<std::string> items;
        for (size_t i = 0; i < arr->size(); ++i) {
          const toml::node& item = *arr->get(i);
          const auto* s = item.as_string();
          if (s == nullptr) {
            Report(item.source(), key.name,
                   "element " + std::to_string(i + 1) + ": " + WrongType("a string", item));
            return Error(Errc::kConfig, "reported");
          }
          items.push_back(s->get());
        }
        return ConfigValue(std::move(items));
      }
      break;
  }
  Report(node.source(), key.name, WrongType(expected, node));
  return Error(Errc::kConfig, "reported");
}

void Checker::Leaf(const ConfigKey& key, const toml::node& node) {
  Result<ConfigValue> value = Typed(key, node);
  if (!value.ok()) return;
  Status set = values_.SetValue(key.name, std::move(value).value());
  if (!set.ok()) {
    // SetValue's message already starts with "key 'x': ".
    const auto& where = node.source().begin;
    problems_.push_back({where.line, where.column, set.error().message()});
  }
}

std::string Position(std::string_view source, uint32_t line, uint32_t column) {
  return std::string(source) + ":" + std::to_string(line) + ":" + std::to_string(column);
}

}  // namespace

Result<ConfigValues> ParseConfig(std::string_view text, std::string_view source_name,
                                 const ConfigSchema& schema) {
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return Error(Errc::kConfig,
                 Position(source_name, where.line, where.column) + ": " + std::string(e.description()));
  } catch (const std::exception& e) {
    return Error(Errc::kConfig, std::string(source_name) + ": " + e.what());
  }
  ConfigValues values(schema);
  Checker checker(schema, values);
  checker.Walk(root, "");
  std::vector<Problem>& problems = checker.problems();
  if (problems.empty()) return values;
  // toml::table is ordered by key name; operators read errors in file order.
  std::stable_sort(problems.begin(), problems.end(), [](const Problem& a, const Problem& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  std::string message;
  for (const Problem& p : problems) {
    if (!message.empty()) message += '\n';
    message += Position(source_name, p.line, p.column) + ": " + p.text;
  }
  return Error(Errc::kConfig, message);
}

Result<ConfigValues> LoadConfig(const std::string& path, const ConfigSchema& schema,
                                MissingFile missing) {
  Result<std::string> text = ReadFile(path, kMaxConfigBytes);
  if (!text.ok()) {
    if (text.error().code() == Errc::kNotFound && missing == MissingFile::kUseDefaults)
      return ConfigValues(schema);
    return std::move(text).error();
  }
  return ParseConfig(*text, path, schema);
}

}  // namespace nxt::sys
