// SPDX-License-Identifier: MIT
#pragma once

#include "common/result.hpp"
#include "events/catalog.hpp"
#include "events/event.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace eventmgr::handlers {

// The longest condition accepted, in bytes, and the longest regular expression in one.
inline constexpr std::size_t k_max_condition_length = 1024;
inline constexpr std::size_t k_max_pattern_length = 256;

// A handler's `--if` condition, parsed and checked against its event (docs/HANDLERS.md).
//
// Grammar (blanks between tokens are ignored):
//   expr    := and ( "||" and )*
//   and     := unary ( "&&" unary )*
//   unary   := "!" unary | "(" expr ")" | "changed" "(" NAME ")" | "empty" "(" ref ")"
//            | operand ( "==" | "!=" ) operand | operand "=~" STRING
//   operand := ref | STRING          ref := ( "new" | "old" ) "." NAME
// STRING is in double quotes; `\"` and `\\` are escapes, any other backslash is kept (so
// `"\.example\.com$"` is the regex \.example\.com$). A missing value is "". `=~` searches the
// value with an ECMAScript regex, anchored only as written (`^`, `$`); back-references and
// lookaheads are refused, and the regex is matched in time linear in the value's length.
class Condition {
public:
  // Parses `text` against `def`. Errors name the column (1-based byte) and what is valid; an
  // unknown parameter names the event's parameters. One problem per line.
  static Result<Condition> parse(std::string_view text, const events::EventDef& def);

  // Whether the condition holds for `event` (values absent from it count as "").
  bool holds(const events::Event& event) const;

  // The condition as written.
  const std::string& text() const { return m_text; }

  struct Node;

private:
  std::string m_text;
  std::shared_ptr<const Node> m_root; // shared: a parsed condition is copied cheaply, never changed
};

} // namespace eventmgr::handlers
