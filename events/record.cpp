// SPDX-License-Identifier: MIT
#include "events/record.hpp"

#include "common/text.hpp"
#include "events/event_json.hpp"

#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <utility>

namespace eventmgr::events {

namespace {

namespace json = boost::json;

constexpr std::string_view k_record_fields = "event, id, time, source, old, new, extra";

bool has_control_character(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

// Whether `text` is an RFC 3339 date-time: 2024-05-01T12:30:00Z, 2024-05-01t12:30:00.25+02:00.
bool is_rfc3339(std::string_view text) {
  constexpr std::size_t k_max_length = 64; // leaves room for any sane fraction of a second
  if (text.size() < 20 || text.size() > k_max_length) {
    return false;
  }
  std::size_t pos = 0;
  bool ok = true;
  const auto number = [&](std::size_t digits, int low, int high) {
    int value = 0;
    for (std::size_t i = 0; i < digits; ++i) {
      if (pos >= text.size() || text[pos] < '0' || text[pos] > '9') {
        ok = false;
        return 0;
      }
      value = value * 10 + (text[pos++] - '0');
    }
    if (value < low || value > high) {
      ok = false;
    }
    return value;
  };
  const auto expect = [&](std::string_view allowed) {
    if (pos >= text.size() || allowed.find(text[pos]) == std::string_view::npos) {
      ok = false;
      return;
    }
    ++pos;
  };
  const int year = number(4, 0, 9999);
  expect("-");
  const int month = number(2, 1, 12);
  expect("-");
  const int day = number(2, 1, 31);
  expect("Tt ");
  number(2, 0, 23);
  expect(":");
  number(2, 0, 59);
  expect(":");
  number(2, 0, 60); // 60: a leap second
  if (!ok) {
    return false;
  }
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  constexpr int k_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (day > k_days[month - 1] + (month == 2 && leap ? 1 : 0)) {
    return false;
  }
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const std::size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      ++pos;
    }
    if (pos == start) {
      return false;
    }
  }
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else {
    expect("+-");
    number(2, 0, 23);
    expect(":");
    number(2, 0, 59);
  }
  return ok && pos == text.size();
}

std::string_view side_name(Side side) {
  return side == Side::old_side ? "old" : "new";
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) {
      out += ", ";
    }
    out += item;
  }
  return out;
}

// One `"key": value` of an `old` or `new` object, in record order.
struct RawParam {
  Side side;
  std::string key;
  std::string value; // a string as is, a number or boolean as its JSON text, null as ""
  bool nested = false;
};

// Boost.JSON SAX handler collecting a record's fields. It never stops the parser: the first
// structural problem is kept, so malformed JSON later in the line still wins.
class RecordHandler {
public:
  static constexpr std::size_t max_array_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_object_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_string_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_key_size = std::numeric_limits<std::size_t>::max();

  std::optional<std::string> problem;
  std::optional<std::string> event;
  std::optional<std::string> id;
  std::optional<std::string> time;
  std::optional<std::string> source;
  std::vector<RawParam> params;
  std::vector<RawParam> extra; // the `extra` object's members (their side is unused)
  bool all_strings = true;     // every scalar was a string (no number, boolean or null)

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) {
    begin_container(true);
    return true;
  }
  bool on_object_end(std::size_t, json::error_code&) {
    m_frames.pop_back();
    return true;
  }
  bool on_array_begin(json::error_code&) {
    begin_container(false);
    return true;
  }
  bool on_array_end(std::size_t, json::error_code&) {
    m_frames.pop_back();
    return true;
  }
  bool on_key_part(json::string_view part, std::size_t, json::error_code&) {
    m_text.append(part.data(), part.size());
    return true;
  }
  bool on_key(json::string_view part, std::size_t, json::error_code&) {
    m_text.append(part.data(), part.size());
    m_key = std::move(m_text);
    m_text.clear();
    if (m_frames.back() == Frame::top) {
      on_top_level_key();
    }
    return true;
  }
  bool on_string_part(json::string_view part, std::size_t, json::error_code&) {
    m_text.append(part.data(), part.size());
    return true;
  }
  bool on_string(json::string_view part, std::size_t, json::error_code&) {
    m_text.append(part.data(), part.size());
    scalar(Scalar::string);
    return true;
  }
  bool on_number_part(json::string_view part, json::error_code&) {
    m_text.append(part.data(), part.size());
    return true;
  }
  bool on_int64(std::int64_t, json::string_view part, json::error_code&) { return on_number(part); }
  bool on_uint64(std::uint64_t, json::string_view part, json::error_code&) { return on_number(part); }
  bool on_double(double, json::string_view part, json::error_code&) { return on_number(part); }
  bool on_bool(bool value, json::error_code&) {
    m_text = value ? "true" : "false";
    scalar(Scalar::other);
    return true;
  }
  bool on_null(json::error_code&) {
    scalar(Scalar::null);
    return true;
  }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

private:
  enum class Frame { top, old_side, new_side, extra, ignored };
  enum class Field { event, id, time, source, old_side, new_side, extra, unknown };
  enum class Scalar { string, null, other };

  void fail(std::string message) {
    if (!problem) {
      problem = std::move(message);
    }
  }

  bool on_number(json::string_view part) {
    m_text.append(part.data(), part.size());
    scalar(Scalar::other);
    return true;
  }

  void on_top_level_key() {
    static const std::pair<std::string_view, Field> k_fields[] = {
        {"event", Field::event},  {"id", Field::id},        {"time", Field::time},  {"source", Field::source},
        {"old", Field::old_side}, {"new", Field::new_side}, {"extra", Field::extra}};
    m_field = Field::unknown;
    for (const auto& [name, field] : k_fields) {
      if (name == m_key) {
        m_field = field;
      }
    }
    if (m_field == Field::unknown) {
      fail("unknown field '" + escape_for_message(m_key) + "'; valid: " + std::string(k_record_fields));
    } else if ((m_seen & field_bit(m_field)) != 0) {
      fail("duplicate field '" + m_key + "'");
    } else {
      m_seen |= field_bit(m_field);
    }
  }

  void begin_container(bool is_object) {
    Frame frame = Frame::ignored;
    if (m_frames.empty()) {
      if (is_object) {
        frame = Frame::top;
      } else {
        fail("record is not a JSON object");
      }
    } else if (m_frames.back() == Frame::top) {
      if (is_object && m_field == Field::old_side) {
        frame = Frame::old_side;
      } else if (is_object && m_field == Field::new_side) {
        frame = Frame::new_side;
      } else if (is_object && m_field == Field::extra) {
        frame = Frame::extra;
      } else {
        wrong_type();
      }
    } else if (m_frames.back() != Frame::ignored) {
      add_param(true);
    }
    m_frames.push_back(frame);
  }

  void scalar(Scalar kind) {
    all_strings = all_strings && kind == Scalar::string;
    if (m_frames.empty()) {
      fail("record is not a JSON object");
    } else if (m_frames.back() == Frame::top) {
      top_level_scalar(kind);
    } else if (m_frames.back() != Frame::ignored) {
      add_param(false);
    }
    m_text.clear();
  }

  void top_level_scalar(Scalar kind) {
    std::optional<std::string>* target = nullptr;
    switch (m_field) {
    case Field::event:
      target = &event;
      break;
    case Field::id:
      target = &id;
      break;
    case Field::time:
      target = &time;
      break;
    case Field::source:
      target = &source;
      break;
    case Field::old_side:
    case Field::new_side:
    case Field::extra:
      if (kind != Scalar::null) { // null: the side is absent
        wrong_type();
      }
      return;
    case Field::unknown:
      return;
    }
    if (kind == Scalar::string) {
      *target = std::move(m_text);
    } else if (kind != Scalar::null || m_field == Field::event) { // null: the field is absent
      wrong_type();
    }
  }

  void wrong_type() {
    switch (m_field) {
    case Field::old_side:
    case Field::new_side:
    case Field::extra:
      fail("'" + m_key + "' must be an object");
      break;
    case Field::unknown:
      break;
    default:
      fail("'" + m_key + "' must be a string");
      break;
    }
  }

  void add_param(bool nested) {
    if (m_frames.back() == Frame::extra) {
      extra.push_back({Side::new_side, m_key, nested ? std::string() : std::move(m_text), nested});
      return;
    }
    const Side side = m_frames.back() == Frame::old_side ? Side::old_side : Side::new_side;
    params.push_back({side, m_key, nested ? std::string() : std::move(m_text), nested});
  }

  std::vector<Frame> m_frames;
  Field m_field = Field::unknown;
  static unsigned field_bit(Field field) { return 1U << static_cast<unsigned>(field); }

  unsigned m_seen = 0; // field_bit of each top-level field met
  std::string m_key;
  std::string m_text;
};

// A value's limits, the same for parameters and `extra`; `where` names it in messages.
template <typename Where> Result<void> check_value(const RawParam& raw, const Where& where) {
  if (raw.nested) {
    return make_error("nested value in '" + where() + "': objects and arrays are not allowed");
  }
  if (raw.value.size() > k_max_value) {
    return make_error("value of '" + where() + "' is " + std::to_string(raw.value.size()) +
                      " bytes; the limit is " + std::to_string(k_max_value));
  }
  // No argument or environment variable can carry a NUL byte to a handler.
  if (raw.value.find('\0') != std::string::npos) {
    return make_error("value of '" + where() + "' contains a NUL character (\\u0000)");
  }
  return {};
}

// Checks the `extra` members (values the catalog does not know, kept as sent) and stores them.
Result<void> take_extra(std::vector<RawParam>& extra, Event& event) {
  for (auto& raw : extra) {
    const auto where = [&raw] { return "extra." + escape_for_message(raw.key); };
    if (raw.key.empty()) {
      return make_error("empty key in 'extra'");
    }
    if (raw.key.size() > k_max_extra_key) {
      return make_error("key of 'extra' is " + std::to_string(raw.key.size()) + " bytes; the limit is " +
                        std::to_string(k_max_extra_key));
    }
    if (has_control_character(raw.key)) {
      return make_error("key '" + where() + "' contains a control character");
    }
    if (auto checked = check_value(raw, where); !checked) {
      return checked;
    }
    if (!event.extra.emplace(raw.key, std::move(raw.value)).second) {
      return make_error("duplicate key '" + where() + "'");
    }
  }
  return {};
}

// Checks the given parameters against `def` and stores them in `event`.
Result<void> take_params(std::vector<RawParam>& params, std::size_t extra_count, const EventDef& def,
                         Event& event) {
  if (params.size() + extra_count > k_max_params) {
    return make_error("record has " + std::to_string(params.size() + extra_count) +
                      " parameters; the limit is " + std::to_string(k_max_params));
  }
  for (auto& raw : params) {
    // Only messages use it: built when one is needed.
    const auto where = [&raw] { return std::string(side_name(raw.side)) + "." + escape_for_message(raw.key); };
    if (def.find_param(raw.key) == nullptr) {
      std::string reason = "unknown parameter '" + where() + "' for event " + def.name;
      // A full name (`new_login_name`) where a base name belongs.
      const auto ref = def.resolve(raw.key);
      if (ref) {
        return make_error(reason + "; use the base name '" + ref->param->name + "'");
      }
      std::vector<std::string> valid;
      for (const auto& param : def.params) {
        valid.push_back(param.name);
      }
      return make_error(reason + "; valid: " + join(valid));
    }
    if (auto checked = check_value(raw, where); !checked) {
      return checked;
    }
    auto& values = raw.side == Side::old_side ? event.old_values : event.new_values;
    if (!values.emplace(raw.key, std::move(raw.value)).second) {
      return make_error("duplicate parameter '" + where() + "'");
    }
  }
  return {};
}

// Checks `id`, `time` and `source` and stores them in `event`.
Result<void> take_metadata(const RecordHandler& record, Event& event) {
  const auto limited = [](std::string_view field, const std::string& value,
                          std::size_t limit) -> Result<void> {
    const std::size_t length = count_characters(value);
    if (length > limit) {
      return make_error("'" + std::string(field) + "' is " + std::to_string(length) +
                        " characters; the limit is " + std::to_string(limit));
    }
    if (has_control_character(value)) {
      return make_error("'" + std::string(field) + "' contains a control character");
    }
    return {};
  };
  if (record.id) {
    if (auto checked = limited("id", *record.id, k_max_id); !checked) {
      return checked;
    }
    event.submit_id = *record.id;
  }
  if (record.time) {
    if (!record.time->empty() && !is_rfc3339(*record.time)) {
      return make_error("'time' is not an RFC 3339 date-time like 2024-05-01T12:30:00Z: '" +
                        escape_for_message(*record.time) + "'");
    }
    event.time = *record.time;
  }
  if (record.source) {
    if (auto checked = limited("source", *record.source, k_max_source); !checked) {
      return checked;
    }
    event.source = *record.source;
  }
  return {};
}

} // namespace

Result<ParsedRecord> parse_record(std::string_view line, const Catalog& catalog, Fill fill) {
  if (line.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return make_error("empty record");
  }
  if (const auto bad = find_invalid_utf8(line)) {
    return make_error("invalid UTF-8 at byte " + std::to_string(*bad));
  }

  json::basic_parser<RecordHandler> parser{json::parse_options{}};
  json::error_code ec;
  const std::size_t used = parser.write_some(false, line.data(), line.size(), ec);
  if (ec) {
    return make_error("malformed JSON: " + ec.message() + " at offset " + std::to_string(used));
  }
  if (used != line.size()) {
    return make_error("malformed JSON: extra data after the object at offset " + std::to_string(used));
  }
  RecordHandler& record = parser.handler();
  if (record.problem) {
    return make_error(*record.problem);
  }
  if (!record.event) {
    return make_error("missing field 'event'");
  }
  if (record.event->empty()) {
    return make_error("'event' is empty");
  }
  const EventDef* def = catalog.find(*record.event);
  if (def == nullptr) {
    std::string reason = "unknown event '" + escape_for_message(*record.event) + "'";
    if (const auto names = catalog.suggest(*record.event); !names.empty()) {
      reason += "; did you mean " + join(names) + "?";
    }
    return make_error(std::move(reason));
  }

  ParsedRecord parsed;
  Event& event = parsed.event;
  event.name = def->name;
  if (auto checked = take_metadata(record, event); !checked) {
    return checked.error();
  }
  if (auto checked = take_params(record.params, record.extra.size(), *def, event); !checked) {
    return checked.error();
  }
  if (auto checked = take_extra(record.extra, event); !checked) {
    return checked.error();
  }

  // docs/PROTOCOL.md: required values are on the side that describes the object.
  const bool is_delete = def->kind == EventKind::remove;
  const Side required_side = is_delete ? Side::old_side : Side::new_side;
  const auto& required_values = is_delete ? event.old_values : event.new_values;
  for (const auto& param : def->params) {
    const auto it = required_values.find(param.name);
    if (param.required && (it == required_values.end() || it->second.empty())) {
      return make_error("missing required parameter '" + std::string(side_name(required_side)) + "." +
                        param.name + "' for " + def->name);
    }
  }

  // docs/PROTOCOL.md: a create event has no old values, a delete event no new ones.
  if (def->kind == EventKind::create || is_delete) {
    const Side dropped_side = is_delete ? Side::new_side : Side::old_side;
    auto& dropped = is_delete ? event.new_values : event.old_values;
    for (auto it = dropped.begin(); it != dropped.end();) {
      if (it->second.empty()) {
        ++it;
        continue;
      }
      parsed.warnings.push_back("dropped '" + std::string(side_name(dropped_side)) + "." + it->first +
                                "': " + std::string(side_name(dropped_side)) + " values of " +
                                std::string(to_string(def->kind)) + " events are always empty");
      it = dropped.erase(it);
    }
  }

  parsed.verbatim = record.all_strings && parsed.warnings.empty();
  if (fill == Fill::all) {
    fill_params(*def, event);
  }
  return parsed;
}

} // namespace eventmgr::events
