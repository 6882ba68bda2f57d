// SPDX-License-Identifier: MIT
#include "cli/delivery.hpp"

#include "cli/app.hpp"
#include "common/clock.hpp"
#include "common/fd.hpp"
#include "common/state_lock.hpp"
#include "events/panel_files.hpp"
#include "manage/delivery.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

namespace eventmgr::cli {

std::string random_hex(std::size_t bytes) { return manage::random_hex(bytes); }

bool send_through_pipe(const Config& config, const std::string& line) {
  UniqueFd fd(::open(config.pipe.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd) {
    if (errno == ENXIO || errno == ENOENT) {
      return false;
    }
    throw CommandError{k_exit_failure, "cannot open pipe " + config.pipe.string() + ": " + std::strerror(errno)};
  }
  struct stat st{};
  if (fstat(fd.get(), &st) != 0 || !S_ISFIFO(st.st_mode)) {
    throw CommandError{k_exit_failure, "cannot use pipe " + config.pipe.string() + ": not a FIFO"};
  }
  // A full pipe means a busy daemon: wait for room rather than fail.
  fcntl(fd.get(), F_SETFL, fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK);
  ssize_t written = ::write(fd.get(), line.data(), line.size());
  if (written != static_cast<ssize_t>(line.size())) {
    throw CommandError{k_exit_failure, "cannot write to pipe " + config.pipe.string() + ": " +
                                         (written < 0 ? std::strerror(errno) : "short write")};
  }
  return true;
}

std::filesystem::path send_through_pickup(const Config& config, const std::string& line, Receipt receipt) {
  auto written = manage::write_pickup_file(config, line,
                                           receipt == Receipt::yes ? manage::Receipt::yes : manage::Receipt::no);
  if (!written) {
    throw CommandError{k_exit_failure, written.error().message};
  }
  return std::move(written.value());
}

bool daemon_runs(const Config& config) {
  if (daemon_running(config)) {
    return true;
  }
  auto read = events::read_status_file(events::status_file_path(config.state_dir));
  return read && read->live;
}

} // namespace eventmgr::cli
