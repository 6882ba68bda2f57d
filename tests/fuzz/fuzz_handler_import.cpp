// SPDX-License-Identifier: MIT
// libFuzzer target for `eventmgr handler import` files, checked against the built-in catalog:
// any text is a set of handlers or a list of problems, never a crash; every problem names the
// file and a line; imported handlers pass check_handler, and export then import gives them back.
#include "tests/fuzz/fuzz_support.hpp"
#include "manage/handler_io.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using eventmgr::fuzzing::catalog;
using eventmgr::fuzzing::check;
using eventmgr::fuzzing::check_problem_lines;

namespace manage = eventmgr::manage;
using eventmgr::handlers::Handler;

// The first field in which `a` and `b` differ, or nullptr.
const char* differing_field(const Handler& a, const Handler& b) {
  return a.id != b.id                     ? "id"
         : a.event != b.event             ? "event"
         : a.priority != b.priority       ? "priority"
         : a.user != b.user               ? "user"
         : a.command != b.command         ? "command"
         : a.params != b.params           ? "params"
         : a.timeout != b.timeout         ? "timeout"
         : a.enabled != b.enabled         ? "enabled"
         : a.stdin_mode != b.stdin_mode   ? "stdin"
         : a.secrets != b.secrets         ? "secrets"
         : a.description != b.description ? "description"
         : a.created_at != b.created_at   ? "created_at"
         : a.updated_at != b.updated_at   ? "updated_at"
                                          : nullptr;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const eventmgr::Config config;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string file = "fuzz.yaml";
  auto imported = manage::import_yaml(text, file, catalog(), config);
  if (!imported) {
    check_problem_lines(imported.error().message, file);
    return 0;
  }
  std::vector<Handler>& handlers = imported.value();
  for (const Handler& handler : handlers) {
    check(manage::check_handler(handler, catalog(), config).empty());
  }
  // Export writes every handler's id: give those imported without one a free id, as the
  // store would.
  std::int64_t max_id = 0;
  for (const Handler& handler : handlers) {
    max_id = std::max(max_id, handler.id);
  }
  for (Handler& handler : handlers) {
    if (handler.id == 0) {
      if (max_id == std::numeric_limits<std::int64_t>::max()) {
        return 0; // no free id left to give
      }
      handler.id = ++max_id;
    }
  }
  const std::string exported = manage::export_yaml(handlers);
  const auto again = manage::import_yaml(exported, "export.yaml", catalog(), config);
  if (!again) {
    std::fprintf(stderr, "import refused what export wrote:\n%s\n", again.error().message.c_str());
    std::abort(); // what export writes, import must read
  }
  check(again->size() == handlers.size());
  for (std::size_t i = 0; i < handlers.size(); ++i) {
    if (const char* field = differing_field(handlers[i], (*again)[i])) {
      std::fprintf(stderr, "export then import changed field '%s' of handler %lld\n", field,
                   static_cast<long long>(handlers[i].id));
      std::abort();
    }
  }
  return 0;
}
