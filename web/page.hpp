// SPDX-License-Identifier: MIT
#pragma once

#include "web/app.hpp"
#include "web/html.hpp"

#include <string>

namespace eventmgr::web {

// A whole page: head with the built-in stylesheet and script, the navigation (with `current`
// marked), the session's role and logout, then `body` (already HTML).
std::string page_html(const PageContext& context, const std::string& title, const std::string& current,
                      const std::string& body);

// A page response with status `status`.
Response page(const PageContext& context, const std::string& title, const std::string& current,
              const std::string& body, int status = 200);

// The hidden CSRF field every POST form carries.
std::string csrf_field(const PageContext& context);

// A message box: kind "ok", "error" or "note"; `text` is plain text (escaped here).
std::string notice(const std::string& kind, const std::string& text);

// A page that says `message` (escaped) with `status`, e.g. 404 "no run 7".
Response error_page(const PageContext& context, int status, const std::string& message);

// Local time "YYYY-MM-DD HH:MM:SS" of unix ms `ms`.
std::string local_time(std::int64_t ms);

} // namespace eventmgr::web
