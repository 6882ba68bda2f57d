// SPDX-License-Identifier: MIT
#include "manage/web_tokens.hpp"

#include "common/fd.hpp"
#include "manage/delivery.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace eventmgr::manage {

std::filesystem::path web_admin_token_path(const std::filesystem::path& state_dir) {
  return state_dir / "web-admin.token";
}

std::filesystem::path web_viewer_token_path(const std::filesystem::path& state_dir) {
  return state_dir / "web-viewer.token";
}

Result<std::string> read_web_token(const std::filesystem::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) {
    return make_error("cannot open token " + path.string() + ": " + std::strerror(errno) +
                      (errno == ENOENT ? " (eventmgr-web makes it at its first start)" : ""));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return make_error("cannot use token " + path.string() + ": not a regular file");
  }
  if (st.st_uid != ::geteuid() || (st.st_mode & 077) != 0) {
    return make_error("cannot use token " + path.string() + ": it must be owned by uid " +
                      std::to_string(::geteuid()) +
                      " with mode 0600 (chmod 600 it, or remove it to make a new one)");
  }
  char buffer[256];
  ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
  std::string token(buffer, got > 0 ? static_cast<std::size_t>(got) : 0);
  while (!token.empty() && (token.back() == '\n' || token.back() == ' ')) {
    token.pop_back();
  }
  if (token.size() < 32) {
    return make_error("cannot use token " + path.string() + ": it holds no token of 32 characters or more");
  }
  return token;
}

Result<std::string> ensure_web_token(const std::filesystem::path& path) {
  std::string token = random_hex(32);
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd) {
    if (errno == EEXIST) {
      return read_web_token(path);
    }
    return make_error("cannot create token " + path.string() + ": " + std::strerror(errno));
  }
  std::string line = token + "\n";
  if (::write(fd.get(), line.data(), line.size()) != static_cast<ssize_t>(line.size()) ||
      ::fsync(fd.get()) != 0) {
    int error = errno;
    ::unlink(path.c_str());
    return make_error("cannot write token " + path.string() + ": " + std::strerror(error));
  }
  return token;
}

} // namespace eventmgr::manage
