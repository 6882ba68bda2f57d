// SPDX-License-Identifier: MIT
#include "common/users.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace eventmgr {
namespace {

Result<UserInfo> from_passwd(const passwd& pw) {
  UserInfo info;
  info.name = pw.pw_name;
  info.uid = pw.pw_uid;
  info.gid = pw.pw_gid;
  info.home = pw.pw_dir != nullptr ? pw.pw_dir : "";
  info.shell = pw.pw_shell != nullptr ? pw.pw_shell : "";
  int count = 32;
  for (;;) {
    info.groups.resize(static_cast<std::size_t>(count));
    int asked = count;
    if (getgrouplist(pw.pw_name, pw.pw_gid, info.groups.data(), &count) >= 0) {
      info.groups.resize(static_cast<std::size_t>(count));
      break;
    }
    if (count <= asked) {
      count = asked * 2;
    }
  }
  return info;
}

template <typename Lookup>
Result<UserInfo> lookup(const std::string& what, Lookup&& call) {
  std::vector<char> buffer(16384);
  passwd pw{};
  passwd* found = nullptr;
  for (;;) {
    int rc = call(&pw, buffer.data(), buffer.size(), &found);
    if (rc == ERANGE) {
      buffer.resize(buffer.size() * 2);
      continue;
    }
    if (rc != 0) {
      return make_error("cannot look up system user " + what + ": " + std::strerror(rc));
    }
    break;
  }
  if (found == nullptr) {
    return make_error("unknown system user " + what);
  }
  return from_passwd(pw);
}

} // namespace

Result<UserInfo> lookup_user(const std::string& name) {
  return lookup(name, [&](passwd* pw, char* buf, std::size_t size, passwd** found) {
    return getpwnam_r(name.c_str(), pw, buf, size, found);
  });
}

Result<UserInfo> lookup_user(uid_t uid) {
  return lookup("uid " + std::to_string(uid), [&](passwd* pw, char* buf, std::size_t size, passwd** found) {
    return getpwuid_r(uid, pw, buf, size, found);
  });
}

Result<UserInfo> current_user() {
  return lookup_user(geteuid());
}

} // namespace eventmgr
