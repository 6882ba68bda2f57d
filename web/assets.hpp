// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string_view>

namespace eventmgr::web {

// A file built into the binary (no CDN, no build step).
struct Asset {
  std::string_view content_type;
  std::string_view body;
};

// The asset at `path` (/static/style.css, /static/app.js); nullopt for any other path.
std::optional<Asset> find_asset(std::string_view path);

} // namespace eventmgr::web
