// SPDX-License-Identifier: MIT
#pragma once

namespace eventmgr::compat {

// Exit codes of `event_handler`: Plesk's scripts test only for zero, so every failure is 1.
inline constexpr int k_exit_ok = 0;
inline constexpr int k_exit_error = 1;

// Runs Plesk's `event_handler` on eventmgr's state dir (found as `eventmgr` finds it:
// EVENTMGR_STATE_DIR, /etc/eventmgr/eventmgr.yaml, the default); returns the exit code.
int run_event_handler(int argc, char** argv);

} // namespace eventmgr::compat
