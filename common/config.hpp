// SPDX-License-Identifier: MIT
#pragma once

#include "common/result.hpp"
#include "common/retry_policy.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace eventmgr {

inline constexpr const char* k_default_config_path = "/etc/eventmgr/eventmgr.yaml";

// Resource limits applied to every handler process (config `rlimits`); unset: inherited.
struct HandlerLimits {
  std::optional<std::uint64_t> cpu_seconds;       // RLIMIT_CPU
  std::optional<std::uint64_t> open_files;        // RLIMIT_NOFILE
  std::optional<std::uint64_t> processes;         // RLIMIT_NPROC (counts all of the user's processes)
  std::optional<std::uint64_t> address_space_mib; // RLIMIT_AS, in MiB
};

// Every setting of the daemon and the CLI, with its default (README "Configuration"). Paths are absolute once loaded.
struct Config {
  std::filesystem::path config_file;    // empty when running on the embedded default
  std::filesystem::path state_dir;
  std::filesystem::path database;       // STATE/eventmgr.db
  std::filesystem::path pipe;           // STATE/events.pipe
  std::filesystem::path pickup_dir;     // STATE/pickup
  std::vector<std::filesystem::path> catalog_dirs; // STATE/events.d
  std::filesystem::path log_file;       // empty: stderr only
  std::string log_level = "info";       // trace|debug|info|warn|error|critical|off
  std::string pipe_group;               // empty: the daemon's group
  std::string default_user = "nobody";
  int workers = 2;
  int default_timeout = 60;             // seconds, for handlers registered without --timeout
  int kill_grace = 5;                   // seconds between SIGTERM and SIGKILL
  int stop_grace = 30;                  // seconds running handlers get at shutdown
  std::size_t output_limit = 64 * 1024; // bytes per stream
  int retention_days = 30;
  bool allow_root = true;
  HandlerLimits rlimits;
  RetryPolicy retry;                    // retries, retry_on, retry_delays: handlers' defaults
  std::size_t debug_ballast_mib = 0;    // benchmark only: memory the daemon holds
};

// Where the configuration comes from (global CLI options / daemon flags).
struct ConfigSources {
  std::optional<std::filesystem::path> config_file; // --config
  std::optional<std::filesystem::path> state_dir;   // --state-dir
};

// The state dir when nothing sets it: EVENTMGR_STATE_DIR, /var/lib/eventmgr as root, else
// $XDG_STATE_HOME/eventmgr (~/.local/state/eventmgr).
std::filesystem::path default_state_dir();

// Loads the config: `--config FILE` (must exist), else /etc/eventmgr/eventmgr.yaml when present,
// else the embedded default. `--state-dir` overrides the file's state_dir. An unknown key or a
// bad value is an error `FILE:LINE: message`; all problems are reported at once.
Result<Config> load_config(const ConfigSources& sources);

// Parses config `text` named `file_name` in messages (tests, fuzzing).
Result<Config> parse_config(const std::string& text, const std::filesystem::path& file_name,
                            const ConfigSources& sources);

} // namespace eventmgr
