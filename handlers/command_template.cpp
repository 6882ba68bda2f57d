// SPDX-License-Identifier: MIT
#include "handlers/command_template.hpp"

#include "handlers/code_guard.hpp"
#include "handlers/command_words.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

namespace eventmgr::handlers {
namespace {

using events::EventDef;
using events::ParamRef;
using events::Side;

// Numbers this large are already refused ("only N params are declared"); capping keeps the
// arithmetic safe for any input.
constexpr std::size_t k_max_placeholder_number = 10000000;

std::string column_of(std::size_t index) {
  return std::to_string(index + 1);
}

// Refuses what no shell-like command line should hold before splitting, so that every later
// message can quote the command's text safely.
Result<void> check_characters(std::string_view command) {
  for (std::size_t i = 0; i < command.size(); ++i) {
    const auto c = static_cast<unsigned char>(command[i]);
    if (c == '\n' || c == '\r') {
      return make_error("command contains a line break at column " + column_of(i) +
                        "; write the command on one line");
    }
    if ((c < 0x20 && c != '\t') || c == 0x7f) {
      std::array<char, 8> hex{};
      std::snprintf(hex.data(), hex.size(), "0x%02x", static_cast<unsigned>(c));
      return make_error("command contains control character " + std::string(hex.data()) + " at column " +
                        column_of(i) + "; remove it");
    }
  }
  return {};
}


bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) {
      out += separator;
    }
    out += item;
  }
  return out;
}

std::string valid_names(const EventDef& def, bool brackets) {
  std::vector<std::string> names = def.full_names();
  if (brackets) {
    for (auto& name : names) {
      name = "<" + name + ">";
    }
  }
  return names.empty() ? std::string("none (the event has no parameters)") : join(names, ", ");
}

std::string full_name(const ParamRef& ref) {
  return (ref.side == Side::new_side ? "new_" : "old_") + ref.param->name;
}

std::string expected_sequence(std::size_t count) {
  return count == 1 ? std::string("%1") : "%1.." + ("%" + std::to_string(count));
}

std::string basename_of(std::string_view path) {
  const auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

bool has_placeholder(const CommandTemplate::Word& word) {
  return std::any_of(word.pieces.begin(), word.pieces.end(),
                     [](const CommandTemplate::Piece& piece) { return piece.is_param; });
}

// The word's text with placeholders shown as written, for messages.
std::string display(const CommandTemplate::Word& word) {
  std::string out;
  for (const auto& piece : word.pieces) {
    out += piece.is_param ? piece.placeholder : piece.literal;
  }
  return out;
}

// Collects the problems of one command, each once, in the order found.
class Problems {
public:
  void add(std::string message) {
    if (m_seen.insert(message).second) {
      m_messages.push_back(std::move(message));
    }
  }
  bool empty() const { return m_messages.empty(); }
  Error error() const { return make_error(join(m_messages, "\n")); }

private:
  std::vector<std::string> m_messages;
  std::set<std::string> m_seen;
};

class Compiler {
public:
  Compiler(const Handler& handler, const EventDef& def) : m_handler(handler), m_def(def) {}

  CommandTemplate::Word compile_word(const RawWord& raw);
  void resolve_params();
  void check_sequence();

  Problems& problems() { return m_problems; }

private:
  void add_literal(CommandTemplate::Word& word, char c);
  void add_param(CommandTemplate::Word& word, const ParamRef& ref, std::string placeholder);
  void compile_name(CommandTemplate::Word& word, const std::string& name);
  void compile_number(CommandTemplate::Word& word, std::size_t number);
  void check_secret(const ParamRef& ref);

  const Handler& m_handler;
  const EventDef& m_def;
  Problems m_problems;
  std::vector<std::optional<ParamRef>> m_params; // handler.params resolved, in order
  std::set<std::size_t> m_used;                  // the k of every %k seen
};

void Compiler::add_literal(CommandTemplate::Word& word, char c) {
  if (word.pieces.empty() || word.pieces.back().is_param) {
    word.pieces.emplace_back();
  }
  word.pieces.back().literal += c;
}

void Compiler::add_param(CommandTemplate::Word& word, const ParamRef& ref, std::string placeholder) {
  CommandTemplate::Piece piece;
  piece.is_param = true;
  piece.side = ref.side;
  piece.name = ref.param->name;
  piece.secret = ref.param->secret;
  piece.placeholder = std::move(placeholder);
  word.pieces.push_back(std::move(piece));
}

// A secret is never put in argv, with or without --secrets: /proc/PID/cmdline is readable by
// every local user (ps). The environment and stdin are readable by the same uid and root only.
void Compiler::check_secret(const ParamRef& ref) {
  if (ref.param->secret) {
    std::string variable = ref.side == Side::new_side ? "$NEW_" : "$OLD_";
    for (const char c : ref.param->name) {
      variable += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    }
    m_problems.add(
        "parameter <" + full_name(ref) +
        "> is secret and may not be in the command: every local user can read a command line (ps); "
        "register the handler with --secrets and read " +
        variable + " from the environment, or use --stdin json");
  }
}

void Compiler::resolve_params() {
  for (std::size_t i = 0; i < m_handler.params.size(); ++i) {
    std::string_view name = m_handler.params[i];
    // The seed writes parameters as <new_x>; accept that spelling in params too.
    if (name.size() > 2 && name.front() == '<' && name.back() == '>') {
      name = name.substr(1, name.size() - 2);
    }
    auto ref = m_def.resolve(name);
    if (!ref) {
      m_problems.add("unknown parameter " + std::string(name) + " (%" + std::to_string(i + 1) +
                     ") for event " + m_def.name + "; valid: " + valid_names(m_def, false));
    } else {
      check_secret(*ref);
    }
    m_params.push_back(ref);
  }
}

void Compiler::compile_name(CommandTemplate::Word& word, const std::string& name) {
  const std::string placeholder = "<" + name + ">";
  auto ref = m_def.resolve(name);
  if (!ref) {
    m_problems.add("unknown parameter " + placeholder + " for event " + m_def.name +
                   "; valid: " + valid_names(m_def, true));
    return;
  }
  check_secret(*ref);
  add_param(word, *ref, placeholder);
}

void Compiler::compile_number(CommandTemplate::Word& word, std::size_t number) {
  const std::string placeholder = "%" + std::to_string(number);
  const std::size_t declared = m_params.size();
  if (number == 0) {
    m_problems.add("%0 is not a placeholder: numbering starts at %1; write %%0 for the text %0");
    return;
  }
  m_used.insert(number);
  if (number > declared) {
    if (declared == 0) {
      m_problems.add(placeholder + " is used but no params are declared; declare one --param NAME per " +
                     "placeholder, in order");
    } else {
      m_problems.add(placeholder + " is used but only " + std::to_string(declared) +
                     (declared == 1 ? " param is" : " params are") + " declared; the command may use " +
                     expected_sequence(declared));
    }
    return;
  }
  if (const auto& ref = m_params[number - 1]) {
    add_param(word, *ref, placeholder);
  }
}

CommandTemplate::Word Compiler::compile_word(const RawWord& raw) {
  CommandTemplate::Word word;
  const std::size_t size = raw.size();
  std::size_t i = 0;
  while (i < size) {
    const WordChar ch = raw[i];
    if (!ch.escaped() && ch.c == '<') {
      std::size_t end = i + 1;
      while (end < size && !raw[end].escaped() && is_name_char(raw[end].c)) {
        ++end;
      }
      if (end > i + 1 && end < size && !raw[end].escaped() && raw[end].c == '>') {
        std::string name;
        for (std::size_t k = i + 1; k < end; ++k) {
          name += raw[k].c;
        }
        compile_name(word, name);
        i = end + 1;
        continue;
      }
    } else if (!ch.escaped() && ch.c == '%' && i + 1 < size && !raw[i + 1].escaped()) {
      if (raw[i + 1].c == '%') {
        add_literal(word, '%');
        i += 2;
        continue;
      }
      if (is_digit(raw[i + 1].c)) {
        std::size_t number = 0;
        std::size_t end = i + 1;
        while (end < size && !raw[end].escaped() && is_digit(raw[end].c)) {
          number =
              std::min(number * 10 + static_cast<std::size_t>(raw[end].c - '0'), k_max_placeholder_number);
          ++end;
        }
        compile_number(word, number);
        i = end;
        continue;
      }
    }
    add_literal(word, ch.c);
    ++i;
  }
  if (word.pieces.empty()) {
    word.pieces.emplace_back(); // the empty word "" is one empty argument
  }
  return word;
}

void Compiler::check_sequence() {
  const std::size_t declared = m_params.size();
  for (std::size_t k = 1; k <= declared; ++k) {
    if (m_used.count(k) == 0) {
      m_problems.add("params declared: " + std::to_string(declared) + ", but %" + std::to_string(k) +
                     " is never used; the command must use each of " + expected_sequence(declared));
    }
  }
}

std::string value_of(const events::Event& event, const CommandTemplate::Piece& piece) {
  const auto& values = piece.side == Side::new_side ? event.new_values : event.old_values;
  const auto found = values.find(piece.name);
  return found == values.end() ? std::string() : found->second;
}

} // namespace

Result<CommandTemplate> CommandTemplate::parse(const Handler& handler, const events::EventDef& def) {
  if (auto checked = check_characters(handler.command); !checked) {
    return checked.error();
  }
  auto raw_words = split_command_words(handler.command);
  if (!raw_words) {
    return raw_words.error();
  }

  Compiler compiler(handler, def);
  compiler.resolve_params();
  CommandTemplate result;
  for (const auto& raw : *raw_words) {
    result.m_words.push_back(compiler.compile_word(raw));
  }
  compiler.check_sequence();

  Problems& problems = compiler.problems();
  const Word& first = result.m_words.front();
  if (has_placeholder(first)) {
    problems.add("program path '" + display(first) +
                 "' may not contain a placeholder; pass values as arguments");
  } else {
    result.m_program = display(first);
    if (!result.m_program.starts_with("/")) {
      std::string example = basename_of(result.m_program);
      if (example.empty() || example == "." || example == "..") {
        example = "handler.sh";
      }
      problems.add("program path '" + result.m_program +
                   "' is not absolute; write the full path, e.g. /usr/local/bin/" + example);
    }
  }

  for (auto& problem : code_placeholder_problems(result.m_words)) {
    problems.add(std::move(problem));
  }

  if (!problems.empty()) {
    return problems.error();
  }
  return result;
}

std::vector<std::string> CommandTemplate::render(const events::Event& event) const {
  return render_impl(event, false);
}

std::vector<std::string> CommandTemplate::render_redacted(const events::Event& event) const {
  return render_impl(event, true);
}

const std::string& CommandTemplate::program() const {
  return m_program;
}

std::vector<std::string> CommandTemplate::render_impl(const events::Event& event, bool redact) const {
  std::vector<std::string> argv;
  argv.reserve(m_words.size());
  for (const auto& word : m_words) {
    std::string arg;
    for (const auto& piece : word.pieces) {
      if (!piece.is_param) {
        arg += piece.literal;
      } else if (redact && piece.secret) {
        arg += "***";
      } else {
        arg += value_of(event, piece);
      }
    }
    argv.push_back(std::move(arg));
  }
  return argv;
}

std::vector<std::string> build_environment(const events::Event& event, const events::EventDef& def,
                                           const Handler& handler, const std::string& user_name,
                                           const std::string& home, const std::string& shell) {
  std::vector<std::string> env{
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "HOME=" + home,
      "USER=" + user_name,
      "LOGNAME=" + user_name,
      "SHELL=" + shell,
      "LANG=C.UTF-8",
      "EVENT=" + event.name,
      "EVENTMGR_EVENT_ID=" + std::to_string(event.seq),
      "EVENTMGR_HANDLER_ID=" + std::to_string(handler.id),
  };
  env.reserve(env.size() + 2 * def.params.size());
  // "NEW_NAME=value", built in place: this runs for every handler run.
  const auto add = [&env](std::string_view prefix, const std::string& name,
                          const std::map<std::string, std::string>& values) {
    const auto found = values.find(name);
    const std::string_view value =
        found == values.end() ? std::string_view() : std::string_view(found->second);
    std::string& entry = env.emplace_back();
    entry.reserve(prefix.size() + name.size() + 1 + value.size());
    entry.append(prefix);
    for (char c : name) {
      entry.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
    }
    entry.push_back('=');
    entry.append(value);
  };
  for (const auto& param : def.params) {
    if (param.secret && !handler.secrets) {
      continue;
    }
    add("NEW_", param.name, event.new_values);
    add("OLD_", param.name, event.old_values);
  }
  return env;
}

} // namespace eventmgr::handlers
