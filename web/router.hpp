// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eventmgr::web {

// Who may reach a route.
enum class Access { anyone, viewer, admin };

// A route's pattern is a path whose `{id}` segments match a positive decimal number.
template <typename Handler> class Router {
public:
  struct Route {
    std::string method;
    std::string pattern;
    Access access;
    Handler handler;
  };

  struct Match {
    const Route* route = nullptr;
    std::vector<std::int64_t> ids; // the `{id}` segments, in order
    bool wrong_method = false;     // the path exists, for other methods (405)
  };

  void add(std::string method, std::string pattern, Access access, Handler handler) {
    m_routes.push_back(Route{std::move(method), std::move(pattern), access, std::move(handler)});
  }

  // The route for `method` and `path`; `route` null when none (then `wrong_method` tells 405 from 404).
  Match match(std::string_view method, std::string_view path) const {
    Match out;
    for (const auto& route : m_routes) {
      std::vector<std::int64_t> ids;
      if (!path_matches(route.pattern, path, ids)) {
        continue;
      }
      if (route.method != method) {
        out.wrong_method = true;
        continue;
      }
      out.route = &route;
      out.ids = std::move(ids);
      out.wrong_method = false;
      return out;
    }
    return out;
  }

private:
  static bool path_matches(std::string_view pattern, std::string_view path, std::vector<std::int64_t>& ids) {
    while (!pattern.empty() || !path.empty()) {
      if (pattern.empty() || path.empty() || pattern.front() != '/' || path.front() != '/') {
        return false;
      }
      pattern.remove_prefix(1);
      path.remove_prefix(1);
      std::string_view want = pattern.substr(0, pattern.find('/'));
      std::string_view got = path.substr(0, path.find('/'));
      if (want == "{id}") {
        if (got.empty() || got.size() > 18 || got.front() == '0') {
          return false;
        }
        std::int64_t value = 0;
        for (char c : got) {
          if (c < '0' || c > '9') {
            return false;
          }
          value = value * 10 + (c - '0');
        }
        ids.push_back(value);
      } else if (want != got) {
        return false;
      }
      pattern.remove_prefix(want.size());
      path.remove_prefix(got.size());
    }
    return true;
  }

  std::vector<Route> m_routes;
};

} // namespace eventmgr::web
