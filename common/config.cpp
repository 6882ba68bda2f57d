// SPDX-License-Identifier: MIT
#include "common/config.hpp"

#include "common/text.hpp"

#include <yaml-cpp/yaml.h>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

namespace eventmgr {
namespace fs = std::filesystem;

fs::path default_state_dir() {
  if (const char* env = std::getenv("EVENTMGR_STATE_DIR"); env != nullptr && *env != '\0') {
    return fs::absolute(env);
  }
  if (geteuid() == 0) {
    return "/var/lib/eventmgr";
  }
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg != nullptr && *xdg == '/') {
    return fs::path(xdg) / "eventmgr";
  }
  const char* home = std::getenv("HOME");
  return fs::path(home != nullptr && *home != '\0' ? home : "/tmp") / ".local/state/eventmgr";
}

namespace {

struct Problems {
  std::string file;
  std::string text;
  void add(const YAML::Node& node, const std::string& message) {
    // One problem per line, whatever the quoted input holds.
    text += file + ":" + std::to_string(node.Mark().line + 1) + ": " + escape_control(message) + "\n";
  }
};

bool read_int(const YAML::Node& node, const std::string& key, int low, int high, int& out, Problems& problems) {
  try {
    long long value = node.as<long long>();
    if (value < low || value > high) {
      problems.add(node, key + ": " + std::to_string(value) + " is out of range " + std::to_string(low) + ".." +
                             std::to_string(high));
      return false;
    }
    out = static_cast<int>(value);
    return true;
  } catch (const YAML::Exception&) {
    problems.add(node, key + ": expected an integer " + std::to_string(low) + ".." + std::to_string(high) +
                           ", got '" + (node.IsScalar() ? escape_for_message(node.Scalar()) : std::string("a collection")) +
                           "'");
    return false;
  }
}

bool read_string(const YAML::Node& node, const std::string& key, std::string& out, Problems& problems) {
  if (!node.IsScalar()) {
    problems.add(node, key + ": expected a string");
    return false;
  }
  out = node.Scalar();
  return true;
}

// Paths in the config are absolute, or relative to the state dir.
fs::path resolve_path(const fs::path& state_dir, const std::string& value) {
  fs::path path(value);
  return path.is_absolute() ? path : state_dir / path;
}

// NATS names: stream and durable names are one token of letters, digits, '-' and '_'.
bool nats_name(const std::string& value) {
  return !value.empty() && value.size() <= 255 && std::all_of(value.begin(), value.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
  });
}

// A subject of dot-separated non-empty tokens without blanks; `wildcards`: '*' tokens and a last
// '>' token are allowed (a filter).
bool nats_subject(const std::string& value, bool wildcards) {
  if (value.empty() || value.front() == '.' || value.back() == '.' || value.find("..") != std::string::npos) {
    return false;
  }
  for (std::size_t start = 0; start <= value.size();) {
    std::size_t end = value.find('.', start);
    if (end == std::string::npos) {
      end = value.size();
    }
    const std::string token = value.substr(start, end - start);
    for (char c : token) {
      if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) {
        return false;
      }
    }
    const bool wildcard = token == "*" || (token == ">" && end == value.size());
    if (token.find_first_of("*>") != std::string::npos && (!wildcards || !wildcard)) {
      return false;
    }
    start = end + 1;
  }
  return true;
}

// A host name as it appears in message ids `<host>:<seq>` and as an event's source (at most 64
// characters): letters, digits, '.', '-' and '_'.
bool fleet_host(const std::string& value) {
  return !value.empty() && value.size() <= 64 && std::all_of(value.begin(), value.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
  });
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) {
    return {};
  }
  return name;
}

// Reads the keys of a NATS endpoint (url, creds, tls_*) from map `node`; `rest` reads the
// other keys and returns false for an unknown one. `valid` lists them all for the message.
void read_nats_map(const YAML::Node& node, const std::string& key, NatsEndpoint& endpoint,
                   const std::function<bool(const std::string&, const YAML::Node&)>& rest, const std::string& valid,
                   Problems& problems) {
  if (!node.IsMap()) {
    problems.add(node, key + ": expected a mapping of " + valid);
    return;
  }
  for (const auto& item : node) {
    const std::string name = item.first.Scalar();
    const std::string full = key + "." + name;
    std::string value;
    if (name == "url") {
      read_string(item.second, full, endpoint.url, problems);
    } else if (name == "creds" || name == "tls_ca" || name == "tls_cert" || name == "tls_key") {
      if (read_string(item.second, full, value, problems)) {
        std::filesystem::path& path = name == "creds"    ? endpoint.creds
                                      : name == "tls_ca" ? endpoint.tls_ca
                                      : name == "tls_cert" ? endpoint.tls_cert
                                                           : endpoint.tls_key;
        path = value;
      }
    } else if (!rest(name, item.second)) {
      problems.add(item.first, key + ": unknown setting '" + escape_for_message(name) + "'; valid: " + valid);
    }
  }
  if (endpoint.url.empty()) {
    problems.add(node, key + ".url: required (nats://host:port)");
  }
  if (endpoint.tls_cert.empty() != endpoint.tls_key.empty()) {
    problems.add(node, key + ": tls_cert and tls_key go together");
  }
}

} // namespace

Result<Config> parse_config(const std::string& text, const fs::path& file_name, const ConfigSources& sources) {
  Config config;
  config.config_file = file_name;
  Problems problems{file_name.string(), ""};
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    return make_error(file_name.string() + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (root.IsNull()) {
    root = YAML::Node(YAML::NodeType::Map);
  }
  if (!root.IsMap()) {
    return make_error(file_name.string() + ":" + std::to_string(root.Mark().line + 1) +
                      ": the config must be a mapping of settings");
  }

  std::map<std::string, std::string> paths; // key -> raw value, resolved once state_dir is known
  std::string state_dir;
  int output_limit = static_cast<int>(config.output_limit);
  int ballast = 0;
  std::vector<std::string> catalog_dirs;
  bool catalog_dirs_set = false;

  using Reader = std::function<void(const YAML::Node&, const std::string&)>;
  const std::map<std::string, Reader> readers = {
    {"state_dir", [&](const YAML::Node& n, const std::string& k) { read_string(n, k, state_dir, problems); }},
    {"database", [&](const YAML::Node& n, const std::string& k) { read_string(n, k, paths[k], problems); }},
    {"pipe", [&](const YAML::Node& n, const std::string& k) { read_string(n, k, paths[k], problems); }},
    {"pickup_dir", [&](const YAML::Node& n, const std::string& k) { read_string(n, k, paths[k], problems); }},
    {"log_file", [&](const YAML::Node& n, const std::string& k) { read_string(n, k, paths[k], problems); }},
    {"catalog_dirs",
     [&](const YAML::Node& n, const std::string& k) {
       catalog_dirs_set = true;
       if (!n.IsSequence()) {
         problems.add(n, k + ": expected a list of directories");
         return;
       }
       for (const auto& item : n) {
         std::string dir;
         if (read_string(item, k, dir, problems)) {
           catalog_dirs.push_back(dir);
         }
       }
     }},
    {"catalogs",
     [&](const YAML::Node& n, const std::string& k) {
       config.catalogs.clear();
       std::string valid;
       for (const char* name : k_catalog_names) {
         valid += (valid.empty() ? "" : ", ") + std::string(name);
       }
       if (!n.IsSequence() || n.size() == 0) {
         problems.add(n, k + ": expected a list of built-in catalogs, e.g. [seed, plesk-obsidian]");
         return;
       }
       for (const auto& item : n) {
         std::string name;
         if (!read_string(item, k, name, problems)) {
           continue;
         }
         if (std::find(std::begin(k_catalog_names), std::end(k_catalog_names), name) == std::end(k_catalog_names)) {
           problems.add(item, k + ": unknown catalog '" + escape_for_message(name) + "'; valid: " + valid);
           continue;
         }
         if (std::find(config.catalogs.begin(), config.catalogs.end(), name) != config.catalogs.end()) {
           problems.add(item, k + ": '" + escape_for_message(name) + "' is listed twice");
           continue;
         }
         config.catalogs.push_back(name);
       }
     }},
    {"log_level",
     [&](const YAML::Node& n, const std::string& k) {
       static const std::vector<std::string> levels = {"trace", "debug", "info",    "warn",
                                                       "error", "critical", "off"};
       if (read_string(n, k, config.log_level, problems) &&
           std::find(levels.begin(), levels.end(), config.log_level) == levels.end()) {
         problems.add(n, k + ": '" + escape_for_message(config.log_level) +
                             "' is not a level; valid: trace, debug, info, warn, error, critical, off");
       }
     }},
    {"pipe_group", [&](const YAML::Node& n, const std::string& k) { read_string(n, k, config.pipe_group, problems); }},
    {"default_user",
     [&](const YAML::Node& n, const std::string& k) { read_string(n, k, config.default_user, problems); }},
    {"workers", [&](const YAML::Node& n, const std::string& k) { read_int(n, k, 1, 256, config.workers, problems); }},
    {"default_timeout",
     [&](const YAML::Node& n, const std::string& k) { read_int(n, k, 1, 86400, config.default_timeout, problems); }},
    {"kill_grace",
     [&](const YAML::Node& n, const std::string& k) { read_int(n, k, 0, 3600, config.kill_grace, problems); }},
    {"stop_grace",
     [&](const YAML::Node& n, const std::string& k) { read_int(n, k, 0, 3600, config.stop_grace, problems); }},
    {"output_limit",
     [&](const YAML::Node& n, const std::string& k) { read_int(n, k, 0, 64 << 20, output_limit, problems); }},
    {"retention_days",
     [&](const YAML::Node& n, const std::string& k) { read_int(n, k, 1, 36500, config.retention_days, problems); }},
    {"allow_root",
     [&](const YAML::Node& n, const std::string& k) {
       try {
         config.allow_root = n.as<bool>();
       } catch (const YAML::Exception&) {
         problems.add(n, k + ": expected true or false");
       }
     }},
    {"rlimits",
     [&](const YAML::Node& n, const std::string& k) {
       if (!n.IsMap()) {
         problems.add(n, k + ": expected a mapping of cpu_seconds, open_files, processes, address_space_mib");
         return;
       }
       const std::map<std::string, std::optional<std::uint64_t>*> limits = {
         {"cpu_seconds", &config.rlimits.cpu_seconds},
         {"open_files", &config.rlimits.open_files},
         {"processes", &config.rlimits.processes},
         {"address_space_mib", &config.rlimits.address_space_mib}};
       for (const auto& item : n) {
         std::string name = item.first.Scalar();
         auto limit = limits.find(name);
         if (limit == limits.end()) {
           problems.add(item.first, k + ": unknown limit '" + escape_for_message(name) +
                                      "'; valid: cpu_seconds, open_files, processes, address_space_mib");
           continue;
         }
         int value = 0;
         if (read_int(item.second, k + "." + name, 1, 1 << 30, value, problems)) {
           *limit->second = static_cast<std::uint64_t>(value);
         }
       }
     }},
    {"forward",
     [&](const YAML::Node& n, const std::string& k) {
       ForwardConfig forward;
       forward.host = host_name();
       read_nats_map(
         n, k, forward.nats,
         [&](const std::string& name, const YAML::Node& v) {
           const std::string full = k + "." + name;
           if (name == "stream") {
             if (read_string(v, full, forward.stream, problems) && !nats_name(forward.stream)) {
               problems.add(v, full + ": '" + escape_for_message(forward.stream) +
                                 "' is not a stream name (letters, digits, '-', '_')");
             }
           } else if (name == "subject_prefix") {
             if (read_string(v, full, forward.subject_prefix, problems) &&
                 !nats_subject(forward.subject_prefix, false)) {
               problems.add(v, full + ": '" + escape_for_message(forward.subject_prefix) +
                                 "' is not a subject (dot-separated tokens, no blanks or wildcards)");
             }
           } else if (name == "host") {
             if (read_string(v, full, forward.host, problems) && !fleet_host(forward.host)) {
               problems.add(v, full + ": '" + escape_for_message(forward.host) +
                                 "' is not a host name (at most 64 letters, digits, '.', '-', '_')");
             }
           } else if (name == "duplicate_window") {
             read_int(v, full, 60, 30 * 86400, forward.duplicate_window, problems);
           } else {
             return false;
           }
           return true;
         },
         "url, stream, subject_prefix, host, duplicate_window, creds, tls_ca, tls_cert, tls_key", problems);
       if (!fleet_host(forward.host)) {
         problems.add(n, k + ".host: the host name '" + escape_for_message(forward.host) +
                           "' cannot name this host in message ids; set forward.host");
       }
       config.forward = std::move(forward);
     }},
    {"intake",
     [&](const YAML::Node& n, const std::string& k) {
       if (!n.IsMap()) {
         problems.add(n, k + ": expected a mapping with nats");
         return;
       }
       for (const auto& item : n) {
         if (item.first.Scalar() != "nats") {
           problems.add(item.first, k + ": unknown intake '" + escape_for_message(item.first.Scalar()) +
                                      "'; valid: nats");
           continue;
         }
         NatsIntakeConfig intake;
         std::string prefix = "eventmgr";
         bool filter_set = false;
         const std::string key = k + ".nats";
         read_nats_map(
           item.second, key, intake.nats,
           [&](const std::string& name, const YAML::Node& v) {
             const std::string full = key + "." + name;
             if (name == "stream" || name == "durable") {
               std::string& out = name == "stream" ? intake.stream : intake.durable;
               if (read_string(v, full, out, problems) && !nats_name(out)) {
                 problems.add(v, full + ": '" + escape_for_message(out) +
                                   "' is not a NATS name (letters, digits, '-', '_')");
               }
             } else if (name == "subject_prefix") {
               if (read_string(v, full, prefix, problems) && !nats_subject(prefix, false)) {
                 problems.add(v, full + ": '" + escape_for_message(prefix) +
                                   "' is not a subject (dot-separated tokens, no blanks or wildcards)");
               }
             } else if (name == "filter") {
               filter_set = true;
               if (read_string(v, full, intake.filter, problems) && !nats_subject(intake.filter, true)) {
                 problems.add(v, full + ": '" + escape_for_message(intake.filter) +
                                   "' is not a subject filter (tokens, '*', a last '>')");
               }
             } else {
               return false;
             }
             return true;
           },
           "url, stream, durable, subject_prefix, filter, creds, tls_ca, tls_cert, tls_key", problems);
         if (!filter_set) {
           intake.filter = prefix + ".>";
         }
         config.intake_nats = std::move(intake);
       }
     }},
    {"web",
     [&](const YAML::Node& n, const std::string& k) {
       if (!n.IsMap()) {
         problems.add(n, k + ": expected a mapping of listen, tls_cert, tls_key, host_names");
         return;
       }
       for (const auto& item : n) {
         std::string name = item.first.Scalar();
         if (name == "listen") {
           read_string(item.second, k + ".listen", config.web.listen, problems);
         } else if (name == "tls_cert" || name == "tls_key") {
           read_string(item.second, k + "." + name, paths["web." + name], problems);
         } else if (name == "host_names" && item.second.IsSequence()) {
           for (const auto& host : item.second) {
             std::string value;
             if (read_string(host, k + ".host_names", value, problems)) {
               config.web.host_names.push_back(value);
             }
           }
         } else {
           problems.add(item.first, k + ": unknown key '" + escape_for_message(name) +
                                      "'; valid: listen, tls_cert, tls_key, host_names (a list)");
         }
       }
     }},
    {"retries",
     [&](const YAML::Node& n, const std::string& k) { read_int(n, k, 0, k_max_retries, config.retry.retries, problems); }},
    {"retry_on",
     [&](const YAML::Node& n, const std::string& k) {
       std::string value;
       if (!read_string(n, k, value, problems)) {
         return;
       }
       if (auto retry_on = parse_retry_on(value)) {
         config.retry.retry_on = *retry_on;
       } else {
         problems.add(n, k + ": '" + escape_for_message(value) + "' is not valid; valid: tempfail, failure");
       }
     }},
    {"retry_delays",
     [&](const YAML::Node& n, const std::string& k) {
       std::string value;
       if (n.IsSequence()) {
         for (const auto& item : n) {
           value += (value.empty() ? "" : ",") + (item.IsScalar() ? item.Scalar() : std::string("?"));
         }
       } else if (!read_string(n, k, value, problems)) {
         return;
       }
       auto delays = parse_retry_delays(value);
       if (!delays) {
         problems.add(n, k + ": " + delays.error().message);
       } else {
         config.retry.delays_ms = std::move(delays.value());
       }
     }},
    {"debug_ballast_mib",
     [&](const YAML::Node& n, const std::string& k) { read_int(n, k, 0, 65536, ballast, problems); }},
    {"metrics_file", [&](const YAML::Node& n, const std::string& k) { read_string(n, k, paths[k], problems); }},
    {"metrics_interval",
     [&](const YAML::Node& n, const std::string& k) { read_int(n, k, 1, 3600, config.metrics_interval, problems); }},
    {"log_journal",
     [&](const YAML::Node& n, const std::string& k) {
       if (read_string(n, k, config.log_journal, problems) && config.log_journal != "auto" &&
           config.log_journal != "yes" && config.log_journal != "no") {
         problems.add(n, k + ": '" + escape_for_message(config.log_journal) + "' is not valid; valid: auto, yes, no");
       }
     }},
    {"debug_journal_socket",
     [&](const YAML::Node& n, const std::string& k) { read_string(n, k, paths[k], problems); }},
  };

  for (const auto& entry : root) {
    std::string key = entry.first.Scalar();
    auto reader = readers.find(key);
    if (reader == readers.end()) {
      std::string valid;
      for (const auto& [name, unused] : readers) {
        if (!name.starts_with("debug_")) { // benchmark-only settings are not offered
          valid += (valid.empty() ? "" : ", ") + name;
        }
      }
      problems.add(entry.first, "unknown setting '" + escape_for_message(key) + "'; valid: " + valid);
      continue;
    }
    reader->second(entry.second, key);
  }
  if (!problems.text.empty()) {
    problems.text.pop_back();
    return make_error(problems.text);
  }

  if (sources.state_dir) {
    config.state_dir = fs::absolute(*sources.state_dir);
  } else if (!state_dir.empty()) {
    config.state_dir = fs::absolute(state_dir);
  } else {
    config.state_dir = default_state_dir();
  }
  config.state_dir = config.state_dir.lexically_normal();
  const fs::path& s = config.state_dir;
  config.database = paths.count("database") ? resolve_path(s, paths["database"]) : s / "eventmgr.db";
  config.pipe = paths.count("pipe") ? resolve_path(s, paths["pipe"]) : s / "events.pipe";
  config.pickup_dir = paths.count("pickup_dir") ? resolve_path(s, paths["pickup_dir"]) : s / "pickup";
  if (paths.count("log_file") && !paths["log_file"].empty()) {
    config.log_file = resolve_path(s, paths["log_file"]);
  }
  if (catalog_dirs_set) {
    for (const auto& dir : catalog_dirs) {
      config.catalog_dirs.push_back(resolve_path(s, dir));
    }
  } else {
    config.catalog_dirs.push_back(s / "events.d");
  }
  if (paths.count("web.tls_cert") && !paths["web.tls_cert"].empty()) {
    config.web.tls_cert = resolve_path(s, paths["web.tls_cert"]);
  }
  if (paths.count("web.tls_key") && !paths["web.tls_key"].empty()) {
    config.web.tls_key = resolve_path(s, paths["web.tls_key"]);
  }
  if (paths.count("metrics_file") && !paths["metrics_file"].empty()) {
    config.metrics_file = resolve_path(s, paths["metrics_file"]);
  }
  if (paths.count("debug_journal_socket")) {
    config.debug_journal_socket = resolve_path(s, paths["debug_journal_socket"]);
  }
  config.output_limit = static_cast<std::size_t>(output_limit);
  config.debug_ballast_mib = static_cast<std::size_t>(ballast);
  for (NatsEndpoint* endpoint : {config.forward ? &config.forward->nats : nullptr,
                                 config.intake_nats ? &config.intake_nats->nats : nullptr}) {
    if (endpoint != nullptr) {
      for (fs::path* path : {&endpoint->creds, &endpoint->tls_ca, &endpoint->tls_cert, &endpoint->tls_key}) {
        if (!path->empty()) {
          *path = resolve_path(s, path->string());
        }
      }
    }
  }
  return config;
}

Result<Config> load_config(const ConfigSources& sources) {
  fs::path file;
  if (sources.config_file) {
    file = *sources.config_file;
  } else if (fs::exists(k_default_config_path)) {
    file = k_default_config_path;
  }
  if (file.empty()) {
    auto config = parse_config("", "", sources);
    if (config) {
      config->config_file.clear();
    }
    return config;
  }
  std::ifstream in(file);
  if (!in) {
    return make_error("cannot read config " + file.string() + ": " + std::strerror(errno));
  }
  std::stringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), fs::absolute(file), sources);
}

} // namespace eventmgr
