// SPDX-License-Identifier: MIT
#include "manage/delivery.hpp"

#include "common/clock.hpp"
#include "common/fd.hpp"
#include "events/panel_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <string_view>

namespace eventmgr::manage {

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

Result<std::filesystem::path> write_pickup_file(const Config& config, const std::string& line,
                                                Receipt receipt) {
  std::string name = "submit-" + std::to_string(now_ms()) + "-" + random_hex(8);
  std::filesystem::path temp = config.pickup_dir / ("." + name + ".tmp");
  std::filesystem::path final_path =
      config.pickup_dir /
      (name + (receipt == Receipt::yes ? std::string(events::k_receipt_suffix) : ".json"));
  UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640));
  if (!fd) {
    return make_error("cannot create " + temp.string() + ": " + std::strerror(errno) +
                      " (does the pickup dir exist? eventmgrd creates it at start)");
  }
  if (::write(fd.get(), line.data(), line.size()) != static_cast<ssize_t>(line.size()) ||
      ::fsync(fd.get()) != 0) {
    int error = errno;
    ::unlink(temp.c_str());
    return make_error("cannot write " + temp.string() + ": " + std::strerror(error));
  }
  fd.reset();
  if (::rename(temp.c_str(), final_path.c_str()) != 0) {
    int error = errno;
    ::unlink(temp.c_str());
    return make_error("cannot rename " + temp.string() + ": " + std::strerror(error));
  }
  return final_path;
}

} // namespace eventmgr::manage
