// SPDX-License-Identifier: MIT
#include "events/record.hpp"
#include "events/event_json.hpp"

#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

using eventmgr::events::Catalog;
using eventmgr::events::Event;
using eventmgr::events::from_json;
using eventmgr::events::parse_record;
using eventmgr::events::ParsedRecord;
using eventmgr::events::to_journal_json;
using eventmgr::events::to_json;

namespace {

const Catalog& catalog() {
  static const Catalog loaded = [] {
    auto result = Catalog::load({});
    if (!result) {
      FAIL("built-in catalog does not load:\n" << result.error().message);
    }
    return std::move(result).value();
  }();
  return loaded;
}

ParsedRecord accepted(std::string_view line) {
  auto result = parse_record(line, catalog());
  REQUIRE_MESSAGE(result.ok(), result.error().message);
  return std::move(result).value();
}

std::string rejected(std::string_view line) {
  const auto result = parse_record(line, catalog());
  REQUIRE_FALSE(result.ok());
  return result.error().message;
}

// A client_create record with the two required values and `extra` appended inside "new".
std::string client_create(const std::string& extra = "") {
  return R"({"event":"client_create","new":{"login_name":"jdoe","contact_name":"John Doe")" + extra + "}}";
}

} // namespace

TEST_SUITE_BEGIN("events::Record");

TEST_CASE("a valid record gives every catalog parameter on both sides") {
  const auto parsed =
      accepted(R"({"event":"client_create","id":"c0ffee-1","time":"2024-05-01T12:30:00Z","source":"panel",)"
               R"("new":{"login_name":"jdoe","contact_name":"John Doe"}})");
  const Event& event = parsed.event;
  CHECK(parsed.warnings.empty());
  CHECK(event.name == "client_create");
  CHECK(event.submit_id == "c0ffee-1");
  CHECK(event.time == "2024-05-01T12:30:00Z");
  CHECK(event.source == "panel");
  CHECK(event.seq == 0);
  CHECK(event.new_values.at("login_name") == "jdoe");
  CHECK(event.new_values.at("contact_name") == "John Doe");
  const auto* def = catalog().find("client_create");
  REQUIRE(def != nullptr);
  CHECK(event.old_values.size() == def->params.size());
  CHECK(event.new_values.size() == def->params.size());
  for (const auto& param : def->params) {
    CAPTURE(param.name);
    CHECK(event.old_values.at(param.name).empty());
    if (param.name != "login_name" && param.name != "contact_name") {
      CHECK(event.new_values.at(param.name).empty());
    }
  }
}

TEST_CASE("values are kept byte for byte") {
  const auto parsed = accepted(
      client_create(R"(,"company_name":"O'Brien \"Ltd\" $(rm -rf /) `id` ; | > *",)"
                    R"("address":"line 1\nline 2\r\n\ttab \\ back\\slash","city":"Zürich 東京 🙂",)"
                    R"("phone":"\u0001\u001f\u007f","fax":"  spaced  ","email":"\u00e9\/")"));
  const auto& values = parsed.event.new_values;
  CHECK(values.at("company_name") == "O'Brien \"Ltd\" $(rm -rf /) `id` ; | > *");
  CHECK(values.at("address") == "line 1\nline 2\r\n\ttab \\ back\\slash");
  CHECK(values.at("city") == "Z\xc3\xbcrich \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x99\x82");
  CHECK(values.at("phone") == "\x01\x1f\x7f");
  CHECK(values.at("fax") == "  spaced  ");
  CHECK(values.at("email") == "\xc3\xa9/");
}

TEST_CASE("numbers and booleans are taken as their JSON text and null as empty") {
  const auto parsed =
      accepted(R"({"event":"client_create","new":{"login_name":12345678901234567890123,"contact_name":1.50,)"
               R"("phone":-0,"fax":2e-3,"email":true,"address":false,"city":null}})");
  const auto& values = parsed.event.new_values;
  CHECK(values.at("login_name") == "12345678901234567890123");
  CHECK(values.at("contact_name") == "1.50");
  CHECK(values.at("phone") == "-0");
  CHECK(values.at("fax") == "2e-3");
  CHECK(values.at("email") == "true");
  CHECK(values.at("address") == "false");
  CHECK(values.at("city") == "");
}

TEST_CASE("optional fields may be null or absent") {
  const auto parsed = accepted(R"({"event":"client_create","id":null,"time":null,"source":null,"old":null,)"
                               R"("new":{"login_name":"a","contact_name":"b"}})");
  CHECK(parsed.event.submit_id.empty());
  CHECK(parsed.event.time.empty());
  CHECK(parsed.event.source.empty());
}

TEST_CASE("whitespace around the object and inside it is allowed") {
  const auto parsed = accepted(" \t{ \"event\" : \"client_create\" ,\n \"new\" : { \"login_name\" : \"a\" , "
                               "\"contact_name\" : \"b\" } }\r\n");
  CHECK(parsed.event.new_values.at("login_name") == "a");
}

TEST_CASE("a line that is not a JSON record is rejected with the reason") {
  SUBCASE("empty") {
    CHECK(rejected("") == "empty record");
    CHECK(rejected(" \t\r") == "empty record");
  }
  SUBCASE("truncated") {
    CHECK(rejected(R"({"event":"client_create")") == "malformed JSON: incomplete JSON at offset 24");
  }
  SUBCASE("a syntax error") {
    CHECK(rejected(R"({"event": tru})") == "malformed JSON: syntax error at offset 10");
    CHECK(rejected(R"({"event":"client_create",})") == "malformed JSON: syntax error at offset 25");
    CHECK(rejected("garbage") == "malformed JSON: syntax error at offset 0");
  }
  SUBCASE("a raw control character inside a string") {
    CHECK(rejected("{\"event\":\"client\ncreate\"}") == "malformed JSON: syntax error at offset 16");
  }
  SUBCASE("a lone surrogate escape") {
    CHECK(rejected(client_create(R"(,"city":"\ud800")")) == "malformed JSON: syntax error at offset 92");
  }
  SUBCASE("two records glued together (a writer died mid-record)") {
    CHECK(rejected(R"({"event":"client_cr{"event":"client_create"})") ==
          "malformed JSON: syntax error at offset 21");
    CHECK(rejected(client_create() + client_create()) ==
          "malformed JSON: extra data after the object at offset 79");
  }
  SUBCASE("deep nesting") {
    CHECK(rejected(std::string(100, '[') + std::string(100, ']')) == "malformed JSON: too deep at offset 32");
  }
  SUBCASE("not an object") {
    CHECK(rejected(R"(["client_create"])") == "record is not a JSON object");
    CHECK(rejected(R"("client_create")") == "record is not a JSON object");
    CHECK(rejected("42") == "record is not a JSON object");
    CHECK(rejected("null") == "record is not a JSON object");
  }
}

TEST_CASE("invalid UTF-8 is rejected with the offset of the first bad byte") {
  SUBCASE("a stray byte in a value") {
    CHECK(rejected(client_create(",\"city\":\"a\xff\"")) == "invalid UTF-8 at byte 87");
  }
  SUBCASE("outside strings") {
    CHECK(rejected("\x80{}") == "invalid UTF-8 at byte 0");
  }
  SUBCASE("an overlong encoding of '/'") {
    CHECK(rejected("{\"event\":\"\xc0\xaf\"}") == "invalid UTF-8 at byte 10");
  }
  SUBCASE("an encoded surrogate") {
    CHECK(rejected("{\"event\":\"\xed\xa0\x80\"}") == "invalid UTF-8 at byte 10");
  }
  SUBCASE("a code point above U+10FFFF") {
    CHECK(rejected("{\"event\":\"\xf4\x90\x80\x80\"}") == "invalid UTF-8 at byte 10");
  }
  SUBCASE("a sequence cut at the end of the line") {
    CHECK(rejected("{\"event\":\"x\"}\xe6\x9d") == "invalid UTF-8 at byte 13");
  }
}

TEST_CASE("top-level fields are checked") {
  SUBCASE("an unknown field") {
    CHECK(rejected(R"({"event":"client_create","user":"x"})") ==
          "unknown field 'user'; valid: event, id, time, source, old, new, extra");
  }
  SUBCASE("a full parameter name at the top") {
    CHECK(rejected(R"({"event":"client_create","new_login_name":"x"})") ==
          "unknown field 'new_login_name'; valid: event, id, time, source, old, new, extra");
  }
  SUBCASE("a duplicate field") {
    CHECK(rejected(R"({"event":"client_create","event":"client_delete"})") == "duplicate field 'event'");
  }
  SUBCASE("no event") {
    CHECK(rejected(R"({"new":{"login_name":"x"}})") == "missing field 'event'");
    CHECK(rejected("{}") == "missing field 'event'");
  }
  SUBCASE("an empty event") {
    CHECK(rejected(R"({"event":""})") == "'event' is empty");
  }
  SUBCASE("fields of the wrong type") {
    CHECK(rejected(R"({"event":5})") == "'event' must be a string");
    CHECK(rejected(R"({"event":null})") == "'event' must be a string");
    CHECK(rejected(R"({"event":["client_create"]})") == "'event' must be a string");
    CHECK(rejected(R"({"event":"client_create","id":7})") == "'id' must be a string");
    CHECK(rejected(R"({"event":"client_create","source":{}})") == "'source' must be a string");
    CHECK(rejected(R"({"event":"client_create","new":"jdoe"})") == "'new' must be an object");
    CHECK(rejected(R"({"event":"client_create","old":[]})") == "'old' must be an object");
  }
}

TEST_CASE("an unknown event is rejected with suggestions") {
  CHECK(rejected(R"({"event":"client_creat"})") ==
        "unknown event 'client_creat'; did you mean client_create?");
  CHECK(rejected(R"({"event":"database_user"})") ==
        "unknown event 'database_user'; did you mean database_user_create, database_user_delete, "
        "database_user_update?");
  CHECK(rejected(R"({"event":"zzzzqqqq"})") == "unknown event 'zzzzqqqq'");
  CHECK(rejected(R"({"event":"bad\nname"})") == "unknown event 'bad\\x0aname'");
  CHECK(rejected("{\"event\":\"" + std::string(100, 'q') + "\"}") ==
        "unknown event '" + std::string(64, 'q') + "...'");
}

TEST_CASE("parameters must be parameters of the event") {
  SUBCASE("an unknown base name lists the valid ones") {
    CHECK(rejected(client_create(R"(,"bogus":"x")")) ==
          "unknown parameter 'new.bogus' for event client_create; valid: login_name, password, "
          "contact_name, company_name, phone, fax, email, address, city, state_province, "
          "postal_zip_code, country");
  }
  SUBCASE("a full name where a base name belongs") {
    CHECK(rejected(R"({"event":"client_delete","old":{"old_login_name":"x"}})") ==
          "unknown parameter 'old.old_login_name' for event client_delete; use the base name "
          "'login_name'");
  }
  SUBCASE("a duplicate parameter") {
    CHECK(rejected(client_create(R"(,"login_name":"other")")) == "duplicate parameter 'new.login_name'");
  }
  SUBCASE("the same parameter on both sides is fine") {
    const auto parsed = accepted(
        R"({"event":"client_update","old":{"login_name":"a"},"new":{"login_name":"b","contact_name":"c"}})");
    CHECK(parsed.event.old_values.at("login_name") == "a");
    CHECK(parsed.event.new_values.at("login_name") == "b");
  }
}

TEST_CASE("nested values are rejected") {
  CHECK(rejected(R"({"event":"client_create","new":{"login_name":{"first":"j"}}})") ==
        "nested value in 'new.login_name': objects and arrays are not allowed");
  CHECK(rejected(R"({"event":"client_update","old":{"contact_name":["a","b"]}})") ==
        "nested value in 'old.contact_name': objects and arrays are not allowed");
}

TEST_CASE("values and parameter counts have limits") {
  SUBCASE("a value over 64 KiB") {
    CHECK(rejected(client_create(R"(,"company_name":")" + std::string(70000, 'x') + "\"")) ==
          "value of 'new.company_name' is 70000 bytes; the limit is 65536");
  }
  SUBCASE("a value of exactly 64 KiB") {
    const auto parsed = accepted(client_create(R"(,"company_name":")" + std::string(65536, 'x') + "\""));
    CHECK(parsed.event.new_values.at("company_name").size() == 65536);
  }
  SUBCASE("the value limit counts bytes after unescaping") {
    std::string escaped;
    for (int i = 0; i < 40000; ++i) {
      escaped += "\\n";
    }
    const auto parsed = accepted(client_create(R"(,"company_name":")" + escaped + "\""));
    CHECK(parsed.event.new_values.at("company_name") == std::string(40000, '\n'));
  }
  SUBCASE("more than 256 parameters") {
    std::string extra;
    for (int i = 0; i < 255; ++i) {
      extra += ",\"p" + std::to_string(i) + "\":\"\"";
    }
    CHECK(rejected(client_create(extra)) == "record has 257 parameters; the limit is 256");
  }
  SUBCASE("a NUL character in a value") {
    CHECK(rejected(client_create(R"(,"city":"a\u0000b")")) ==
          "value of 'new.city' contains a NUL character (\\u0000)");
  }
}

TEST_CASE("id, time and source are checked") {
  SUBCASE("an id over 128 characters") {
    CHECK(rejected(client_create().insert(1, "\"id\":\"" + std::string(200, 'a') + "\",")) ==
          "'id' is 200 characters; the limit is 128");
  }
  SUBCASE("an id of 128 two-byte characters") {
    std::string id;
    for (int i = 0; i < 128; ++i) {
      id += "\xc3\xa9";
    }
    const auto parsed = accepted(client_create().insert(1, "\"id\":\"" + id + "\","));
    CHECK(parsed.event.submit_id == id);
  }
  SUBCASE("an id with a control character") {
    CHECK(rejected(client_create().insert(1, R"("id":"a\nb",)")) == "'id' contains a control character");
  }
  SUBCASE("a source over 64 characters") {
    CHECK(rejected(client_create().insert(1, "\"source\":\"" + std::string(65, 's') + "\",")) ==
          "'source' is 65 characters; the limit is 64");
  }
  SUBCASE("valid RFC 3339 times") {
    for (const std::string time : {"2024-05-01T12:30:00Z", "2024-02-29t23:59:60.123456+02:00",
                                   "1999-12-31 00:00:00-05:30", "2024-05-01T12:30:00.5z"}) {
      CAPTURE(time);
      const auto parsed = accepted(client_create().insert(1, "\"time\":\"" + time + "\","));
      CHECK(parsed.event.time == time);
    }
  }
  SUBCASE("invalid times") {
    for (const std::string time : {"2024-05-01", "2024-05-01T12:30:00", "2024-13-01T00:00:00Z",
                                   "2023-02-29T00:00:00Z", "2024-05-01T24:00:00Z", "2024-05-01T12:30:00+2:00",
                                   "2024-05-01T12:30:00.Z", "2024-05-01T12:30:00Z trailing", "yesterday"}) {
      CAPTURE(time);
      CHECK(rejected(client_create().insert(1, "\"time\":\"" + time + "\",")) ==
            "'time' is not an RFC 3339 date-time like 2024-05-01T12:30:00Z: '" + time + "'");
    }
  }
}

TEST_CASE("required parameters must be non-empty on the side that describes the object") {
  SUBCASE("create: the new side") {
    CHECK(rejected(R"({"event":"client_create","new":{"contact_name":"John"}})") ==
          "missing required parameter 'new.login_name' for client_create");
    CHECK(rejected(R"({"event":"client_create","new":{"login_name":"","contact_name":"John"}})") ==
          "missing required parameter 'new.login_name' for client_create");
    CHECK(rejected(R"({"event":"client_create","new":{"login_name":"jdoe"}})") ==
          "missing required parameter 'new.contact_name' for client_create");
    CHECK(rejected(R"({"event":"client_create","old":{"login_name":"jdoe","contact_name":"x"}})") ==
          "missing required parameter 'new.login_name' for client_create");
  }
  SUBCASE("update: the new side") {
    CHECK(rejected(R"({"event":"client_update","old":{"login_name":"a","contact_name":"b"}})") ==
          "missing required parameter 'new.login_name' for client_update");
  }
  SUBCASE("delete: the old side") {
    CHECK(rejected(R"({"event":"client_delete","new":{"login_name":"a","contact_name":"b"}})") ==
          "missing required parameter 'old.login_name' for client_delete");
    CHECK(rejected(R"({"event":"ip_address_delete"})") ==
          "missing required parameter 'old.ip_address' for ip_address_delete");
    const auto parsed = accepted(R"({"event":"ip_address_delete","old":{"ip_address":"10.0.0.1"}})");
    CHECK(parsed.event.old_values.at("ip_address") == "10.0.0.1");
    CHECK(parsed.event.new_values.at("ip_address").empty());
  }
}

TEST_CASE("old values of create events and new values of delete events are dropped with a warning") {
  SUBCASE("create") {
    const auto parsed =
        accepted(R"({"event":"client_create","old":{"login_name":"was","city":"","phone":"1"},)"
                 R"("new":{"login_name":"jdoe","contact_name":"John"}})");
    CHECK(parsed.warnings ==
          std::vector<std::string>{"dropped 'old.login_name': old values of create events are always empty",
                                   "dropped 'old.phone': old values of create events are always empty"});
    CHECK(parsed.event.old_values.at("login_name").empty());
    CHECK(parsed.event.old_values.at("phone").empty());
    CHECK(parsed.event.new_values.at("login_name") == "jdoe");
  }
  SUBCASE("delete") {
    const auto parsed =
        accepted(R"({"event":"client_delete","old":{"login_name":"jdoe","contact_name":"John"},)"
                 R"("new":{"login_name":"jdoe"}})");
    CHECK(parsed.warnings ==
          std::vector<std::string>{"dropped 'new.login_name': new values of delete events are always empty"});
    CHECK(parsed.event.new_values.at("login_name").empty());
    CHECK(parsed.event.old_values.at("login_name") == "jdoe");
  }
  SUBCASE("update keeps both sides") {
    const auto parsed = accepted(R"({"event":"client_update","old":{"login_name":"a","contact_name":"b"},)"
                                 R"("new":{"login_name":"c","contact_name":"d"}})");
    CHECK(parsed.warnings.empty());
    CHECK(parsed.event.old_values.at("login_name") == "a");
  }
}

TEST_CASE("to_json writes canonical JSON with every parameter") {
  const auto catalog_text = Catalog::load_text(R"(events:
  - name: job_done
    description: A job finished
    group: job events
    kind: update
    key: job
    params:
      - {name: job, label: Job, required: true}
      - {name: note, label: Note}
)",
                                               "jobs.yaml");
  REQUIRE(catalog_text.ok());
  auto parsed = parse_record(R"({"new":{"note":"a\"b\n\u0001é","job":"j1"},"id":"x","event":"job_done"})",
                             *catalog_text);
  REQUIRE(parsed.ok());
  CHECK(to_json(parsed->event) == "{\"event\":\"job_done\",\"id\":\"x\",\"time\":\"\",\"source\":\"\","
                                  "\"old\":{\"job\":\"\",\"note\":\"\"},"
                                  "\"new\":{\"job\":\"j1\",\"note\":\"a\\\"b\\n\\u0001\xc3\xa9\"}}");
  parsed->event.seq = 42;
  CHECK(to_json(parsed->event).ends_with(",\"seq\":42}"));
}

TEST_CASE("from_json reads back what to_json wrote") {
  auto parsed = accepted(
      client_create(R"(,"company_name":"O'Brien \"Ltd\" $(x) `y`","address":"a\nb\u0001","city":"Zürich")"));
  parsed.event.seq = 7;
  parsed.event.submit_id = "id-1";
  parsed.event.time = "2024-05-01T12:30:00Z";
  parsed.event.source = "panel";
  const auto json = to_json(parsed.event);
  const auto back = from_json(json, catalog());
  REQUIRE_MESSAGE(back.ok(), back.error().message);
  CHECK(back->name == parsed.event.name);
  CHECK(back->old_values == parsed.event.old_values);
  CHECK(back->new_values == parsed.event.new_values);
  CHECK(back->submit_id == "id-1");
  CHECK(back->time == "2024-05-01T12:30:00Z");
  CHECK(back->source == "panel");
  CHECK(back->seq == 7);
  CHECK(to_json(*back) == json);
}

TEST_CASE("the journal's JSON leaves out empty values and reads back the same event") {
  auto parsed = accepted(client_create(R"(,"company_name":"Tab\there \\ \u001f \u007f","city":"")"));
  parsed.event.seq = 3;
  const auto compact = eventmgr::events::to_journal_json(parsed.event);
  CHECK(compact.find("\"city\"") == std::string::npos);
  CHECK(compact.find(R"("old":{})") != std::string::npos);
  CHECK(compact.size() < to_json(parsed.event).size());
  const auto back = from_json(compact, catalog());
  REQUIRE_MESSAGE(back.ok(), back.error().message);
  CHECK(back->old_values == parsed.event.old_values);
  CHECK(back->new_values == parsed.event.new_values);
  CHECK(to_json(*back) == to_json(parsed.event));

  // Parsed without the fill, the event holds what the record gave; the journal form is the same.
  auto given = parse_record(client_create(R"(,"company_name":"Tab\there \\ \u001f \u007f","city":"")"),
                            catalog(), eventmgr::events::Fill::given);
  REQUIRE(given.ok());
  CHECK(given->event.new_values.size() == 4);
  CHECK(given->event.old_values.empty());
  given->event.seq = 3;
  CHECK(eventmgr::events::to_journal_json(given->event) == compact);
}

TEST_CASE("a record whose values are all strings and kept reads back verbatim") {
  const std::string plain = client_create(R"(,"city":"Z\u00fcrich")");
  const auto parsed = accepted(plain);
  CHECK(parsed.verbatim);
  const auto back = from_json(plain, catalog());
  REQUIRE_MESSAGE(back.ok(), back.error().message);
  CHECK(back->new_values == parsed.event.new_values);
  CHECK(back->new_values.at("city") == "Z\xc3\xbcrich");

  CHECK_FALSE(accepted(client_create(R"(,"phone":12345)")).verbatim);
  CHECK_FALSE(accepted(client_create(R"(,"fax":null)")).verbatim);
  CHECK_FALSE(accepted(R"({"event":"client_create","id":null,"new":{"login_name":"j","contact_name":"J"}})").verbatim);
  // An old value of a create event is dropped: the line no longer says what was journaled.
  CHECK_FALSE(accepted(R"({"event":"client_create","old":{"city":"x"},"new":{"login_name":"j","contact_name":"J"}})")
                .verbatim);
}

TEST_CASE("event JSON escapes every string as Boost.JSON's serializer does") {
  std::string every_byte;
  for (int c = 1; c < 0x80; ++c) {
    every_byte += static_cast<char>(c);
  }
  for (const std::string& value : {every_byte, std::string("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"), std::string()}) {
    eventmgr::events::Event event;
    event.name = "job_done";
    event.new_values = {{"note", value}};
    const std::string expected = boost::json::serialize(boost::json::string_view(value.data(), value.size()));
    CHECK(to_json(event).find("\"note\":" + expected + "}") != std::string::npos);
  }
}

TEST_CASE("from_json fills parameters the catalog has since gained") {
  const auto v2 = Catalog::load_text(R"(events:
  - name: job_done
    description: A job finished
    group: job events
    kind: other
    key: job
    params:
      - {name: job, label: Job, required: true}
      - {name: host, label: Host}
)",
                                     "jobs.yaml");
  REQUIRE(v2.ok());
  const auto back = from_json(
      R"({"event":"job_done","id":"","time":"","source":"","old":{"job":""},"new":{"job":"j1","gone":"kept"}})",
      *v2);
  REQUIRE_MESSAGE(back.ok(), back.error().message);
  CHECK(back->old_values == std::map<std::string, std::string>{{"host", ""}, {"job", ""}});
  CHECK(back->new_values ==
        std::map<std::string, std::string>{{"gone", "kept"}, {"host", ""}, {"job", "j1"}});
}

TEST_CASE("from_json rejects what it cannot read") {
  const auto error = [](std::string_view json) {
    const auto back = from_json(json, catalog());
    REQUIRE_FALSE(back.ok());
    return back.error().message;
  };
  CHECK(error("{").starts_with("malformed JSON: "));
  CHECK(error("[]") == "not a JSON object");
  CHECK(error(R"({"id":"x"})") == "missing field 'event'");
  CHECK(error(R"({"event":"ext_gone"})") == "unknown event 'ext_gone'");
  CHECK(error(R"({"event":"client_create","new":{"login_name":1}})") == "'new.login_name' must be a string");
  CHECK(error(R"({"event":"client_create","old":"x"})") == "'old' must be an object");
  CHECK(error(R"({"event":"client_create","seq":"1"})") == "'seq' must be an integer");
  CHECK(error(R"({"event":7})") == "'event' must be a string");
}

TEST_CASE("extra keeps values the catalog does not know, as sent") {
  const auto parsed = accepted(
      R"({"event":"client_create","new":{"login_name":"j","contact_name":"J"},"extra":{"NEW_PLAN":"Gold <b>","NEW_N":7,"X":null}})");
  CHECK(parsed.event.extra ==
        std::map<std::string, std::string>{{"NEW_PLAN", "Gold <b>"}, {"NEW_N", "7"}, {"X", ""}});
  CHECK(parsed.event.new_values.at("login_name") == "j");
  CHECK_FALSE(parsed.event.new_values.contains("NEW_PLAN"));
  CHECK(accepted(R"({"event":"client_create","new":{"login_name":"j","contact_name":"J"},"extra":null})")
            .event.extra.empty());
}

TEST_CASE("extra is checked as strictly as the parameters") {
  const std::string head = R"({"event":"client_create","new":{"login_name":"j","contact_name":"J"},"extra":)";
  CHECK(rejected(head + R"("x"})") == "'extra' must be an object");
  CHECK(rejected(head + R"([1]})") == "'extra' must be an object");
  CHECK(rejected(head + R"({"A":{"b":"c"}}})") ==
        "nested value in 'extra.A': objects and arrays are not allowed");
  CHECK(rejected(head + R"({"A":"a\u0000b"}})") == "value of 'extra.A' contains a NUL character (\\u0000)");
  CHECK(rejected(head + R"({"":"v"}})") == "empty key in 'extra'");
  CHECK(rejected(head + R"({"A\u001b[31m":"v"}})") == "key 'extra.A\\x1b[31m' contains a control character");
  CHECK(rejected(head + R"({"A":"1","A":"2"}})") == "duplicate key 'extra.A'");
  CHECK(rejected(head + "{\"" + std::string(257, 'K') + "\":\"v\"}}") ==
        "key of 'extra' is 257 bytes; the limit is 256");
  CHECK(rejected(head + R"({"A":")" + std::string(70000, 'x') + "\"}}") ==
        "value of 'extra.A' is 70000 bytes; the limit is 65536");
  CHECK(rejected(head + R"({}, "extra":{}})") == "duplicate field 'extra'");
  std::string many;
  for (int i = 0; i < 255; ++i) {
    many += std::string(many.empty() ? "" : ",") + "\"K" + std::to_string(i) + "\":\"\"";
  }
  CHECK(rejected(head + "{" + many + "}}") == "record has 257 parameters; the limit is 256");
}

TEST_CASE("extra goes through to_json, the journal's JSON and back, and is left out when empty") {
  const std::string line =
      R"({"event":"client_create","new":{"login_name":"j","contact_name":"J"},"extra":{"NEW_PLAN":"Gold \"x\""}})";
  const auto parsed = accepted(line);
  CHECK(parsed.verbatim);
  const std::string json = to_json(parsed.event);
  CHECK(json.find(R"(,"extra":{"NEW_PLAN":"Gold \"x\""})") != std::string::npos);
  for (const auto& text : {json, to_journal_json(parsed.event), line}) {
    CAPTURE(text);
    const auto back = from_json(text, catalog());
    REQUIRE_MESSAGE(back.ok(), back.error().message);
    CHECK(back->extra == parsed.event.extra);
  }
  CHECK(to_json(accepted(client_create()).event).find("extra") == std::string::npos);
  CHECK(from_json(R"({"event":"client_create","extra":{"A":1}})", catalog()).error().message ==
        "'extra.A' must be a string");
}

TEST_SUITE_END();
