// SPDX-License-Identifier: MIT
#pragma once

#include "web/app.hpp"

namespace eventmgr::web {

// The Add / edit handler pages: /handlers/new and /handlers/ID (GET shows, POST saves or tests).
void add_handler_form_pages(Router<PageHandler>& router);

} // namespace eventmgr::web
