// SPDX-License-Identifier: MIT
#include "handlers/condition.hpp"

#include "common/text.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <optional>
#include <regex>
#include <utility>
#include <vector>

namespace eventmgr::handlers {

using events::EventDef;
using events::Side;

struct Condition::Node {
  enum class Kind { any_of, all_of, negation, equal, not_equal, search, changed, empty };
  struct Operand {
    bool is_ref = false;
    Side side = Side::new_side;
    std::string name;    // base name, when is_ref
    std::string literal; // when !is_ref
  };
  Kind kind = Kind::any_of;
  std::vector<std::shared_ptr<const Node>> children; // any_of, all_of, negation
  Operand left;                                      // equal, not_equal, search, empty
  Operand right;                                     // equal, not_equal
  std::string name;                                  // changed
  std::shared_ptr<const std::regex> regex;           // search
};

namespace {

using Node = Condition::Node;
using NodePtr = std::shared_ptr<const Node>;

constexpr std::size_t k_max_depth = 32;
// The regex's estimated automaton size (each atom counts 1, a repeat multiplies what it
// repeats by its bound): matching costs at most this many steps per character of the value.
constexpr std::size_t k_max_regex_cost = 2000;

const std::string k_operand_list = "new.NAME, old.NAME or a \"string\"";
const std::string k_start_list = "new.NAME, old.NAME, a \"string\", changed(NAME), empty(new.NAME), ! or (";

std::string column(std::size_t offset) {
  return "column " + std::to_string(offset + 1);
}

struct Token {
  enum class Kind { end, name, string, dot, open, close, bang, both, either, equal, not_equal, search };
  Kind kind = Kind::end;
  std::size_t offset = 0;
  std::string text; // name or string value
};

std::string describe(const Token& token) {
  switch (token.kind) {
  case Token::Kind::end:
    return "the end";
  case Token::Kind::name:
    return "'" + escape_for_message(token.text) + "'";
  case Token::Kind::string:
    return "a string";
  case Token::Kind::dot:
    return "'.'";
  case Token::Kind::open:
    return "'('";
  case Token::Kind::close:
    return "')'";
  case Token::Kind::bang:
    return "'!'";
  case Token::Kind::both:
    return "'&&'";
  case Token::Kind::either:
    return "'||'";
  case Token::Kind::equal:
    return "'=='";
  case Token::Kind::not_equal:
    return "'!='";
  case Token::Kind::search:
    return "'=~'";
  }
  return "?";
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

Result<std::vector<Token>> tokenize(std::string_view text) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    const auto byte = static_cast<unsigned char>(c);
    if (c == ' ' || c == '\t') {
      ++i;
      continue;
    }
    if (byte < 0x20 || byte == 0x7f) {
      std::array<char, 8> hex{};
      std::snprintf(hex.data(), hex.size(), "0x%02x", static_cast<unsigned>(byte));
      return make_error("condition contains control character " + std::string(hex.data()) + " at " +
                        column(i) + "; remove it");
    }
    Token token;
    token.offset = i;
    const char next = i + 1 < text.size() ? text[i + 1] : '\0';
    if (is_name_char(c)) {
      while (i < text.size() && is_name_char(text[i])) {
        token.text += text[i++];
      }
      token.kind = Token::Kind::name;
    } else if (c == '"') {
      ++i;
      bool closed = false;
      while (i < text.size()) {
        if (text[i] == '"') {
          closed = true;
          ++i;
          break;
        }
        if (text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == '"' || text[i + 1] == '\\')) {
          ++i;
        }
        token.text += text[i++];
      }
      if (!closed) {
        return make_error("condition has an unterminated string at " + column(token.offset) +
                          "; add the closing \"");
      }
      token.kind = Token::Kind::string;
    } else if (c == '&' && next == '&') {
      token.kind = Token::Kind::both;
      i += 2;
    } else if (c == '|' && next == '|') {
      token.kind = Token::Kind::either;
      i += 2;
    } else if (c == '=' && next == '=') {
      token.kind = Token::Kind::equal;
      i += 2;
    } else if (c == '=' && next == '~') {
      token.kind = Token::Kind::search;
      i += 2;
    } else if (c == '!' && next == '=') {
      token.kind = Token::Kind::not_equal;
      i += 2;
    } else if (c == '!' || c == '(' || c == ')' || c == '.') {
      token.kind = c == '!'   ? Token::Kind::bang
                   : c == '(' ? Token::Kind::open
                   : c == ')' ? Token::Kind::close
                              : Token::Kind::dot;
      ++i;
    } else {
      return make_error("condition has an unexpected character '" + escape_for_message(text.substr(i, 1)) +
                        "' at " + column(i) + "; valid: &&, ||, !, ==, !=, =~, (, ), names and \"strings\"");
    }
    tokens.push_back(std::move(token));
  }
  Token end;
  end.offset = text.size();
  tokens.push_back(end);
  return tokens;
}

// The estimated automaton size of `pattern`, or an error for what is refused (back-references
// and lookaheads: with them the match would no longer be linear in the value's length).
Result<std::size_t> regex_cost(std::string_view pattern, std::size_t at) {
  std::vector<std::size_t> groups{0}; // cost of each open group's sequence so far
  std::size_t last = 0;               // cost of the last atom, for a repeat after it
  std::size_t i = 0;
  auto too_complex = [&]() {
    return make_error("regular expression at " + column(at) + " is too complex (more than " +
                      std::to_string(k_max_regex_cost) + " states); use fewer or smaller {n,m} repeats");
  };
  while (i < pattern.size()) {
    const char c = pattern[i];
    if (c == '\\') {
      const char escaped = i + 1 < pattern.size() ? pattern[i + 1] : '\0';
      if (escaped >= '1' && escaped <= '9') {
        return make_error("regular expression at " + column(at) + " uses a back-reference (\\" +
                          std::string(1, escaped) + "); it is not supported");
      }
      i += 2;
      last = 1;
    } else if (c == '[') {
      ++i;
      if (i < pattern.size() && pattern[i] == '^') {
        ++i;
      }
      if (i < pattern.size() && pattern[i] == ']') {
        ++i;
      }
      while (i < pattern.size() && pattern[i] != ']') {
        i += pattern[i] == '\\' ? 2 : 1;
      }
      ++i;
      last = 1;
    } else if (c == '(') {
      if (pattern.substr(i, 3) == "(?=" || pattern.substr(i, 3) == "(?!") {
        return make_error("regular expression at " + column(at) + " uses a lookahead (" +
                          std::string(pattern.substr(i, 3)) + "); it is not supported");
      }
      groups.push_back(0);
      i += pattern.substr(i, 3) == "(?:" ? 3 : 1;
      last = 0;
      continue;
    } else if (c == ')') {
      last = groups.size() > 1 ? groups.back() + 2 : 1;
      if (groups.size() > 1) {
        groups.pop_back();
      }
      ++i;
    } else if (c == '*' || c == '+' || c == '?') {
      // a+ is compiled as a a*: the repeated part twice.
      std::size_t extra = c == '+' ? last + 1 : 1;
      groups.back() += extra;
      ++i;
      continue;
    } else if (c == '{') {
      // {n}, {n,} or {n,m}: the atom unrolled up to max(n, m) + 1 times.
      std::size_t j = i + 1;
      std::size_t times = 0;
      bool digits = false;
      while (j < pattern.size() && ((pattern[j] >= '0' && pattern[j] <= '9') || pattern[j] == ',')) {
        if (pattern[j] == ',') {
          times = 0;
        } else {
          times = times * 10 + static_cast<std::size_t>(pattern[j] - '0');
          digits = true;
          if (times > k_max_regex_cost) {
            return too_complex();
          }
        }
        ++j;
      }
      if (digits && j < pattern.size() && pattern[j] == '}') {
        std::size_t lower = 0;
        for (std::size_t k = i + 1; k < j && pattern[k] != ','; ++k) {
          lower = lower * 10 + static_cast<std::size_t>(pattern[k] - '0');
        }
        times = std::max(times, lower) + 1;
        if (last > k_max_regex_cost / times) {
          return too_complex();
        }
        groups.back() += last * times;
        if (groups.back() > k_max_regex_cost) {
          return too_complex();
        }
        i = j + 1;
        continue;
      }
      ++i;
      last = 1;
    } else {
      ++i;
      last = 1;
    }
    groups.back() += last;
    if (groups.back() > k_max_regex_cost) {
      return too_complex();
    }
  }
  std::size_t total = 0;
  for (std::size_t cost : groups) {
    total += cost;
  }
  if (total > k_max_regex_cost) {
    return too_complex();
  }
  return total;
}

std::string regex_problem(std::regex_constants::error_type code) {
  using namespace std::regex_constants;
  switch (code) {
  case error_collate:
    return "invalid collating element name";
  case error_ctype:
    return "invalid character class name";
  case error_escape:
    return "invalid escape or trailing backslash";
  case error_backref:
    return "invalid back-reference";
  case error_brack:
    return "unmatched [";
  case error_paren:
    return "unbalanced ( ) or a repeat that follows nothing";
  case error_brace:
    return "unmatched {";
  case error_badbrace:
    return "invalid {n,m} range";
  case error_range:
    return "invalid character range";
  case error_space:
  case error_complexity:
  case error_stack:
    return "too complex";
  case error_badrepeat:
    return "*, +, ? or { } repeats nothing";
  default:
    return "invalid";
  }
}

// Polynomial mode (a libstdc++ extension) matches with a breadth-first automaton: time linear in
// the value's length, a stack bounded by the pattern, instead of backtracking.
constexpr std::regex_constants::syntax_option_type regex_flags() {
#if defined(__GLIBCXX__)
  return std::regex_constants::ECMAScript | std::regex_constants::__polynomial;
#else
  return std::regex_constants::ECMAScript;
#endif
}

Result<std::shared_ptr<const std::regex>> compile_regex(const std::string& pattern, std::size_t at) {
  if (pattern.size() > k_max_pattern_length) {
    return make_error("regular expression at " + column(at) + " is " + std::to_string(pattern.size()) +
                      " bytes; the limit is " + std::to_string(k_max_pattern_length));
  }
  if (auto cost = regex_cost(pattern, at); !cost) {
    return cost.error();
  }
  try {
    // Compiled alone first, so that a pattern such as `a)(b` is refused rather than changing
    // the wrapper below.
    std::regex alone(pattern, regex_flags());
    // A search as one whole-value match: [\s\S]* on each side finds the pattern anywhere in one
    // linear pass; ^ and $ still only match at the value's start and end.
    return std::make_shared<const std::regex>("[\\s\\S]*(?:" + pattern + ")[\\s\\S]*", regex_flags());
  } catch (const std::regex_error& error) {
    return make_error("invalid regular expression at " + column(at) + ": " + regex_problem(error.code()));
  }
}

std::string ref_names(const EventDef& def) {
  std::string out;
  for (const auto& param : def.params) {
    out += (out.empty() ? "" : ", ") + std::string("new.") + param.name + ", old." + param.name;
  }
  return out.empty() ? "none (the event has no parameters)" : out;
}

std::string base_names(const EventDef& def) {
  std::string out;
  for (const auto& param : def.params) {
    out += (out.empty() ? "" : ", ") + param.name;
  }
  return out.empty() ? "none (the event has no parameters)" : out;
}

class Parser {
public:
  Parser(std::vector<Token> tokens, const EventDef& def) : m_tokens(std::move(tokens)), m_def(def) {}

  Result<NodePtr> parse() {
    auto root = expression(0);
    if (!root) {
      return root;
    }
    if (peek().kind != Token::Kind::end) {
      return expected("&&, || or the end");
    }
    if (!m_problems.empty()) {
      return make_error(m_problems);
    }
    return root;
  }

private:
  const Token& peek() const { return m_tokens[m_next]; }
  const Token& take() { return m_tokens[m_next < m_tokens.size() - 1 ? m_next++ : m_next]; }

  Error expected(const std::string& what) const {
    return make_error("condition expects " + what + " at " + column(peek().offset) + ", found " +
                      describe(peek()));
  }

  void problem(const std::string& text) { m_problems += (m_problems.empty() ? "" : "\n") + text; }

  Result<NodePtr> expression(std::size_t depth) {
    if (depth > k_max_depth) {
      return make_error("condition nests deeper than " + std::to_string(k_max_depth) + " at " +
                        column(peek().offset));
    }
    return chain(depth, Token::Kind::either);
  }

  // A run of operands joined by `op` (|| over && over unary).
  Result<NodePtr> chain(std::size_t depth, Token::Kind op) {
    auto first = op == Token::Kind::either ? chain(depth, Token::Kind::both) : unary(depth);
    if (!first || peek().kind != op) {
      return first;
    }
    auto node = std::make_shared<Node>();
    node->kind = op == Token::Kind::either ? Node::Kind::any_of : Node::Kind::all_of;
    node->children.push_back(std::move(first.value()));
    while (peek().kind == op) {
      take();
      auto next = op == Token::Kind::either ? chain(depth, Token::Kind::both) : unary(depth);
      if (!next) {
        return next;
      }
      node->children.push_back(std::move(next.value()));
    }
    return NodePtr(std::move(node));
  }

  Result<NodePtr> unary(std::size_t depth) {
    const Token& token = peek();
    if (token.kind == Token::Kind::bang) {
      take();
      if (depth + 1 > k_max_depth) {
        return make_error("condition nests deeper than " + std::to_string(k_max_depth) + " at " +
                          column(token.offset));
      }
      auto inner = unary(depth + 1);
      if (!inner) {
        return inner;
      }
      auto node = std::make_shared<Node>();
      node->kind = Node::Kind::negation;
      node->children.push_back(std::move(inner.value()));
      return NodePtr(std::move(node));
    }
    if (token.kind == Token::Kind::open) {
      const std::size_t open_at = take().offset;
      auto inner = expression(depth + 1);
      if (!inner) {
        return inner;
      }
      if (peek().kind != Token::Kind::close) {
        return make_error("condition has an unclosed ( at " + column(open_at) + ": expects &&, || or ) at " +
                          column(peek().offset) + ", found " + describe(peek()));
      }
      take();
      return inner;
    }
    if (token.kind == Token::Kind::name && (token.text == "changed" || token.text == "empty") &&
        m_tokens[m_next + 1].kind == Token::Kind::open) {
      return function();
    }
    return comparison();
  }

  Result<NodePtr> function() {
    const Token name = take();
    take(); // (
    auto node = std::make_shared<Node>();
    if (name.text == "changed") {
      node->kind = Node::Kind::changed;
      const Token& param = peek();
      if (param.kind != Token::Kind::name || m_tokens[m_next + 1].kind == Token::Kind::dot) {
        return expected("a parameter's base name (changed(domain_name) compares old and new)");
      }
      take();
      if (m_def.find_param(param.text) == nullptr) {
        problem("unknown parameter " + escape_for_message(param.text) + " at " + column(param.offset) +
                " for event " + m_def.name + "; valid: " + base_names(m_def));
      }
      node->name = param.text;
    } else {
      node->kind = Node::Kind::empty;
      if (peek().kind != Token::Kind::name) {
        return expected("new.NAME or old.NAME");
      }
      auto ref = operand();
      if (!ref) {
        return ref.error();
      }
      node->left = std::move(ref.value());
    }
    if (peek().kind != Token::Kind::close) {
      return make_error("condition has an unclosed " + name.text + "( at " + column(name.offset) +
                        ": expects ) at " + column(peek().offset) + ", found " + describe(peek()));
    }
    take();
    return NodePtr(std::move(node));
  }

  Result<Node::Operand> operand() {
    const Token& token = peek();
    Node::Operand out;
    if (token.kind == Token::Kind::string) {
      out.literal = take().text;
      return out;
    }
    if (token.kind != Token::Kind::name) {
      return expected(k_operand_list);
    }
    if (token.text != "new" && token.text != "old") {
      return make_error("condition has an unknown name '" + escape_for_message(token.text) + "' at " +
                        column(token.offset) + "; valid: " + k_start_list);
    }
    const Token side = take();
    if (peek().kind != Token::Kind::dot || m_tokens[m_next + 1].kind != Token::Kind::name) {
      return expected(".NAME after " + side.text);
    }
    take();
    const Token name = take();
    out.is_ref = true;
    out.side = side.text == "new" ? Side::new_side : Side::old_side;
    out.name = name.text;
    if (m_def.find_param(name.text) == nullptr) {
      problem("unknown parameter " + side.text + "." + escape_for_message(name.text) + " at " +
              column(side.offset) + " for event " + m_def.name + "; valid: " + ref_names(m_def));
    }
    return out;
  }

  Result<NodePtr> comparison() {
    const Token& first = peek();
    if (first.kind != Token::Kind::name && first.kind != Token::Kind::string) {
      return expected(k_start_list);
    }
    auto left = operand();
    if (!left) {
      return left.error();
    }
    auto node = std::make_shared<Node>();
    node->left = std::move(left.value());
    const Token op = peek();
    if (op.kind == Token::Kind::equal || op.kind == Token::Kind::not_equal) {
      take();
      node->kind = op.kind == Token::Kind::equal ? Node::Kind::equal : Node::Kind::not_equal;
      auto right = operand();
      if (!right) {
        return right.error();
      }
      node->right = std::move(right.value());
      return NodePtr(std::move(node));
    }
    if (op.kind == Token::Kind::search) {
      take();
      if (peek().kind != Token::Kind::string) {
        return expected("a \"regular expression\" after =~");
      }
      const Token pattern = take();
      auto regex = compile_regex(pattern.text, pattern.offset);
      if (!regex) {
        return regex.error();
      }
      node->kind = Node::Kind::search;
      node->regex = std::move(regex.value());
      return NodePtr(std::move(node));
    }
    return expected("==, != or =~");
  }

  std::vector<Token> m_tokens;
  std::size_t m_next = 0;
  const EventDef& m_def;
  std::string m_problems; // unknown parameters: reported together once the syntax is sound
};

const std::string& value_of(const events::Event& event, Side side, const std::string& name) {
  static const std::string k_empty;
  const auto& values = side == Side::new_side ? event.new_values : event.old_values;
  auto found = values.find(name);
  return found == values.end() ? k_empty : found->second;
}

const std::string& value_of(const events::Event& event, const Node::Operand& operand) {
  return operand.is_ref ? value_of(event, operand.side, operand.name) : operand.literal;
}

bool evaluate(const Node& node, const events::Event& event) {
  switch (node.kind) {
  case Node::Kind::any_of:
    for (const auto& child : node.children) {
      if (evaluate(*child, event)) {
        return true;
      }
    }
    return false;
  case Node::Kind::all_of:
    for (const auto& child : node.children) {
      if (!evaluate(*child, event)) {
        return false;
      }
    }
    return true;
  case Node::Kind::negation:
    return !evaluate(*node.children.front(), event);
  case Node::Kind::equal:
    return value_of(event, node.left) == value_of(event, node.right);
  case Node::Kind::not_equal:
    return value_of(event, node.left) != value_of(event, node.right);
  case Node::Kind::search:
    return std::regex_match(value_of(event, node.left), *node.regex);
  case Node::Kind::changed:
    return value_of(event, Side::old_side, node.name) != value_of(event, Side::new_side, node.name);
  case Node::Kind::empty:
    return value_of(event, node.left).empty();
  }
  return false;
}

} // namespace

Result<Condition> Condition::parse(std::string_view text, const events::EventDef& def) {
  if (text.size() > k_max_condition_length) {
    return make_error("condition is " + std::to_string(text.size()) + " bytes; the limit is " +
                      std::to_string(k_max_condition_length));
  }
  auto tokens = tokenize(text);
  if (!tokens) {
    return tokens.error();
  }
  if (tokens->size() == 1) {
    return make_error("condition is empty; write one such as new.status == \"16\"");
  }
  auto root = Parser(std::move(tokens.value()), def).parse();
  if (!root) {
    return root.error();
  }
  Condition condition;
  condition.m_text = std::string(text);
  condition.m_root = std::move(root.value());
  return condition;
}

bool Condition::holds(const events::Event& event) const {
  return m_root == nullptr || evaluate(*m_root, event);
}

} // namespace eventmgr::handlers
