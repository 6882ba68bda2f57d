// SPDX-License-Identifier: MIT
#pragma once

#include "common/result.hpp"

#include <filesystem>
#include <string>

namespace eventmgr::manage {

// STATE/web-admin.token and STATE/web-viewer.token: the login tokens of eventmgr-web.
std::filesystem::path web_admin_token_path(const std::filesystem::path& state_dir);
std::filesystem::path web_viewer_token_path(const std::filesystem::path& state_dir);

// The token in `path`, made first when absent (0600, 256 random bits as hex). Refused when the
// file is not a regular file owned by us with mode 0600 or stricter, or holds no token.
Result<std::string> ensure_web_token(const std::filesystem::path& path);

// The token in `path` (never creates it); the error names the file and the cause.
Result<std::string> read_web_token(const std::filesystem::path& path);

} // namespace eventmgr::manage
