// The commented default configuration file, generated from the schema so the
// shipped file lists every key the daemon knows (DESIGN.md "Configuration").
#include <algorithm>
#include <cstdio>

#include "sys/config.h"

namespace nxt::sys {
namespace {

std::string TomlString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

void AppendComment(std::string& out, std::string_view text) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    out += line.empty() ? "#\n" : "# " + std::string(line) + "\n";
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

std::string TableOf(const std::string& name) {
  size_t dot = name.rfind('.');
  return dot == std::string::npos ? std::string() : name.substr(0, dot);
}

}  // namespace

std::string TomlLiteral(const ConfigValue& value) {
  switch (value.index()) {
    case 0: return TomlString(std::get<std::string>(value));
    case 1: return std::to_string(std::get<int64_t>(value));
    case 2: return std::get<bool>(value) ? "true" : "false";
    default: {
      std::string out = "[";
      for (const std::string& item : std::get<std::vector<std::string>>(value))
        out += (out.size() > 1 ? ", " : "") + TomlString(item);
      return out + "]";
    }
  }
}

std::string RenderDefaultConfig(const ConfigSchema& schema, std::string_view title) {
  std::string out;
  AppendComment(out, title);
  if (!title.empty()) out += "#\n";
  AppendComment(out, "Every key is listed with its default value, commented out.\n"
                     "Remove the '#' in front of a key to change it.");
  // TOML wants root keys before the first [table]; tables keep schema order.
  std::vector<std::string> tables{""};
  for (const ConfigKey& k : schema.keys()) {
    std::string t = TableOf(k.name);
    if (std::find(tables.begin(), tables.end(), t) == tables.end()) tables.push_back(t);
  }
  for (const std::string& table : tables) {
    if (!table.empty()) out += "\n[" + table + "]\n";
    for (const ConfigKey& k : schema.keys()) {
      if (TableOf(k.name) != table) continue;
      out += "\n";
      AppendComment(out, k.help);
      std::string leaf = table.empty() ? k.name : k.name.substr(table.size() + 1);
      out += "#" + leaf + " = " + TomlLiteral(k.default_value) + "\n";
    }
  }
  return out;
}

}  // namespace nxt::sys
