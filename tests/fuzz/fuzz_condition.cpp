// SPDX-License-Identifier: MIT
// Parses arbitrary bytes as a handler's --if condition against domain_create and, when it
// parses, evaluates it on a plain and a hostile event: no crash, no hang, a message on refusal.
#include "handlers/condition.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using eventmgr::fuzzing::check;
using eventmgr::handlers::Condition;

eventmgr::events::Event make_event(const std::string& value) {
  eventmgr::events::Event event;
  event.name = "domain_create";
  for (const char* name : {"domain_name", "status", "email"}) {
    event.new_values[name] = value;
    event.old_values[name] = value + "-old";
  }
  return event;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const eventmgr::events::EventDef* def = eventmgr::fuzzing::catalog().find("domain_create");
  static const eventmgr::events::Event plain = make_event("www.example.com");
  static const eventmgr::events::Event hostile = make_event(std::string(4096, 'a') + "\" || \"\\\n");
  check(def != nullptr);
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = Condition::parse(input, *def);
  if (!parsed) {
    check(!parsed.error().message.empty());
    return 0;
  }
  check(parsed->text() == input);
  (void)parsed->holds(plain);
  (void)parsed->holds(hostile);
  return 0;
}
