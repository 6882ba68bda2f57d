// SPDX-License-Identifier: MIT
#include "daemon/logging.hpp"

#include "daemon/last_error.hpp"
#include "daemon/log_format.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace eventmgr::daemon {

std::shared_ptr<spdlog::logger> make_logger(const Config& config, std::shared_ptr<LastErrorSink> last_error) {
  auto logger = std::make_shared<spdlog::logger>("eventmgrd");
  logger->sinks().push_back(std::make_shared<spdlog::sinks::stderr_sink_st>());
  logger->sinks().push_back(std::move(last_error));
  logger->set_formatter(make_log_formatter());
  if (auto configured = reconfigure_logger(*logger, config); !configured) {
    logger->error("{}", configured.error().message);
  }
  return logger;
}

Result<void> reconfigure_logger(spdlog::logger& logger, const Config& config) {
  logger.flush();
  auto& sinks = logger.sinks();
  sinks.resize(2); // keep stderr and the last-error sink
  logger.set_level(spdlog::level::from_str(config.log_level));
  logger.flush_on(spdlog::level::warn);
  if (config.log_file.empty()) {
    return {};
  }
  try {
    // The file is opened without O_CLOEXEC by spdlog 1.10; the launcher closes every descriptor
    // above 2 in the child, so handlers never inherit it.
    auto file = std::make_shared<spdlog::sinks::basic_file_sink_st>(config.log_file.string());
    file->set_formatter(make_log_formatter());
    sinks.push_back(std::move(file));
  } catch (const spdlog::spdlog_ex& e) {
    return make_error("cannot open log file " + config.log_file.string() + ": " + e.what());
  }
  return {};
}

} // namespace eventmgr::daemon
