// SPDX-License-Identifier: MIT
#include "manage/redact.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <utility>
#include <vector>

namespace eventmgr::manage {
namespace {

namespace json = boost::json;

// Longer quoted text is not taken for a key: it bounds the work at every quote of a hostile
// 64 KiB record.
constexpr std::size_t k_max_key = 128;

void redact_value(json::value& value, const SecretNames& secret_names) {
  if (value.is_object()) {
    for (auto& [key, inner] : value.as_object()) {
      if (is_secret_key(key, secret_names)) {
        inner = "***";
      } else {
        redact_value(inner, secret_names);
      }
    }
  } else if (value.is_array()) {
    for (auto& inner : value.as_array()) {
      redact_value(inner, secret_names);
    }
  }
}

// The offset of the closing quote of the JSON-like string whose opening quote is at `open`,
// looking at most `limit` bytes ahead; the size of `text` when there is none.
std::size_t string_end(std::string_view text, std::size_t open, std::size_t limit) {
  const std::size_t stop = std::min(text.size(), open + 1 + limit);
  std::size_t at = open + 1;
  while (at < stop && text[at] != '"') {
    at += text[at] == '\\' ? 2 : 1;
  }
  return at < stop ? at : text.size();
}

// The text of a JSON string's contents with its escapes decoded (\u00XX as that byte, a
// higher \uXXXX as '?': enough to compare with a key name).
std::string unescape(std::string_view quoted) {
  std::string out;
  for (std::size_t i = 0; i < quoted.size(); ++i) {
    if (quoted[i] != '\\' || i + 1 == quoted.size()) {
      out += quoted[i];
      continue;
    }
    const char kind = quoted[++i];
    if (kind == 'u' && i + 4 < quoted.size()) {
      unsigned value = 0;
      for (std::size_t k = 1; k <= 4; ++k) {
        const char digit = quoted[i + k];
        value = value * 16 +
                static_cast<unsigned>(std::isdigit(static_cast<unsigned char>(digit)) != 0
                                          ? digit - '0'
                                          : (std::tolower(static_cast<unsigned char>(digit)) - 'a' + 10));
      }
      out += value < 0x80 ? static_cast<char>(value) : '?';
      i += 4;
    } else {
      out += kind; // \" \\ \/ and the rest: the character itself is what matters here
    }
  }
  return out;
}

std::size_t skip_space(std::string_view text, std::size_t at) {
  while (at < text.size() && (text[at] == ' ' || text[at] == '\t' || text[at] == '\r' || text[at] == '\n')) {
    ++at;
  }
  return at;
}

// One past the end of the value that starts at `start`: a string, a container (taken to the
// end of the text: its brackets may be unbalanced on purpose), or a bare word.
std::size_t value_end(std::string_view text, std::size_t start) {
  if (text[start] == '"') {
    const std::size_t close = string_end(text, start, text.size());
    return close < text.size() ? close + 1 : text.size();
  }
  if (text[start] == '{' || text[start] == '[') {
    return text.size();
  }
  std::size_t end = start;
  while (end < text.size() && std::string_view(",}] \t\r\n").find(text[end]) == std::string_view::npos) {
    ++end;
  }
  return std::max(end, start + 1);
}

// Text that is not JSON: every double quote is tried as the start of a key, whatever came
// before it, so no quote parity is trusted.
std::string redact_text(std::string_view raw, const SecretNames& secret_names) {
  std::vector<std::pair<std::size_t, std::size_t>> hidden; // [begin, end) of secret values
  for (std::size_t open = raw.find('"'); open != std::string_view::npos; open = raw.find('"', open + 1)) {
    if (!hidden.empty() && hidden.back().second == raw.size()) {
      break; // the rest is hidden already
    }
    const std::size_t close = string_end(raw, open, k_max_key);
    if (close == raw.size() ||
        !is_secret_key(unescape(raw.substr(open + 1, close - open - 1)), secret_names)) {
      continue;
    }
    const std::size_t colon = skip_space(raw, close + 1);
    if (colon == raw.size() || raw[colon] != ':') {
      continue;
    }
    const std::size_t start = skip_space(raw, colon + 1);
    if (start == raw.size()) {
      continue;
    }
    hidden.emplace_back(start, value_end(raw, start));
  }
  std::sort(hidden.begin(), hidden.end());
  std::string out;
  std::size_t copied = 0;
  for (const auto& [begin, end] : hidden) {
    if (end <= copied) {
      continue;
    }
    if (begin >= copied) {
      out.append(raw.substr(copied, begin - copied));
      out += "\"***\"";
    }
    copied = end;
  }
  out.append(raw.substr(copied));
  return out;
}

} // namespace

bool is_secret_key(std::string_view key, const SecretNames& secret_names) {
  std::string lower;
  for (char c : key) {
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  std::string_view base = lower;
  if (base.starts_with("new_") || base.starts_with("old_")) {
    base.remove_prefix(4);
  }
  return secret_names.contains(lower) || secret_names.contains(base) ||
         lower.find("password") != std::string::npos || lower.find("passwd") != std::string::npos ||
         lower.find("secret") != std::string::npos;
}

std::string redact_record(std::string_view raw, const SecretNames& secret_names) {
  boost::system::error_code ec;
  json::value value = json::parse(raw, ec);
  if (!ec) {
    redact_value(value, secret_names);
    return json::serialize(value);
  }
  return redact_text(raw, secret_names);
}

} // namespace eventmgr::manage
