// SPDX-License-Identifier: MIT
#pragma once

#include "common/result.hpp"

#include <filesystem>
#include <string_view>

namespace eventmgr::daemon {

// Writes the metrics file (config `metrics_file`) for node_exporter's textfile collector, which
// may read it at any moment: each version goes into a hidden file beside it (".NAME.writing",
// which the collector's *.prom glob skips), created without following a symbolic link, then is
// renamed over it. Mode 0644: the figures hold event names and handler ids, no value.
class MetricsFileWriter {
public:
  explicit MetricsFileWriter(std::filesystem::path path);
  // Replaces the file with `text`. The error names the file and the cause; the previous
  // version then stays.
  Result<void> write(std::string_view text);
  const std::filesystem::path& path() const { return m_path; }

private:
  std::filesystem::path m_path;
  std::filesystem::path m_temp;
};

} // namespace eventmgr::daemon
