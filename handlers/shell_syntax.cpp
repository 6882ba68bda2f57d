// SPDX-License-Identifier: MIT
#include "handlers/shell_syntax.hpp"

#include "handlers/command_words.hpp"

#include <array>

namespace eventmgr::handlers {
namespace {

// A word's text and how each of its characters was quoted.
struct Word {
  std::string text;
  std::vector<Quoting> quoting; // one per byte of text
};

// The command's words (the splitter of command_template.hpp); none when it does not split, which
// CommandTemplate::parse reports.
std::vector<Word> split(std::string_view command) {
  std::vector<Word> words;
  auto raw_words = split_command_words(command);
  if (!raw_words) {
    return words;
  }
  for (const RawWord& raw : *raw_words) {
    Word word;
    for (const WordChar& ch : raw) {
      word.text += ch.c;
      word.quoting.push_back(ch.quoting);
    }
    words.push_back(std::move(word));
  }
  return words;
}

bool all_unquoted(const Word& word) {
  for (Quoting quoting : word.quoting) {
    if (quoting != Quoting::none) {
      return false;
    }
  }
  return true;
}

bool is_digits(std::string_view text) {
  for (char c : text) {
    if (c < '0' || c > '9') {
      return false;
    }
  }
  return true;
}

// `<name>` at the start of `text`: a placeholder, not an input redirection.
bool starts_with_placeholder(std::string_view text) {
  if (!text.starts_with("<")) {
    return false;
  }
  std::size_t i = 1;
  while (i < text.size() && ((text[i] >= 'a' && text[i] <= 'z') || (text[i] >= '0' && text[i] <= '9') || text[i] == '_')) {
    ++i;
  }
  return i > 1 && i < text.size() && text[i] == '>';
}

// A redirection word: [N]> [N]>> [N]< <<  <<< [N]>&M [N]<&M &> &>> >| <>, with its target glued
// on or not.
bool is_redirection(std::string_view text) {
  if (starts_with_placeholder(text)) {
    return false;
  }
  std::size_t i = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    ++i;
  }
  std::string_view rest = text.substr(i);
  if (i == 0 && rest.starts_with("&>")) {
    return true;
  }
  return rest.starts_with(">") || rest.starts_with("<");
}

// The shell syntax in `word`, or "" when it has none.
std::string syntax_in(const Word& word) {
  const std::string& text = word.text;
  if (all_unquoted(word)) {
    static constexpr std::array<std::string_view, 6> k_operators = {"|", "||", "&", "&&", ";", ";;"};
    for (std::string_view op : k_operators) {
      if (text == op) {
        return "a control operator";
      }
    }
    if (text == "|&") {
      return "a control operator";
    }
    if (is_redirection(text) && !is_digits(text)) {
      return "a redirection";
    }
    if (text.size() > 1 && (text.ends_with(";") || text.ends_with("&&") || text.ends_with("||") ||
                            text.ends_with("|"))) {
      return "a control operator";
    }
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    const Quoting quoting = word.quoting[i];
    if (quoting != Quoting::none && quoting != Quoting::double_quote) {
      continue;
    }
    if (text[i] == '`') {
      return "a command substitution";
    }
    if (text[i] == '$' && i + 1 < text.size()) {
      const char next = text[i + 1];
      if (next == '(') {
        return "a command substitution";
      }
      if (next == '{' || next == '_' || (next >= 'A' && next <= 'Z') || (next >= 'a' && next <= 'z') ||
          (next >= '0' && next <= '9')) {
        return "a variable expansion";
      }
    }
  }
  return "";
}

// `-c`, `-ec`, `-lc`, ...: the next word is a shell's (or another interpreter's) script.
bool takes_script(const Word& word) {
  const std::string& text = word.text;
  if (text.size() < 2 || text[0] != '-' || text[1] == '-' || text.back() != 'c') {
    return false;
  }
  for (std::size_t i = 1; i < text.size(); ++i) {
    if (!((text[i] >= 'a' && text[i] <= 'z') || (text[i] >= 'A' && text[i] <= 'Z'))) {
      return false;
    }
  }
  return true;
}

} // namespace

std::vector<std::string> shell_syntax_problems(std::string_view command) {
  std::vector<std::string> problems;
  const std::vector<Word> words = split(command);
  bool after_exec = false; // find -exec ... ; takes the `;` as its own argument
  for (std::size_t i = 1; i < words.size(); ++i) {
    const std::string& previous = words[i - 1].text;
    after_exec = after_exec || previous == "-exec" || previous == "-execdir" || previous == "-ok" || previous == "-okdir";
    if (takes_script(words[i - 1]) || (after_exec && words[i].text == ";")) {
      continue;
    }
    std::string what = syntax_in(words[i]);
    if (what.empty()) {
      continue;
    }
    problems.push_back("word " + std::to_string(i + 1) + " '" + words[i].text + "' is " + what +
                       " to a shell, but no shell runs the command: the program gets it as a plain "
                       "argument. Put the shell part in a script (or /bin/sh -c 'SCRIPT' sh ARGS...), or "
                       "give --literal if the program expects this word");
  }
  return problems;
}

} // namespace eventmgr::handlers
