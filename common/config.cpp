// SPDX-License-Identifier: MIT
#include "common/config.hpp"

#include "common/text.hpp"

#include <yaml-cpp/yaml.h>

#include <unistd.h>

#include <algorithm>
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
  config.output_limit = static_cast<std::size_t>(output_limit);
  config.debug_ballast_mib = static_cast<std::size_t>(ballast);
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
