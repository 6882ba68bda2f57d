// SPDX-License-Identifier: MIT
#pragma once

#include "common/config.hpp"
#include "common/fd.hpp"
#include "common/result.hpp"

#include <sys/types.h>

#include <filesystem>

namespace eventmgr::daemon {

// Everything that must hold before the daemon creates or opens anything in its state dir, one
// "refusing WHAT PATH: found; fix" line per problem (common/trusted_files.hpp has the rules).
Result<void> check_files(const Config& config, gid_t group);

// Creates the state dir (0750) and the pickup dir (1730), both of group `group`, when absent,
// and the missing dirs above them (0755), each with its mode whatever the umask.
Result<void> prepare_directories(const Config& config, gid_t group);

// The FIFO: from systemd (LISTEN_FDS, ListenFIFO=) when given, else `config.pipe`, created
// with mode 0620 and `group` when absent; a path that exists and is not a FIFO is an error, and
// so is a FIFO that `fifo_problem` refuses (for systemd's: a unit to fix).
// Opened O_RDWR|O_NONBLOCK|O_CLOEXEC so the daemon never sees end-of-file.
Result<UniqueFd> open_fifo(const Config& config, gid_t group);

} // namespace eventmgr::daemon
