// SPDX-License-Identifier: MIT
#pragma once

#include "handlers/command_template.hpp"

#include <string>
#include <vector>

namespace eventmgr::handlers {

// The "no value as code" rule of a handler's command: follows the command through known
// wrappers (timeout, nice, env, flock, sudo, runuser, busybox, xargs, find -exec, ...) to known
// interpreters (shells, python, perl, ruby, php, node, lua, tclsh, awk, sed) and returns one
// message for each placeholder in `words` that such a program would read as code, as the
// choice of the program or script to run, or as an option. Empty when the command is safe in
// that sense. command_template.cpp states what the rule does not cover.
std::vector<std::string> code_placeholder_problems(const std::vector<CommandTemplate::Word>& words);

} // namespace eventmgr::handlers
