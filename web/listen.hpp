// SPDX-License-Identifier: MIT
#pragma once

#include "manage/web_listen.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace eventmgr::web {

using manage::ListenAddress;
using manage::parse_listen;

// The Host header values the server answers for: the listen address with its port, localhost
// when it listens on loopback, and each of `host_names` (with and without the port). Anything
// else is refused, so a DNS name pointed at us (DNS rebinding) reaches nothing.
std::vector<std::string> allowed_hosts(const ListenAddress& listen,
                                       const std::vector<std::string>& host_names);

// True when `host` (a Host header) is in `allowed` (case-insensitive).
bool host_allowed(const std::string& host, const std::vector<std::string>& allowed);

// True when `origin` (an Origin header) is this server as the browser reached it:
// `http://HOST` or `https://HOST` (with `tls`) for the request's already checked `host`.
bool origin_matches(const std::string& origin, const std::string& host, bool tls);

} // namespace eventmgr::web
