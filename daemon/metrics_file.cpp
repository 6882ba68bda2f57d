// SPDX-License-Identifier: MIT
#include "daemon/metrics_file.hpp"

#include "common/fd.hpp"
#include "common/text.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace eventmgr::daemon {

namespace {

// ".NAME.writing" beside `path`, built by appending: GCC 12 at -O3 reports a false -Wrestrict
// for the same text built with operator+.
std::filesystem::path temp_path_for(const std::filesystem::path& path) {
  std::string name = ".";
  name += path.filename().string();
  name += ".writing";
  return path.parent_path() / name;
}

} // namespace

MetricsFileWriter::MetricsFileWriter(std::filesystem::path path)
    : m_path(std::move(path)), m_temp(temp_path_for(m_path)) {}

Result<void> MetricsFileWriter::write(std::string_view text) {
  const std::string temp = escape_control(m_temp.string());
  ::unlink(m_temp.c_str()); // left by a crash
  UniqueFd fd(::open(m_temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) {
    return make_error("cannot create " + temp + ": " + std::strerror(errno));
  }
  auto fail = [&](const std::string& what) {
    const int error = errno;
    ::unlink(m_temp.c_str());
    return make_error("cannot " + what + " " + temp + ": " + std::strerror(error));
  };
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
    if (n <= 0) {
      return fail("write");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd.get(), 0644) != 0) {
    return fail("set the mode of");
  }
  if (::rename(m_temp.c_str(), m_path.c_str()) != 0) {
    return fail("rename " + escape_control(m_path.string()) + " from");
  }
  return {};
}

} // namespace eventmgr::daemon
