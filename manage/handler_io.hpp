// SPDX-License-Identifier: MIT
#pragma once

#include "common/config.hpp"
#include "common/result.hpp"
#include "events/catalog.hpp"
#include "handlers/handler.hpp"
#include "manage/handler_check.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eventmgr::manage {

// The YAML of `handler export`: a top-level `handlers:` sequence, each handler with id, event,
// priority, user, command, params, timeout, enabled, stdin, secrets, description, created_at
// and updated_at (RFC 3339 UTC with milliseconds), in the order given.
std::string export_yaml(const std::vector<handlers::Handler>& handlers);

// Reads `text` written by export_yaml (or by hand) from the file `file_name`. Missing fields
// take add's defaults (`config.default_user`, `config.default_timeout`, ...); id and times
// are optional. Every handler is checked with check_handler; duplicate ids are refused. All
// problems are reported at once, one "FILE:LINE: message" per line.
Result<std::vector<handlers::Handler>> import_yaml(const std::string& text, const std::string& file_name,
                                                   const events::Catalog& catalog, const Config& config);

} // namespace eventmgr::manage
