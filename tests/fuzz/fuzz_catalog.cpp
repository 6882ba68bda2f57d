// SPDX-License-Identifier: MIT
// libFuzzer target for catalog files: any text is a catalog or a list of problems, never a
// crash; every problem names the file and a line, and a loaded catalog indexes each event and
// resolves each of its parameters on both sides; loaded twice as two built-in catalogs, it
// merges into the same events.
#include "tests/fuzz/fuzz_support.hpp"
#include "events/catalog.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

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
    check(def.sources.size() == 1 && def.sources[0].catalog == file);
  }
  (void)catalog->suggest(text.substr(0, 64));

  // The same text as two built-in catalogs: every event merges with itself, one entry each,
  // every parameter listed by both.
  const auto twice = eventmgr::events::Catalog::load_texts({{"a", file, text}, {"b", file, text}});
  check(twice.ok());
  check(twice->events().size() == catalog->events().size());
  for (const auto& def : twice->events()) {
    check(def.sources.size() == 2 && def.sources[0].catalog == "a" && def.sources[1].catalog == "b");
    check(def.params.size() == catalog->find(def.name)->params.size());
    for (const auto& param : def.params) {
      check(def.param_source(param.name).catalogs == std::vector<std::string>{"a", "b"});
    }
  }
  return 0;
}
