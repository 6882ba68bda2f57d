// SPDX-License-Identifier: MIT
#include "web/listen.hpp"

#include <algorithm>
#include <cctype>

namespace eventmgr::web {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

} // namespace

std::vector<std::string> allowed_hosts(const ListenAddress& listen,
                                       const std::vector<std::string>& host_names) {
  // Appended, not `":" + std::to_string(...)`: GCC 12 at -O2 reports a false -Wrestrict there.
  std::string port = ":";
  port.append(std::to_string(listen.port));
  std::vector<std::string> out;
  bool v6 = listen.address.find(':') != std::string::npos;
  out.push_back((v6 ? "[" + listen.address + "]" : listen.address) + port);
  if (listen.loopback || listen.unspecified) {
    for (const char* name : {"localhost", "127.0.0.1", "[::1]"}) {
      out.push_back(name + port);
    }
  }
  for (const auto& name : host_names) {
    out.push_back(lower(name));
    out.push_back(lower(name) + port);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool host_allowed(const std::string& host, const std::vector<std::string>& allowed) {
  return std::find(allowed.begin(), allowed.end(), lower(host)) != allowed.end();
}

bool origin_matches(const std::string& origin, const std::string& host, bool tls) {
  return lower(origin) == (tls ? "https://" : "http://") + lower(host);
}

} // namespace eventmgr::web
