// SPDX-License-Identifier: MIT
#include "cli/delivery.hpp"

#include "cli/app.hpp"
#include "common/clock.hpp"
#include "common/fd.hpp"
#include "common/state_lock.hpp"
#include "events/panel_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <string_view>

namespace eventmgr::cli {

std::string random_hex(std::size_t bytes) {
  std::random_device device;
  std::string out;
  constexpr std::string_view k_hex = "0123456789abcdef";
  for (std::size_t i = 0; i < bytes; ++i) {
    auto byte = static_cast<unsigned>(device()) & 0xffU;
    out += k_hex[byte >> 4];
    out += k_hex[byte & 0xf];
  }
  return out;
}

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
  std::string name = "submit-" + std::to_string(now_ms()) + "-" + random_hex(8);
  std::filesystem::path temp = config.pickup_dir / ("." + name + ".tmp");
  std::filesystem::path final_path =
      config.pickup_dir /
      (name + (receipt == Receipt::yes ? std::string(events::k_receipt_suffix) : ".json"));
  UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640));
  if (!fd) {
    throw CommandError{k_exit_failure, "cannot create " + temp.string() + ": " + std::strerror(errno) +
                                         " (does the pickup dir exist? eventmgrd creates it at start)"};
  }
  if (::write(fd.get(), line.data(), line.size()) != static_cast<ssize_t>(line.size()) || ::fsync(fd.get()) != 0) {
    int error = errno;
    ::unlink(temp.c_str());
    throw CommandError{k_exit_failure, "cannot write " + temp.string() + ": " + std::strerror(error)};
  }
  fd.reset();
  if (::rename(temp.c_str(), final_path.c_str()) != 0) {
    int error = errno;
    ::unlink(temp.c_str());
    throw CommandError{k_exit_failure, "cannot rename " + temp.string() + ": " + std::strerror(error)};
  }
  return final_path;
}

bool daemon_runs(const Config& config) {
  if (daemon_running(config)) {
    return true;
  }
  auto read = events::read_status_file(events::status_file_path(config.state_dir));
  return read && read->live;
}

} // namespace eventmgr::cli
