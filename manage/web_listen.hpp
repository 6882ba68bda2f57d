// SPDX-License-Identifier: MIT
#pragma once

#include "common/config.hpp"
#include "common/result.hpp"

#include <cstdint>
#include <string>

namespace eventmgr::manage {

// Where eventmgr-web listens: config `web.listen`.
struct ListenAddress {
  std::string address; // 127.0.0.1, ::1, 0.0.0.0, 192.0.2.7 ...
  std::uint16_t port = 8750;
  bool loopback = true;     // 127.0.0.0/8 or ::1
  bool unspecified = false; // 0.0.0.0 or ::, every address of the host
};

// Parses `ADDRESS:PORT` or `[IPV6]:PORT`; the error names what is valid.
Result<ListenAddress> parse_listen(const std::string& text);

// The login link for the local admin (`eventmgr web url`): http(s)://HOST:PORT/login?token=TOKEN,
// HOST the first of web.host_names, else the listen address (127.0.0.1 for 0.0.0.0, ::1 for ::).
Result<std::string> web_login_url(const Config& config, const std::string& admin_token);

} // namespace eventmgr::manage
