// SPDX-License-Identifier: MIT
// libFuzzer target for the config file: any text is a config or a list of problems, never a
// crash; every problem names the file and a line, and a loaded config has absolute paths and
// settings within their ranges.
#include "tests/fuzz/fuzz_support.hpp"
#include "common/config.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using eventmgr::fuzzing::catalog;
using eventmgr::fuzzing::check;
using eventmgr::fuzzing::check_problem_lines;

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string file = "fuzz.yaml";
  // A fixed state dir keeps the result independent of the environment.
  eventmgr::ConfigSources sources;
  sources.state_dir = "/var/lib/eventmgr-fuzz";
  const auto config = eventmgr::parse_config(text, file, sources);
  if (!config) {
    const std::string& message = config.error().message;
    check_problem_lines(message, file);
    return 0;
  }
  check(config->state_dir == "/var/lib/eventmgr-fuzz");
  check(config->database.is_absolute() && config->pipe.is_absolute() && config->pickup_dir.is_absolute());
  check(config->log_file.empty() || config->log_file.is_absolute());
  for (const auto& dir : config->catalog_dirs) {
    check(dir.is_absolute());
  }
  check(config->workers >= 1 && config->workers <= 256);
  check(config->default_timeout >= 1 && config->kill_grace >= 0 && config->stop_grace >= 0);
  check(config->retention_days >= 1);
  return 0;
}
