// SPDX-License-Identifier: MIT
#pragma once

#include "common/users.hpp"

#include <string>
#include <vector>

namespace eventmgr {

// Whether `user` can run `program`: every directory the kernel searches to reach it (the path as
// written and, past symbolic links, the real one) must be searchable by `user`, and the program a
// regular file `user` may execute. Returns every problem, each naming the path, its mode and
// owner, and the user; empty when the program can run. Used by `eventmgr check`, `handler add`,
// `handler update` and `handler test`.
std::vector<std::string> program_problems(const std::string& program, const UserInfo& user);

} // namespace eventmgr
