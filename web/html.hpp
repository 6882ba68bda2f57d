// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>

namespace eventmgr::web {

// `text` safe inside HTML text and double-quoted attributes: & < > " ' as entities. Control
// characters, bidi controls and invalid UTF-8 are first made visible (escape_control), so a
// value from an event, a handler or a record shows as text and never as markup.
std::string html(std::string_view text);

// As html(), keeping newlines: for stdout and stderr blocks.
std::string html_lines(std::string_view text);

} // namespace eventmgr::web
