// SPDX-License-Identifier: MIT
#pragma once

// The JSON forms of a validated event: for handlers, for the journal, and back.

#include "common/result.hpp"
#include "events/catalog.hpp"
#include "events/event.hpp"

#include <string>
#include <string_view>

namespace eventmgr::events {

// Every catalog parameter of `def` on both sides of `event`, "" where not given.
void fill_params(const EventDef& def, Event& event);

// The JSON of an event with every parameter, as `stdin: json` handlers get it:
// {"event":..,"id":..,"time":..,"source":..,"old":{..},"new":{..}} (+ "extra":{..} when the
// event has values the catalog does not know, + "seq" when journaled).
std::string to_json(const Event& event);

// The journal's form: to_json without the parameters whose value is "" (from_json fills them
// back), about half the bytes of a typical event.
std::string to_journal_json(const Event& event);

// Reads back what to_json or to_journal_json wrote, or a record the journal kept verbatim
// (ParsedRecord::verbatim); with Fill::all, every parameter not there is filled with "".
Result<Event> from_json(std::string_view json, const Catalog& catalog, Fill fill = Fill::all);

// Whether the name `key` of an `extra` value says it holds a secret (contains "password",
// "passwd" or "secret", any case): such values are treated as secret parameters are.
bool looks_secret(std::string_view key);

} // namespace eventmgr::events
