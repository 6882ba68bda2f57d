// SPDX-License-Identifier: MIT
#include "web/listen.hpp"

#include "common/text.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <cctype>

namespace eventmgr::web {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

} // namespace

Result<ListenAddress> parse_listen(const std::string& text) {
  const std::string valid = "; valid: ADDRESS:PORT such as 127.0.0.1:8750, [::1]:8750 or 0.0.0.0:8443";
  std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 >= text.size()) {
    return make_error("web.listen '" + escape_for_message(text) + "' has no port" + valid);
  }
  std::string host = text.substr(0, colon);
  std::string port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (port_text.size() > 5 || !std::all_of(port_text.begin(), port_text.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stoi(port_text) < 1 || std::stoi(port_text) > 65535) {
    return make_error("web.listen '" + escape_for_message(text) + "': port must be 1..65535" + valid);
  }
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(host, ec);
  if (ec) {
    return make_error("web.listen '" + escape_for_message(text) + "': '" + escape_for_message(host) +
                      "' is not an IP address" + valid);
  }
  ListenAddress out;
  out.address = address.to_string();
  out.port = static_cast<std::uint16_t>(std::stoi(port_text));
  out.loopback = address.is_loopback();
  return out;
}

std::vector<std::string> allowed_hosts(const ListenAddress& listen, const std::vector<std::string>& host_names) {
  std::string port = ":" + std::to_string(listen.port);
  std::vector<std::string> out;
  bool v6 = listen.address.find(':') != std::string::npos;
  out.push_back((v6 ? "[" + listen.address + "]" : listen.address) + port);
  if (listen.loopback) {
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
