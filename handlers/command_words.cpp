// SPDX-License-Identifier: MIT
#include "handlers/command_words.hpp"

#include <string>

namespace eventmgr::handlers {
namespace {

std::string column_of(std::size_t index) {
  return std::to_string(index + 1);
}

} // namespace

Result<std::vector<RawWord>> split_command_words(std::string_view command) {
  enum class State { unquoted, single_quoted, double_quoted };
  std::vector<RawWord> words;
  RawWord current;
  bool in_word = false; // distinguishes an empty word ("") from no word
  State state = State::unquoted;
  std::size_t quote_start = 0;

  for (std::size_t i = 0; i < command.size(); ++i) {
    const char c = command[i];
    switch (state) {
    case State::unquoted:
      if (c == ' ' || c == '\t') {
        if (in_word) {
          words.push_back(std::move(current));
          current.clear();
          in_word = false;
        }
      } else if (c == '\'') {
        in_word = true;
        state = State::single_quoted;
        quote_start = i;
      } else if (c == '"') {
        in_word = true;
        state = State::double_quoted;
        quote_start = i;
      } else if (c == '\\') {
        if (i + 1 == command.size()) {
          return make_error("command ends with a lone backslash; write \\\\ for a literal backslash");
        }
        in_word = true;
        current.push_back({command[++i], Quoting::escaped});
      } else {
        in_word = true;
        current.push_back({c, Quoting::none});
      }
      break;
    case State::single_quoted:
      if (c == '\'') {
        state = State::unquoted;
      } else {
        current.push_back({c, Quoting::single});
      }
      break;
    case State::double_quoted:
      if (c == '"') {
        state = State::unquoted;
      } else if (c == '\\' && i + 1 < command.size() &&
                 std::string_view("\"\\$`").find(command[i + 1]) != std::string_view::npos) {
        current.push_back({command[++i], Quoting::escaped});
      } else {
        current.push_back({c, Quoting::double_quote});
      }
      break;
    }
  }
  if (state == State::single_quoted) {
    return make_error("command has an unterminated single quote at column " + column_of(quote_start) +
                      "; add the closing '");
  }
  if (state == State::double_quoted) {
    return make_error("command has an unterminated double quote at column " + column_of(quote_start) +
                      "; add the closing \"");
  }
  if (in_word) {
    words.push_back(std::move(current));
  }
  if (words.empty()) {
    return make_error("command is empty; write the absolute path of a program first, e.g. "
                      "/usr/local/bin/handler.sh");
  }
  return words;
}

} // namespace eventmgr::handlers
