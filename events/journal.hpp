// SPDX-License-Identifier: MIT
#pragma once

#include "common/sqlite.hpp"
#include "events/event.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace eventmgr::events {

// How events taken from a NATS stream arrive (config `intake.nats`): their source is the host
// that forwarded them, their record id `<host>:<seq>`.
inline constexpr std::string_view k_via_nats = "nats";

// At most this much of a rejected record's raw text is stored (docs/PROTOCOL.md).
inline constexpr std::size_t k_max_rejected_raw = 64 * 1024;

enum class EventState { pending, running, done };

std::string_view to_string(EventState state);
std::optional<EventState> parse_event_state(std::string_view text);

// One journaled event as the dispatcher reads it; `payload` is the record as it arrived or
// events::to_journal_json of the event (read either with events::from_json).
struct JournalEntry {
  std::int64_t seq = 0;
  std::string event;
  std::string payload;
  std::string via;
  std::string source;
  std::int64_t received_at = 0; // unix ms
  EventState state = EventState::pending;
  std::optional<std::int64_t> finished_at;
};

// A record the daemon refused (docs/PROTOCOL.md), as `eventmgr rejected` shows it.
struct RejectedRecord {
  std::int64_t id = 0;
  std::int64_t received_at = 0;
  std::string via;
  std::string source;
  std::string reason;
  std::string raw; // at most k_max_rejected_raw bytes; list_rejected() gives a preview only
  std::optional<std::int64_t> resubmitted_at;
};

// Totals since the database was created, for `eventmgr status`.
struct Counters {
  std::int64_t accepted = 0;
  std::int64_t rejected = 0;
  std::int64_t duplicate = 0;
};

// Unfinished (pending or running) events: how many and the oldest's arrival.
struct Backlog {
  std::int64_t count = 0;
  std::optional<std::int64_t> oldest_received_at;
};

enum class PruneMode { apply, dry_run };

struct PruneCounts {
  std::int64_t events = 0;
  std::int64_t runs = 0;
  std::int64_t rejected = 0;
};

// The event journal, the rejected records, the counters and the daemon's status facts, over
// one connection with its statements prepared once. Storage failures throw sqlite::Failure.
class Journal {
public:
  explicit Journal(sqlite::Database& db);

  // The outcome of one appended event: its journal seq, or for a `duplicate` (its submit_id is
  // already journaled, possibly earlier in the same batch) the seq of the event already there.
  // `pending`: the event waits for the dispatcher; false when no enabled handler of its event
  // existed as it was journaled, so it was journaled done (nothing to run).
  struct Accepted {
    std::int64_t seq = 0;
    bool duplicate = false;
    bool pending = false;
  };

  // Accepted events and rejected records written together in ONE transaction (group commit:
  // the intake collects what the pipe holds, or one pickup file, then commits once). An event
  // whose name has no enabled handler at that moment is journaled done: the set of handled
  // event names is read inside the same write transaction, so a handler the CLI commits
  // before it is seen and one committed after it applies to later events only.
  class Batch {
  public:
    explicit Batch(Journal& journal) : m_journal(journal) {}
    // Queues `event`, which arrived through `via` (pipe, pickup, cli, replay). `record`: the
    // record's text when it reads back as the event exactly (ParsedRecord::verbatim); it is
    // then the stored payload, else to_journal_json(event) is.
    void add(Event event, std::string_view via, std::string_view record = {});
    // Queues a rejected record: `raw` (cut to k_max_rejected_raw bytes) and the `reason`.
    // `records`: how many rejected records the row stands for (a summary row folds many), as
    // the `rejected` counter counts them.
    void reject(std::string_view raw, std::string_view reason, std::string_view via,
                std::string_view source, std::int64_t records = 1);
    bool empty() const { return m_events.empty() && m_rejections.empty(); }
    std::size_t size() const { return m_events.size() + m_rejections.size(); }
    // Writes everything queued in one transaction, updates the counters (and, for events that
    // came via k_via_nats, the per-source counts of fleet_sources), and empties the batch.
    // Returns one Accepted per add(), in order. On a throw nothing is written and the batch is
    // kept.
    std::vector<Accepted> commit();

  private:
    struct Queued {
      Event event;
      std::string via;
      std::string payload;
    };
    struct Rejection {
      std::string raw;
      std::string reason;
      std::string via;
      std::string source;
      std::int64_t records = 1;
    };
    Journal& m_journal;
    std::vector<Queued> m_events;
    std::vector<Rejection> m_rejections;
  };

  // Appends `events` that arrived through `via` in one transaction (a Batch of them).
  std::vector<Accepted> append(std::span<const Event> events, std::string_view via);
  // Stores one rejected record in its own transaction (a Batch of one).
  void reject(std::string_view raw, std::string_view reason, std::string_view via,
              std::string_view source);

  // Dispatch: up to `limit` pending or running events with seq > `after_seq`, by seq, ending
  // with the first whose payload brings the payloads' total to `max_bytes` (so at least one).
  std::vector<JournalEntry> unfinished(std::int64_t after_seq, std::size_t limit,
                                       std::size_t max_bytes = SIZE_MAX);
  // The highest seq ever given (0 for an empty journal); later events get higher ones.
  // Throws sqlite::Failure when the counter is missing (a damaged database).
  std::int64_t last_seq();
  // One event by `seq` (for replay and `eventmgr log`), nullopt when absent or pruned.
  std::optional<JournalEntry> get(std::int64_t seq);
  // The seq of the event journaled with record id `submit_id`, nullopt when there is none.
  std::optional<std::int64_t> seq_of(std::string_view submit_id);
  // Marks event `seq` done. `skipped` (a JSON array of the handlers whose condition was false,
  // "" for none) replaces the event's record of skips; nullopt keeps it (a one-handler replay).
  void mark_done(std::int64_t seq, std::int64_t finished_at, const std::optional<std::string>& skipped = std::string());

  // Status.
  Counters counters();
  Backlog backlog();
  // The daemon's facts (pid, started_at, last_error): set, read, clear.
  void set_daemon_state(std::string_view name, std::string_view value);
  std::optional<std::string> get_daemon_state(std::string_view name);
  void clear_daemon_state(std::string_view name);

  // Rejected records received at or after `since` (unix ms), newest first, at most `limit`;
  // each `raw` is cut to its first `preview_bytes`.
  std::vector<RejectedRecord> list_rejected(std::int64_t since, std::size_t limit,
                                            std::size_t preview_bytes = 256);
  // One rejected record with its whole stored raw text.
  std::optional<RejectedRecord> get_rejected(std::int64_t id);
  // Notes that record `id` was submitted again at `at`; false when there is no such record.
  bool mark_resubmitted(std::int64_t id, std::int64_t at);

  // Deletes done events finished before `older_than` (unix ms) with their runs, and rejected
  // records received before it, in one transaction; with PruneMode::dry_run, counts what
  // would go and rolls back.
  PruneCounts prune(std::int64_t older_than, PruneMode mode = PruneMode::apply);

private:
  friend class Batch;
  // Reloads the names of events with an enabled handler when another connection committed
  // since the last load (PRAGMA data_version). Call inside a transaction. The daemon's own
  // connections never write handlers; the CLI's do, and they count as other connections.
  void refresh_handled_events();

  sqlite::Database& m_db;
  std::set<std::string, std::less<>> m_handled_events;
  std::int64_t m_handled_version = -1;
  sqlite::Statement m_insert_event;
  sqlite::Statement m_last_seq;
  sqlite::Statement m_find_submit_id;
  sqlite::Statement m_insert_rejected;
  sqlite::Statement m_add_counter;
  sqlite::Statement m_unfinished;
  sqlite::Statement m_get;
  sqlite::Statement m_handled_query;
  sqlite::Statement m_mark_done;
  sqlite::Statement m_counters;
  sqlite::Statement m_backlog;
  sqlite::Statement m_set_state;
  sqlite::Statement m_get_state;
  sqlite::Statement m_clear_state;
  sqlite::Statement m_list_rejected;
  sqlite::Statement m_get_rejected;
  sqlite::Statement m_mark_resubmitted;
  sqlite::Statement m_count_source;
};

} // namespace eventmgr::events
