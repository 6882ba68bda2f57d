// SPDX-License-Identifier: MIT
// The "Add New Event Handler" form and the edit form.
#include "web/handler_form.hpp"

#include "web/page.hpp"

namespace eventmgr::web {

void add_handler_form_pages(Router<PageHandler>& router) {
  router.add("GET", "/handlers/new", Access::viewer,
             [](PageContext& context) { return error_page(context, 503, "not yet"); });
}

} // namespace eventmgr::web
