// SPDX-License-Identifier: MIT
#include "manage/handler_io.hpp"

#include "common/clock.hpp"
#include "common/program_access.hpp"
#include "common/text.hpp"
#include "common/users.hpp"
#include "handlers/command_template.hpp"
#include "manage/handler_check.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <set>
#include <stdexcept>

namespace eventmgr::manage {
namespace {

// The problems as one "FILE:LINE: message" per line, whatever the quoted input holds.
std::string problem_list(const std::vector<std::string>& problems) {
  std::string out;
  for (const auto& problem : problems) {
    // Two appends, not `sep + escape_control(...)`: GCC 12 at -O2 reports a false -Wrestrict there.
    if (!out.empty()) {
      out += '\n';
    }
    out += escape_control(problem);
  }
  return out;
}

using handlers::Handler;

constexpr std::array<std::string_view, 18> k_fields{
    "id",    "event",   "priority",    "user",       "command",    "params",  "timeout",  "enabled",
    "stdin", "secrets", "description", "created_at", "updated_at", "retries", "retry_on", "retry_delays",
    "if",    "concurrency"};

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    out += (i == 0 ? "" : std::string(separator)) + items[i];
  }
  return out;
}

// Plain scalars another YAML reader could take for a bool, null or number are quoted, so the
// file means the same text to every reader.
bool needs_quotes(const std::string& text) {
  static const std::set<std::string, std::less<>> k_special{
      "y",   "n",  "yes",  "no",    "true", "false", "on",   "off",  "null", "~",     "Y",   "N",
      "Yes", "No", "True", "False", "On",   "Off",   "Null", "NULL", "TRUE", "FALSE", "YES", "NO"};
  if (text.empty() || k_special.count(text) > 0) {
    return true;
  }
  const char first = text.front();
  return (first >= '0' && first <= '9') || first == '+' || first == '-' || first == '.';
}

void emit_text(YAML::Emitter& out, const std::string& text) {
  if (needs_quotes(text)) {
    out << YAML::DoubleQuoted << text;
  } else {
    out << text;
  }
}

// Reads one handler mapping of an import file, noting each field's line for later messages.
class ItemReader {
public:
  ItemReader(const YAML::Node& item, const Config& config, std::vector<std::string>& problems,
             const std::string& file_name)
      : m_item(item), m_problems(problems), m_file(file_name) {
    m_handler.user = config.default_user;
    m_handler.timeout = config.default_timeout;
  }

  // Reads every field; false when a field was malformed or missing (problems were added).
  bool read();
  // The handler can be checked: it has an event and a command.
  bool complete() const { return m_lines.count("event") > 0 && m_lines.count("command") > 0; }
  // A problem was already reported for `field`.
  bool bad(const std::string& field) const { return m_bad.count(field) > 0; }
  const Handler& handler() const { return m_handler; }
  bool has_id() const { return m_has_id; }
  int line_of(const std::string& field) const {
    auto found = m_lines.find(field);
    return found == m_lines.end() ? line(m_item) : found->second;
  }
  int item_line() const { return line(m_item); }

private:
  static int line(const YAML::Node& node) { return node.Mark().line + 1; }
  void problem(const YAML::Node& node, const std::string& message) {
    m_problems.push_back(m_file + ":" + std::to_string(line(node)) + ": " + message);
    m_bad.insert(m_field);
    m_ok = false;
  }
  std::optional<std::string> text(const YAML::Node& node, const std::string& key, bool null_is_empty);
  void read_field(const std::string& key, const YAML::Node& value);

  const YAML::Node& m_item;
  std::vector<std::string>& m_problems;
  const std::string& m_file;
  Handler m_handler;
  std::map<std::string, int> m_lines;
  std::set<std::string> m_bad;
  std::string m_field; // the field being read, for m_bad
  bool m_has_id = false;
  bool m_ok = true;
};

std::optional<std::string> ItemReader::text(const YAML::Node& node, const std::string& key,
                                            bool null_is_empty) {
  if (node.IsNull() && null_is_empty) {
    return std::string();
  }
  if (!node.IsScalar()) {
    problem(node, "'" + key + "' must be text");
    return std::nullopt;
  }
  return node.Scalar();
}

void ItemReader::read_field(const std::string& key, const YAML::Node& value) {
  if (key == "id") {
    auto raw = text(value, key, false);
    auto id = raw ? parse_digits(*raw) : std::nullopt;
    if (raw && (!id || *id == 0)) {
      problem(value, "invalid id '" + *raw + "': use a positive integer");
    } else if (id) {
      m_handler.id = *id;
      m_has_id = true;
    }
  } else if (key == "event" || key == "user" || key == "command" || key == "description" || key == "if") {
    if (auto raw = text(value, key, key == "description" || key == "if")) {
      (key == "event"     ? m_handler.event
       : key == "user"    ? m_handler.user
       : key == "command" ? m_handler.command
       : key == "if"      ? m_handler.condition
                          : m_handler.description) = *raw;
    }
  } else if (key == "concurrency") {
    if (auto raw = text(value, key, false)) {
      if (auto concurrency = parse_concurrency(*raw)) {
        m_handler.concurrency = *concurrency;
      } else {
        problem(value, invalid_concurrency_message(*raw));
      }
    }
  } else if (key == "priority") {
    if (auto raw = text(value, key, false)) {
      if (auto priority = handlers::validate_priority(*raw)) {
        m_handler.priority = *priority;
      } else {
        problem(value, priority.error().message);
      }
    }
  } else if (key == "params") {
    if (value.IsNull()) {
      return;
    }
    if (!value.IsSequence()) {
      problem(value, "'params' must be a list of parameter names, e.g. [new_login_name]");
      return;
    }
    for (const YAML::Node& param : value) {
      if (auto raw = text(param, "params entry", false)) {
        m_handler.params.push_back(*raw);
      }
    }
  } else if (key == "timeout") {
    if (auto raw = text(value, key, false)) {
      if (auto timeout = parse_timeout(*raw)) {
        m_handler.timeout = *timeout;
      } else {
        problem(value, invalid_timeout_message(*raw));
      }
    }
  } else if (key == "enabled" || key == "secrets") {
    if (auto raw = text(value, key, false)) {
      if (*raw != "true" && *raw != "false") {
        problem(value, "invalid " + key + " '" + *raw + "': use true or false");
      } else {
        (key == "enabled" ? m_handler.enabled : m_handler.secrets) = *raw == "true";
      }
    }
  } else if (key == "stdin") {
    if (auto raw = text(value, key, false)) {
      if (auto mode = handlers::parse_stdin_mode(*raw)) {
        m_handler.stdin_mode = *mode;
      } else {
        problem(value, "invalid stdin '" + *raw + "': use none or json");
      }
    }
  } else if (key == "retries") {
    if (auto raw = text(value, key, false)) {
      if (auto retries = parse_retries(*raw)) {
        m_handler.retries = *retries;
      } else {
        problem(value, retries.error().message);
      }
    }
  } else if (key == "retry_on") {
    if (auto raw = text(value, key, false)) {
      if (auto retry_on = parse_retry_on(*raw)) {
        m_handler.retry_on = *retry_on;
      } else {
        problem(value, "invalid retry_on '" + *raw + "': use tempfail or failure");
      }
    }
  } else if (key == "retry_delays") {
    std::string joined;
    if (value.IsSequence()) {
      for (const YAML::Node& item : value) {
        if (auto raw = text(item, "retry_delays entry", false)) {
          joined += (joined.empty() ? "" : ",") + *raw;
        }
      }
    } else if (auto raw = text(value, key, false)) {
      joined = *raw;
    }
    if (auto delays = parse_retry_delays(joined)) {
      m_handler.retry_delays = std::move(delays.value());
    } else {
      problem(value, delays.error().message);
    }
  } else if (key == "created_at" || key == "updated_at") {
    if (auto raw = text(value, key, false)) {
      if (auto time = parse_time(*raw)) {
        (key == "created_at" ? m_handler.created_at : m_handler.updated_at) = *time;
      } else {
        problem(value, "invalid " + key + " '" + *raw + "': use RFC 3339, e.g. 2026-01-31T12:00:00.000Z");
      }
    }
  }
}

bool ItemReader::read() {
  if (!m_item.IsMap()) {
    problem(m_item, "each entry of 'handlers' must be a mapping with event, command, ...");
    return false;
  }
  std::vector<std::string> valid(k_fields.begin(), k_fields.end());
  for (const auto& entry : m_item) {
    const YAML::Node& key_node = entry.first;
    const std::string key = key_node.IsScalar() ? key_node.Scalar() : std::string();
    if (std::find(k_fields.begin(), k_fields.end(), key) == k_fields.end()) {
      problem(key_node, "unknown field '" + key + "'; valid: " + join(valid, ", "));
      continue;
    }
    if (m_lines.count(key) > 0) {
      problem(key_node, "field '" + key + "' appears twice");
      continue;
    }
    m_lines[key] = line(entry.second);
    m_field = key;
    read_field(key, entry.second);
    m_field.clear();
  }
  for (const char* required : {"event", "command"}) {
    if (m_lines.count(required) == 0) {
      problem(m_item, std::string("handler has no '") + required + "'");
    }
  }
  return m_ok;
}

} // namespace

std::string export_yaml(const std::vector<Handler>& handlers) {
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "handlers" << YAML::Value;
  if (handlers.empty()) {
    out << YAML::Flow;
  }
  out << YAML::BeginSeq;
  for (const Handler& handler : handlers) {
    out << YAML::BeginMap;
    out << YAML::Key << "id" << YAML::Value << handler.id;
    out << YAML::Key << "event" << YAML::Value;
    emit_text(out, handler.event);
    out << YAML::Key << "priority" << YAML::Value << handler.priority;
    out << YAML::Key << "user" << YAML::Value;
    emit_text(out, handler.user);
    out << YAML::Key << "command" << YAML::Value;
    emit_text(out, handler.command);
    out << YAML::Key << "params" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const std::string& param : handler.params) {
      emit_text(out, param);
    }
    out << YAML::EndSeq;
    out << YAML::Key << "timeout" << YAML::Value << handler.timeout;
    out << YAML::Key << "enabled" << YAML::Value << YAML::TrueFalseBool << handler.enabled;
    out << YAML::Key << "stdin" << YAML::Value << std::string(handlers::to_string(handler.stdin_mode));
    out << YAML::Key << "secrets" << YAML::Value << YAML::TrueFalseBool << handler.secrets;
    out << YAML::Key << "description" << YAML::Value;
    emit_text(out, handler.description);
    if (!handler.condition.empty()) {
      out << YAML::Key << "if" << YAML::Value;
      emit_text(out, handler.condition);
    }
    if (handler.concurrency != 0) {
      out << YAML::Key << "concurrency" << YAML::Value << handler.concurrency;
    }
    out << YAML::Key << "created_at" << YAML::Value << format_rfc3339(handler.created_at);
    out << YAML::Key << "updated_at" << YAML::Value << format_rfc3339(handler.updated_at);
    // Only what the handler sets itself: the others follow the config's defaults.
    if (handler.retries) {
      out << YAML::Key << "retries" << YAML::Value << *handler.retries;
    }
    if (handler.retry_on) {
      out << YAML::Key << "retry_on" << YAML::Value << std::string(to_string(*handler.retry_on));
    }
    if (handler.retry_delays) {
      out << YAML::Key << "retry_delays" << YAML::Value << YAML::Flow << YAML::BeginSeq;
      for (std::int64_t delay : *handler.retry_delays) {
        out << format_retry_delay(delay);
      }
      out << YAML::EndSeq;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  if (!out.good()) {
    throw std::runtime_error("cannot write the handlers as YAML: " + out.GetLastError());
  }
  return std::string(out.c_str()) + "\n";
}

Result<std::vector<Handler>> import_yaml(const std::string& text, const std::string& file_name,
                                         const events::Catalog& catalog, const Config& config) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    return make_error(file_name + ":" + std::to_string(e.mark.line + 1) + ": invalid YAML: " + e.msg);
  }
  const std::string shape = "expected a mapping with a 'handlers' list, as eventmgr handler export writes";
  if (!root.IsMap()) {
    return make_error(file_name + ":1: " + shape);
  }
  std::vector<std::string> problems;
  YAML::Node list;
  bool found = false;
  for (const auto& entry : root) {
    if (entry.first.IsScalar() && entry.first.Scalar() == "handlers") {
      list = entry.second;
      found = true;
    } else {
      problems.push_back(file_name + ":" + std::to_string(entry.first.Mark().line + 1) + ": unknown key '" +
                         (entry.first.IsScalar() ? entry.first.Scalar() : std::string("?")) +
                         "'; the file has one key, 'handlers'");
    }
  }
  if (!found) {
    problems.push_back(file_name + ":1: " + shape);
    return make_error(problem_list(problems));
  }
  if (!list.IsNull() && !list.IsSequence()) {
    return make_error(file_name + ":" + std::to_string(list.Mark().line + 1) + ": 'handlers' must be a list");
  }

  std::vector<Handler> result;
  std::map<std::int64_t, int> id_lines;
  for (const YAML::Node& item : list) {
    // Every handler is checked even when another field of it is malformed: all problems at once.
    ItemReader reader(item, config, problems, file_name);
    const bool read = reader.read();
    if (!reader.complete()) {
      continue;
    }
    const Handler& handler = reader.handler();
    if (reader.has_id()) {
      auto [first, inserted] = id_lines.emplace(handler.id, reader.line_of("id"));
      if (!inserted) {
        problems.push_back(file_name + ":" + std::to_string(reader.line_of("id")) + ": id " +
                           std::to_string(handler.id) + " appears twice (first at line " +
                           std::to_string(first->second) + ")");
      }
    }
    for (const HandlerProblem& problem : check_handler(handler, catalog, config)) {
      if (reader.bad(problem.field)) {
        continue;
      }
      const std::string where = file_name + ":" + std::to_string(reader.line_of(problem.field)) + ": ";
      std::size_t start = 0;
      // A command's problems come one per line: each gets the location.
      while (start <= problem.message.size()) {
        std::size_t end = problem.message.find('\n', start);
        if (end == std::string::npos) {
          end = problem.message.size();
        }
        if (end > start) {
          problems.push_back(where + problem.message.substr(start, end - start));
        }
        start = end + 1;
      }
    }
    if (read) {
      result.push_back(handler);
    }
  }
  if (!problems.empty()) {
    // In file order, as a reader goes through the file.
    auto line_of = [&](const std::string& problem) {
      return std::atoi(problem.c_str() + file_name.size() + 1);
    };
    std::stable_sort(problems.begin(), problems.end(),
                     [&](const std::string& x, const std::string& y) { return line_of(x) < line_of(y); });
    return make_error(problem_list(problems));
  }
  return result;
}

} // namespace eventmgr::manage
