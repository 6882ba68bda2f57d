// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace eventmgr::handlers {

// Words of a handler's `command` that a shell would treat as syntax, which eventmgr (running no
// shell) passes to the program as plain arguments: unquoted redirections and control operators
// (`>>`, `2>&1`, `|`, `&&`, `;`, `&`, also glued as `>>/tmp/x.log` or `name;`), and `$NAME`,
// `${...}`, `$(...)` or backticks outside single quotes. One message per word, naming it and what
// to do instead; empty when there is none. Words a shell would read as its -c script (the word
// after -c, -ec, ...) are left alone: there the text is the script's own. The command's syntax
// errors are CommandTemplate::parse's to report; this only looks at well-formed words.
std::vector<std::string> shell_syntax_problems(std::string_view command);

} // namespace eventmgr::handlers
