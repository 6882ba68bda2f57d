// SPDX-License-Identifier: MIT
#include "web/http.hpp"

namespace eventmgr::web {

std::optional<std::string> Params::get(std::string_view name) const {
  for (const auto& item : m_items) {
    if (item.first == name) {
      return item.second;
    }
  }
  return std::nullopt;
}

std::string Params::value_or(std::string_view name, std::string fallback) const {
  auto found = get(name);
  return found ? *found : std::move(fallback);
}

std::vector<std::string> Params::all(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& item : m_items) {
    if (item.first == name) {
      out.push_back(item.second);
    }
  }
  return out;
}

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

} // namespace

std::string url_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+' && plus_is_space) {
      out += ' ';
    } else if (c == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
               hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string url_encode(std::string_view text) {
  constexpr std::string_view k_hex = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += k_hex[byte >> 4];
      out += k_hex[byte & 0xf];
    }
  }
  return out;
}

Params parse_params(std::string_view text) {
  Params params;
  while (!text.empty()) {
    std::size_t end = text.find('&');
    std::string_view pair = text.substr(0, end);
    if (!pair.empty()) {
      std::size_t equals = pair.find('=');
      std::string_view name = pair.substr(0, equals);
      std::string_view value =
          equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1);
      params.add(url_decode(name, true), url_decode(value, true));
    }
    if (end == std::string_view::npos) {
      break;
    }
    text.remove_prefix(end + 1);
  }
  return params;
}

std::optional<std::string> Response::header(std::string_view name) const {
  for (const auto& item : headers) {
    if (item.first == name) {
      return item.second;
    }
  }
  return std::nullopt;
}

Response redirect(const std::string& location) {
  Response response;
  response.status = 303;
  response.set_header("Location", location);
  response.content_type = "text/plain; charset=utf-8";
  response.body = "see " + location + "\n";
  return response;
}

std::string cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    std::size_t end = header.find(';');
    std::string_view item = header.substr(0, end);
    while (!item.empty() && item.front() == ' ') {
      item.remove_prefix(1);
    }
    if (item.size() > name.size() && item.substr(0, name.size()) == name && item[name.size()] == '=') {
      return std::string(item.substr(name.size() + 1));
    }
    if (end == std::string_view::npos) {
      break;
    }
    header.remove_prefix(end + 1);
  }
  return {};
}

} // namespace eventmgr::web
