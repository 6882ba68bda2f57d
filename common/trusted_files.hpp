// SPDX-License-Identifier: MIT
#pragma once

#include "common/config.hpp"
#include "common/result.hpp"

#include <sys/stat.h>
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace eventmgr {

// Who may own and write the files eventmgrd trusts, shared by the daemon (which refuses to start)
// and `eventmgr check` (which fails). Each `*_problem` takes what stat(2)/lstat(2)/fstat(2) found
// and returns nullopt when sound, else what was found and the command that fixes it:
// "writable by other users (mode 0666): chmod go-w /etc/eventmgr/eventmgr.yaml".
// "The daemon's user" is the effective uid of the calling process.

// Resolves `pipe_group` (empty: the caller's own group).
Result<gid_t> resolve_pipe_group(const Config& config);

// A config file, database, run ledger, catalog dir or catalog file: owned by root or the daemon's
// user, and writable by no one else (a group may write only when it is root's or the daemon's).
std::optional<std::string> private_problem(const struct stat& st, const std::filesystem::path& path);

// The state dir (lstat): a directory owned by root or the daemon's user that no group or other
// user can write (eventmgrd makes it 0750).
std::optional<std::string> state_dir_problem(const struct stat& st, const std::filesystem::path& path);

// A directory holding the pipe, the pickup dir, the database or the log file outside the state
// dir: owned by root or the daemon's user, and not writable by every user unless sticky (/tmp).
std::optional<std::string> parent_dir_problem(const struct stat& st, const std::filesystem::path& path);

// The lock file (lstat or fstat): a regular file with one link, owned by root or the daemon's
// user, no mode bit beyond 0640. Never a symbolic link.
std::optional<std::string> lock_file_problem(const struct stat& st, const std::filesystem::path& path);

// Where the FIFO comes from: the `pipe` path, or systemd (ListenFIFO=, LISTEN_FDS).
enum class FifoSource { path, systemd };

// The FIFO: owned by root or the daemon's user, no mode bit beyond 0620 (the panel's group may
// write, not read), and a group that may write is `pipe_group` (or root's, or the daemon's).
std::optional<std::string> fifo_problem(const struct stat& st, const std::filesystem::path& path,
                                        gid_t pipe_group, FifoSource source);

// The pickup dir (lstat): a directory owned by root or the daemon's user, no mode bit beyond
// 1730, sticky when its group may write, and that group `pipe_group` (or root's, or the daemon's).
std::optional<std::string> pickup_dir_problem(const struct stat& st, const std::filesystem::path& path,
                                              gid_t pipe_group);

// The log file (lstat or fstat): a regular file with one link, owned by root or the daemon's
// user. A mode wider than 0640 is no problem here: eventmgrd narrows it when it opens the file.
std::optional<std::string> log_file_problem(const struct stat& st, const std::filesystem::path& path);

// One part of the daemon's files that breaks its rule.
struct FileProblem {
  std::string what; // "state dir", "pipe", "lock file", ...
  std::filesystem::path path;
  std::string reason; // a `*_problem` text

  // "refusing state dir /var/lib/eventmgr: writable by other users (mode 0777): chmod go-w ..."
  std::string refusal() const;
};

// Every existing part of `config`'s files that breaks its rule: the config file, the dirs above
// the state dir (and above the database, pipe, pickup dir and log file kept elsewhere), the state
// dir, the lock, the database and `run_ledger`, the pipe, the pickup dir and the log file. What
// does not exist yet is no problem: eventmgrd creates it. Catalog dirs and files are checked by
// `events::Catalog::load`.
std::vector<FileProblem> file_problems(const Config& config, gid_t pipe_group,
                                       const std::filesystem::path& run_ledger);

// Creates the missing directories above `path` (not `path` itself), each with exactly `mode`
// whatever the umask.
Result<void> create_parent_dirs(const std::filesystem::path& path, mode_t mode);

// `mode`'s permission bits as four octal digits: "0640".
std::string mode_text(mode_t mode);

} // namespace eventmgr
