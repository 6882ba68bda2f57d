// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eventmgr::web {

// Decoded name=value pairs of a query string or a form body, in order (a name may repeat).
class Params {
public:
  void add(std::string name, std::string value) { m_items.emplace_back(std::move(name), std::move(value)); }
  // The first value of `name`.
  std::optional<std::string> get(std::string_view name) const;
  // The first value of `name`, or `fallback`.
  std::string value_or(std::string_view name, std::string fallback = {}) const;
  // Every value of `name`, in order.
  std::vector<std::string> all(std::string_view name) const;
  bool empty() const { return m_items.empty(); }

private:
  std::vector<std::pair<std::string, std::string>> m_items;
};

// Parses `a=1&b=x%20y` (application/x-www-form-urlencoded: `+` is a space).
Params parse_params(std::string_view text);
// Percent-decodes `text` (`+` as a space when `plus_is_space`).
std::string url_decode(std::string_view text, bool plus_is_space);
// Percent-encodes everything but unreserved characters.
std::string url_encode(std::string_view text);

// One HTTP request as the pages see it (the server fills it from Beast's parser).
struct Request {
  std::string method; // "GET", "POST", ...
  std::string path;   // decoded, without the query
  Params query;
  Params form;        // for POST with application/x-www-form-urlencoded
  std::string host;   // the Host header
  std::string origin; // the Origin header, empty when absent
  std::string referer;
  std::string cookie; // the Cookie header
  std::string client; // the peer's address
  bool tls = false;
};

// One response; the server adds the safety headers to every response.
struct Response {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  void set_header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
  std::optional<std::string> header(std::string_view name) const;
};

// A 303 redirect to `location` (a path on this server).
Response redirect(const std::string& location);

// The value of cookie `name` in a Cookie header, or empty.
std::string cookie_value(std::string_view header, std::string_view name);

} // namespace eventmgr::web
