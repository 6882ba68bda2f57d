// SPDX-License-Identifier: MIT
#include "daemon/logging.hpp"

#include "common/fd.hpp"
#include "common/text.hpp"
#include "common/trusted_files.hpp"
#include "daemon/journal_sink.hpp"
#include "daemon/last_error.hpp"
#include "daemon/log_format.hpp"

#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace eventmgr::daemon {
namespace {

constexpr mode_t k_log_mode = 0640;

// Appends to a log file the daemon opened and checked itself (spdlog's file sink opens by name,
// following symbolic links, with the umask's mode). Buffered like spdlog's: written on flush.
class LogFileSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
public:
  explicit LogFileSink(std::FILE* file) : m_file(file) {}
  LogFileSink(const LogFileSink&) = delete;
  LogFileSink& operator=(const LogFileSink&) = delete;
  ~LogFileSink() override { std::fclose(m_file); }

protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(message, formatted);
    std::fwrite(formatted.data(), 1, formatted.size(), m_file);
  }
  void flush_() override { std::fflush(m_file); }

private:
  std::FILE* m_file;
};

// The log file, opened for appending: its stream, and a warning when its mode was narrowed.
struct OpenedLog {
  std::FILE* file = nullptr;
  std::string warning;
};

Result<OpenedLog> open_log_file(const std::filesystem::path& path) {
  const std::string name = escape_control(path.string());
  if (auto parents = create_parent_dirs(path, 0755); !parents) {
    return make_error("cannot open log file " + name + ": " + parents.error().message);
  }
  // O_CLOEXEC as well: handlers never inherit it (the launcher closes the rest anyway).
  constexpr int k_flags = O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
  UniqueFd fd(::open(path.c_str(), k_flags | O_CREAT | O_EXCL, k_log_mode));
  const bool created = static_cast<bool>(fd);
  if (!fd && errno == EEXIST) {
    fd.reset(::open(path.c_str(), k_flags));
  }
  if (!fd) {
    struct stat link{};
    if (errno == ELOOP && ::lstat(path.c_str(), &link) == 0) {
      return make_error("refusing log file " + name + ": " +
                        log_file_problem(link, path).value_or("a symbolic link"));
    }
    return make_error("cannot open log file " + name + ": " + std::strerror(errno));
  }
  struct stat st{};
  if (::fstat(fd.get(), &st) != 0) {
    return make_error("cannot check log file " + name + ": " + std::strerror(errno));
  }
  if (auto problem = log_file_problem(st, path)) {
    return make_error("refusing log file " + name + ": " + *problem);
  }
  OpenedLog opened;
  // A new file has the umask's mode; one an older eventmgrd made may be readable by all. The file
  // is ours (checked above), so it is narrowed rather than refused; a narrower mode is kept.
  const mode_t mode = st.st_mode & 07777;
  const mode_t wanted = created ? k_log_mode : (mode & k_log_mode);
  if (mode != wanted) {
    if (::fchmod(fd.get(), wanted) != 0) {
      return make_error("cannot set the mode of log file " + name + ": " + std::strerror(errno));
    }
    if ((mode & ~k_log_mode) != 0) {
      opened.warning = "log file " + name + " had mode " + mode_text(mode) + "; set to " + mode_text(wanted);
    }
  }
  opened.file = ::fdopen(fd.get(), "a");
  if (opened.file == nullptr) {
    return make_error("cannot open log file " + name + ": " + std::strerror(errno));
  }
  fd.release();
  return opened;
}

// Where lines go besides the log file: the journal under systemd (its stream would otherwise
// get each line as unstructured text), else stderr.
spdlog::sink_ptr make_console_sink(const Config& config) {
  if (wants_journal(config)) {
    return std::make_shared<JournalSink>(config.debug_journal_socket);
  }
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_st>();
  sink->set_formatter(make_log_formatter());
  return sink;
}

} // namespace

std::shared_ptr<spdlog::logger> make_logger(const Config& config, std::shared_ptr<LastErrorSink> last_error) {
  auto logger = std::make_shared<spdlog::logger>("eventmgrd");
  logger->sinks().push_back(make_console_sink(config));
  logger->sinks().push_back(std::move(last_error));
  logger->set_formatter(make_log_formatter());
  logger->set_level(spdlog::level::from_str(config.log_level));
  logger->flush_on(spdlog::level::warn);
  return logger;
}

Result<void> reconfigure_logger(spdlog::logger& logger, const Config& config) {
  logger.flush();
  auto& sinks = logger.sinks();
  sinks.resize(2); // keep the last-error sink; the console sink follows log_journal
  sinks[0] = make_console_sink(config);
  logger.set_level(spdlog::level::from_str(config.log_level));
  logger.flush_on(spdlog::level::warn);
  if (config.log_file.empty()) {
    return {};
  }
  auto opened = open_log_file(config.log_file);
  if (!opened) {
    return opened.error();
  }
  auto file = std::make_shared<LogFileSink>(opened->file);
  file->set_formatter(make_log_formatter());
  sinks.push_back(std::move(file));
  if (!opened->warning.empty()) {
    logger.warn("{}", opened->warning);
  }
  return {};
}

} // namespace eventmgr::daemon
