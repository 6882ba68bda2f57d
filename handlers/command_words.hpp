// SPDX-License-Identifier: MIT
#pragma once

#include "common/result.hpp"

#include <string_view>
#include <vector>

namespace eventmgr::handlers {

// How one character of a command's word was written: plain, inside '...', inside "...", or
// after a backslash (always text, never the start of a placeholder).
enum class Quoting { none, single, double_quote, escaped };

// One character of a word after quote removal.
struct WordChar {
  char c;
  Quoting quoting;
  bool escaped() const { return quoting == Quoting::escaped; }
};
using RawWord = std::vector<WordChar>;

// Splits `command` into words the way a POSIX shell splits them, without any expansion (the
// grammar of command_template.hpp), keeping how each character was quoted. Refuses an
// unterminated quote, a trailing lone backslash and an empty command.
Result<std::vector<RawWord>> split_command_words(std::string_view command);

} // namespace eventmgr::handlers
