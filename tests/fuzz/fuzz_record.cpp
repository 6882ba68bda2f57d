// SPDX-License-Identifier: MIT
// libFuzzer target for the wire record: any line is accepted or rejected without a crash,
// a rejection reason is one non-empty line, and an accepted event survives to_json/from_json,
// the journal's form (to_journal_json, or the line itself when verbatim) and the daemon's parse
// without the fill.
#include "tests/fuzz/fuzz_support.hpp"
#include "events/record.hpp"
#include "events/event_json.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

namespace {

using eventmgr::fuzzing::catalog;
using eventmgr::fuzzing::check;
using eventmgr::fuzzing::check_problem_lines;

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace eventmgr::events;
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  const auto parsed = parse_record(line, catalog());
  if (!parsed) {
    const std::string& reason = parsed.error().message;
    if (reason.empty() || reason.find('\n') != std::string::npos) {
      std::abort();
    }
    return 0;
  }

  const Event& event = parsed->event;
  const EventDef* def = catalog().find(event.name);
  if (def == nullptr || event.old_values.size() != def->params.size() ||
      event.new_values.size() != def->params.size()) {
    std::abort();
  }
  const auto same = [&event](const eventmgr::Result<Event>& back) {
    return back && back->name == event.name && back->old_values == event.old_values &&
           back->new_values == event.new_values && back->extra == event.extra &&
           back->submit_id == event.submit_id && back->time == event.time && back->source == event.source;
  };
  if (!same(from_json(to_json(event), catalog()))) {
    std::abort();
  }
  // What the daemon journals: the line itself when verbatim, else the compact form of the
  // event parsed without the fill. Both must read back as the full event.
  const auto given = parse_record(line, catalog(), Fill::given);
  if (!given || given->verbatim != parsed->verbatim) {
    std::abort();
  }
  if (!same(from_json(to_journal_json(given->event), catalog()))) {
    std::abort();
  }
  if (parsed->verbatim && !same(from_json(line, catalog()))) {
    std::abort();
  }
  return 0;
}
