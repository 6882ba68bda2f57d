// SPDX-License-Identifier: MIT
#pragma once

#include "common/config.hpp"
#include "common/fd.hpp"
#include "common/result.hpp"

#include <sys/types.h>

#include <filesystem>
#include <optional>

namespace eventmgr::daemon {

// Resolves `pipe_group` (empty: the daemon's own group).
Result<gid_t> resolve_pipe_group(const Config& config);

// Creates the state dir (0750) and the pickup dir (1730), both of group `group`, when absent.
Result<void> prepare_directories(const Config& config, gid_t group);

// Refuses `path` (a config file, database or catalog dir) when users other than the daemon's
// own and root can write it: "refusing config /etc/x.yaml: writable by other users (mode 0666)".
Result<void> check_private(const std::filesystem::path& path, const char* what);

// The FIFO: from systemd (LISTEN_FDS, ListenFIFO=) when given, else `config.pipe`, created
// with mode 0620 and `group` when absent; a path that exists and is not a FIFO is an error.
// Opened O_RDWR|O_NONBLOCK|O_CLOEXEC so the daemon never sees end-of-file.
Result<UniqueFd> open_fifo(const Config& config, gid_t group);

} // namespace eventmgr::daemon
