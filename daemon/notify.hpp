// SPDX-License-Identifier: MIT
#pragma once

#include <string_view>

namespace eventmgr::daemon {

// Sends `state` (e.g. "READY=1") to systemd's NOTIFY_SOCKET when set; no-op otherwise.
// The protocol is one datagram on a unix socket, so no libsystemd is needed.
void notify_service_manager(std::string_view state);

} // namespace eventmgr::daemon
