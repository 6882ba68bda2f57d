// SPDX-License-Identifier: MIT
#pragma once

#include "common/result.hpp"

#include <sys/types.h>

#include <string>
#include <vector>

namespace eventmgr {

// What a process needs to become a system user.
struct UserInfo {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups; // supplementary groups, from getgrouplist
  std::string home;
  std::string shell;
};

// Looks `name` up with getpwnam_r/getgrouplist; error "unknown system user NAME".
Result<UserInfo> lookup_user(const std::string& name);
// Looks the user with id `uid` up; error "unknown system user uid N".
Result<UserInfo> lookup_user(uid_t uid);
// The user the current process runs as.
Result<UserInfo> current_user();

} // namespace eventmgr
