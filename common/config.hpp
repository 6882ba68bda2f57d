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

// The built-in catalogs the config's `catalogs` may name (events::builtin_catalogs() embeds them).
inline constexpr const char* k_catalog_names[] = {"seed", "plesk-obsidian"};

// Resource limits applied to every handler process (config `rlimits`); unset: inherited.
struct HandlerLimits {
  std::optional<std::uint64_t> cpu_seconds;       // RLIMIT_CPU
  std::optional<std::uint64_t> open_files;        // RLIMIT_NOFILE
  std::optional<std::uint64_t> processes;         // RLIMIT_NPROC (counts all of the user's processes)
  std::optional<std::uint64_t> address_space_mib; // RLIMIT_AS, in MiB
};

// Where and how to reach a NATS server (config `forward` and `intake.nats`).
struct NatsEndpoint {
  std::string url;                     // nats://host:port, several separated by commas
  std::filesystem::path creds;         // a .creds file (JWT and NKey seed); empty: none
  std::filesystem::path tls_ca;        // CA certificates to trust; set: TLS is required
  std::filesystem::path tls_cert;      // client certificate and key, both or neither
  std::filesystem::path tls_key;
};

// Config `forward`: publish every journaled event to a JetStream stream (docs/FLEET.md).
struct ForwardConfig {
  NatsEndpoint nats;
  std::string stream = "EVENTMGR";
  std::string subject_prefix = "eventmgr";
  std::string host;                    // default: the host name; the message ids are `<host>:<seq>`
  int duplicate_window = 86400;        // seconds, for a stream the daemon creates
};

// Config `intake.nats`: also take events from a durable pull consumer of a stream.
struct NatsIntakeConfig {
  NatsEndpoint nats;
  std::string stream = "EVENTMGR";
  std::string durable = "eventmgr-central";
  std::string filter = "eventmgr.>";
};

// The settings of eventmgr-web (config `web`): where it listens and its TLS files.
struct WebConfig {
  std::string listen = "127.0.0.1:8750";  // ADDRESS:PORT; a non-loopback address needs TLS
  std::filesystem::path tls_cert;         // PEM certificate chain; empty: plain HTTP
  std::filesystem::path tls_key;          // PEM private key
  std::vector<std::string> host_names;    // Host header names answered besides the listen address
};

// Every setting of the daemon and the CLI, with its default (README "Configuration"). Paths are absolute once loaded.
struct Config {
  std::filesystem::path config_file;    // empty when running on the embedded default
  std::filesystem::path state_dir;
  std::filesystem::path database;       // STATE/eventmgr.db
  std::filesystem::path pipe;           // STATE/events.pipe
  std::filesystem::path pickup_dir;     // STATE/pickup
  std::vector<std::filesystem::path> catalog_dirs; // STATE/events.d
  std::vector<std::string> catalogs = {"seed", "plesk-obsidian"}; // of k_catalog_names
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
  std::optional<ForwardConfig> forward;
  std::optional<NatsIntakeConfig> intake_nats;
  WebConfig web;
  std::filesystem::path metrics_file;   // Prometheus text file, replaced by rename; empty: none
  int metrics_interval = 15;            // seconds between writes of metrics_file
  // Log to the systemd journal with structured fields: auto (when stderr is the journal's
  // stream, JOURNAL_STREAM), yes, no.
  std::string log_journal = "auto";
  std::filesystem::path debug_journal_socket = "/run/systemd/journal/socket"; // tests only
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
