// SPDX-License-Identifier: MIT
#pragma once

// What the fuzz targets share: an abort that libFuzzer reports, the real catalog, and the
// check that a list of problems is one "FILE:LINE: message" per line.

#include "events/catalog.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

namespace eventmgr::fuzzing {

inline void check(bool condition) {
  if (!condition) {
    std::abort();
  }
}

// The embedded catalog, loaded once.
inline const events::Catalog& catalog() {
  static const events::Catalog loaded = [] {
    auto result = events::Catalog::load({});
    if (!result) {
      std::abort(); // the embedded catalog is broken: nothing to fuzz against
    }
    return std::move(result).value();
  }();
  return loaded;
}

// Every line of `message` starts with "FILE:LINE:".
inline void check_problem_lines(const std::string& message, const std::string& file) {
  check(!message.empty());
  std::string_view rest = message;
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');
    const std::string_view problem = rest.substr(0, end);
    if (!problem.starts_with(file + ":") || problem.size() <= file.size() + 1 ||
        problem[file.size() + 1] < '0' || problem[file.size() + 1] > '9') {
      std::fprintf(stderr, "a problem line without FILE:LINE: in:\n%s\n", message.c_str());
      std::abort();
    }
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
}

} // namespace eventmgr::fuzzing
