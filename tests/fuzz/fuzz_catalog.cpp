// SPDX-License-Identifier: MIT
// libFuzzer target for catalog files: any text is a catalog or a list of problems, never a
// crash; every problem names the file and a line, and a loaded catalog indexes each event and
// resolves each of its parameters on both sides.
#include "tests/fuzz/fuzz_support.hpp"
#include "events/catalog.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using eventmgr::fuzzing::catalog;
using eventmgr::fuzzing::check;
using eventmgr::fuzzing::check_problem_lines;

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using eventmgr::events::Catalog;
  using eventmgr::events::Side;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string file = "fuzz.yaml";
  const auto catalog = Catalog::load_text(text, file);
  if (!catalog) {
    const std::string& message = catalog.error().message;
    check_problem_lines(message, file);
    return 0;
  }
  for (const auto& def : catalog->events()) {
    check(!def.name.empty());
    check(catalog->find(def.name) == &def);
    check(def.full_names().size() == 2 * def.params.size());
    for (const auto& param : def.params) {
      const auto old_ref = def.resolve("old_" + param.name);
      const auto new_ref = def.resolve("new_" + param.name);
      check(old_ref && old_ref->side == Side::old_side && old_ref->param == &param);
      check(new_ref && new_ref->side == Side::new_side && new_ref->param == &param);
    }
    (void)catalog->suggest(def.name);
  }
  (void)catalog->suggest(text.substr(0, 64));
  return 0;
}
