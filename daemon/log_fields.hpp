// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string_view>

namespace eventmgr::daemon {

// The journal's MESSAGE_ID of each kind of message an administrator looks for
// (`journalctl MESSAGE_ID=...`, docs/OBSERVABILITY.md). Fixed for ever: never change one.
inline constexpr std::string_view k_message_run_failed = "8693dab264f7452d9a21a8fa7502eb23";
inline constexpr std::string_view k_message_record_rejected = "d15154ccfdee467a91c9084fe355a40f";
inline constexpr std::string_view k_message_dead_letter = "fe5eeb9d87ac4cfaa986571c7d7769d2";

// What a log message is about, for the journal's structured fields (EVENTMGR_EVENT,
// EVENTMGR_EVENT_ID, EVENTMGR_RUN_ID, EVENTMGR_HANDLER_ID, EVENTMGR_VIA, EVENTMGR_REASON and
// MESSAGE_ID). Empty and zero members are left out. Other sinks ignore them.
struct LogFields {
  std::string_view message_id = {}; // a k_message_* constant
  std::string_view event = {};      // the event's name
  std::int64_t event_id = 0;        // its journal seq
  std::int64_t run_id = 0;
  std::int64_t handler_id = 0;
  std::string_view via = {};    // the intake a record came by
  std::string_view reason = {}; // a rejection's kind (events::rejection_kind)
};

// The fields of the messages logged on this thread while it lives: spdlog calls its sinks on
// the logging thread, so the journal sink reads them there. Nests; the innermost wins.
class ScopedLogFields {
public:
  explicit ScopedLogFields(const LogFields& fields);
  ~ScopedLogFields();
  ScopedLogFields(const ScopedLogFields&) = delete;
  ScopedLogFields& operator=(const ScopedLogFields&) = delete;

  // The fields in effect on this thread, or nullptr.
  static const LogFields* current();

private:
  const LogFields* m_previous;
};

} // namespace eventmgr::daemon
