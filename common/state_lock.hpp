// SPDX-License-Identifier: MIT
#pragma once

#include "common/config.hpp"
#include "common/fd.hpp"
#include "common/result.hpp"

#include <functional>
#include <string>

namespace eventmgr {

// Holds STATE/eventmgrd.lock (flock) for the daemon's life: one daemon per state dir. The
// file (mode 0640) holds the daemon's pid. Never follows a symbolic link; refuses a lock file
// that `lock_file_problem` refuses before writing to it. Waits up to 5 s for a daemon that is
// just ending, and tells `on_wait` once, at once, that it waits and for which pid.
Result<UniqueFd> lock_state_dir(const Config& config,
                                const std::function<void(const std::string&)>& on_wait = {});

// True when a process holds the state dir's lock, i.e. the daemon runs.
bool daemon_running(const Config& config);

} // namespace eventmgr
