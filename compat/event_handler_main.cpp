// SPDX-License-Identifier: MIT
// event_handler: Plesk's handler utility, on eventmgr's handlers. All the work is in eventmgr_compat.
#include "compat/event_handler_app.hpp"

int main(int argc, char** argv) {
  return eventmgr::compat::run_event_handler(argc, argv);
}
