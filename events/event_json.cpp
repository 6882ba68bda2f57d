// SPDX-License-Identifier: MIT
#include "events/event_json.hpp"

#include "common/text.hpp"

#include <algorithm>
#include <cctype>

#include <boost/json.hpp>

#include <array>
#include <iterator>
#include <map>
#include <string>
#include <utility>

namespace eventmgr::events {

namespace json = boost::json;

namespace {

// "'NAME' REST": built by appending, not with `"'" + std::string(...)`, on which GCC 12 at -O2
// gives a false -Wrestrict (GCC bug 105651).
std::string quoted(std::string_view name, std::string_view rest) {
  std::string message;
  message.reserve(name.size() + rest.size() + 2);
  message += '\'';
  message.append(name);
  message += '\'';
  message.append(rest);
  return message;
}

} // namespace

void fill_params(const EventDef& def, Event& event) {
  // In sorted order each insertion's position is the hint: no search per parameter.
  for (auto* values : {&event.old_values, &event.new_values}) {
    auto hint = values->begin();
    for (const auto& name : def.sorted_param_names) {
      hint = std::next(values->try_emplace(hint, name));
    }
  }
}

namespace {

// Appends `text` (valid UTF-8) as a JSON string, escaped as Boost.JSON's serializer does.
void append_json_string(std::string& out, std::string_view text) {
  static constexpr char k_hex[] = "0123456789abcdef";
  static constexpr auto k_needs_escape = [] {
    std::array<bool, 256> table{};
    for (int c = 0; c < 0x20; ++c) {
      table[static_cast<std::size_t>(c)] = true;
    }
    table['"'] = true;
    table['\\'] = true;
    return table;
  }();
  out += '"';
  const char* clean = text.data(); // start of the run of characters that need no escape
  const char* const end = text.data() + text.size();
  for (const char* p = clean; p != end; ++p) {
    const auto c = static_cast<unsigned char>(*p);
    if (!k_needs_escape[c]) {
      continue;
    }
    out.append(clean, static_cast<std::size_t>(p - clean));
    clean = p + 1;
    out += '\\';
    switch (c) {
    case '"': out += '"'; break;
    case '\\': out += '\\'; break;
    case '\b': out += 'b'; break;
    case '\f': out += 'f'; break;
    case '\n': out += 'n'; break;
    case '\r': out += 'r'; break;
    case '\t': out += 't'; break;
    default:
      out += "u00";
      out += k_hex[c >> 4];
      out += k_hex[c & 0xf];
    }
  }
  out.append(clean, static_cast<std::size_t>(end - clean));
  out += '"';
}

// {"event":..,"id":..,"time":..,"source":..,"old":{..},"new":{..}[,"seq":..]}; with
// `skip_empty`, parameters whose value is "" are left out.
std::string write_event_json(const Event& event, bool skip_empty) {
  std::string out;
  out.reserve(256);
  const auto field = [&out](std::string_view name, std::string_view value) {
    out += out.empty() ? '{' : ',';
    append_json_string(out, name);
    out += ':';
    append_json_string(out, value);
  };
  field("event", event.name);
  field("id", event.submit_id);
  field("time", event.time);
  field("source", event.source);
  // `,"NAME":{"key":"value",...}`, the one form of the old, new and extra values.
  const auto object = [&out](std::string_view name, const std::map<std::string, std::string>& values,
                             bool leave_out_empty) {
    out += ',';
    append_json_string(out, name);
    out += ":{";
    bool first = true;
    for (const auto& [key, value] : values) {
      if (leave_out_empty && value.empty()) {
        continue;
      }
      if (!first) {
        out += ',';
      }
      first = false;
      append_json_string(out, key);
      out += ':';
      append_json_string(out, value);
    }
    out += '}';
  };
  object("old", event.old_values, skip_empty);
  object("new", event.new_values, skip_empty);
  // Present only when there is something in it: the common event costs nothing more.
  if (!event.extra.empty()) {
    object("extra", event.extra, false);
  }
  if (event.seq != 0) {
    out += ",\"seq\":";
    out += std::to_string(event.seq);
  }
  out += '}';
  return out;
}

} // namespace

std::string to_json(const Event& event) { return write_event_json(event, false); }

std::string to_journal_json(const Event& event) { return write_event_json(event, true); }

Result<Event> from_json(std::string_view text, const Catalog& catalog, Fill fill) {
  json::error_code ec;
  const json::value value = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec) {
    return make_error("malformed JSON: " + ec.message());
  }
  const json::object* object = value.if_object();
  if (object == nullptr) {
    return make_error("not a JSON object");
  }

  Event event;
  const auto text_field = [&](std::string_view name, std::string& out) -> Result<void> {
    const json::value* field = object->if_contains(json::string_view(name.data(), name.size()));
    if (field == nullptr) {
      return {};
    }
    const json::string* string = field->if_string();
    if (string == nullptr) {
      return make_error(quoted(name, " must be a string"));
    }
    out.assign(string->data(), string->size());
    return {};
  };
  for (const auto& [name, out] : {std::pair<std::string_view, std::string*>{"event", &event.name},
                                  {"id", &event.submit_id},
                                  {"time", &event.time},
                                  {"source", &event.source}}) {
    if (auto checked = text_field(name, *out); !checked) {
      return checked.error();
    }
  }
  if (event.name.empty()) {
    return make_error("missing field 'event'");
  }
  const EventDef* def = catalog.find(event.name);
  if (def == nullptr) {
    return make_error("unknown event '" + escape_for_message(event.name) + "'");
  }

  for (const auto& [name, out] : {std::pair<std::string_view, std::map<std::string, std::string>*>{
                                    "old", &event.old_values},
                                  {"new", &event.new_values},
                                  {"extra", &event.extra}}) {
    const json::value* field = object->if_contains(json::string_view(name.data(), name.size()));
    if (field == nullptr || field->is_null()) {
      continue;
    }
    const json::object* values = field->if_object();
    if (values == nullptr) {
      return make_error(quoted(name, " must be an object"));
    }
    for (const auto& [key, param] : *values) {
      const json::string* string = param.if_string();
      if (string == nullptr) {
        return make_error(quoted(std::string(name) + "." + escape_for_message(key), " must be a string"));
      }
      // Parameters the catalog has since lost are kept: the journal is never rewritten.
      out->emplace(std::string(key), std::string(string->data(), string->size()));
    }
  }
  if (const json::value* seq = object->if_contains("seq")) {
    if (!seq->is_int64()) {
      return make_error("'seq' must be an integer");
    }
    event.seq = seq->get_int64();
  }

  if (fill == Fill::all) {
    fill_params(*def, event);
  }
  return event;
}

bool looks_secret(std::string_view key) {
  std::string lower(key);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const std::string_view word : {"password", "passwd", "secret"}) {
    if (lower.find(word) != std::string::npos) {
      return true;
    }
  }
  return false;
}

} // namespace eventmgr::events
