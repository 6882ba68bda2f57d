// SPDX-License-Identifier: MIT
#pragma once

#include "common/fd.hpp"
#include "common/result.hpp"
#include "handlers/run_log.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace eventmgr::handlers {

// The runs started but not yet in the `runs` table, so that a crash still shows them
// interrupted (docs/RELIABILITY.md) while their rows are written in batches (docs/PERFORMANCE.md).
// A file of fixed slots mapped MAP_SHARED: recording a start is a few stores to memory, no
// system call, and what was stored survives a kill -9 of the daemon in the page cache, as a
// synchronous=NORMAL commit does (neither survives a power loss). Single-threaded but for
// mark_started().
class RunLedger {
public:
  static constexpr std::size_t k_slot_size = 1024;

  // Where the ledger of `database` lives: beside it, like its -wal file.
  static std::filesystem::path path_for(const std::filesystem::path& database) {
    return database.string() + "-ledger";
  }

  // Opens (creating, mode 0600) the ledger at `path` with room for `slots` runs.
  static Result<RunLedger> open(const std::filesystem::path& path, std::size_t slots);
  RunLedger(RunLedger&& other) noexcept;
  RunLedger& operator=(RunLedger&&) = delete;
  RunLedger(const RunLedger&) = delete;
  RunLedger& operator=(const RunLedger&) = delete;
  ~RunLedger();

  // Writes `entry` into a free slot and returns the slot; -1 when every slot is taken. The
  // run counts as started only after mark_started(). An argv too long for a slot is replaced
  // by a note of its size.
  int reserve(const RunStart& entry);
  // The run of `slot` is starting now (unix ms). Thread-safe for distinct slots, with respect
  // to everything but release() and reserve() of the same slot.
  void mark_started(int slot, std::int64_t started_at);
  // Frees `slot` once its run's row is committed, or its run will not start.
  void release(int slot);
  std::size_t free_slots() const { return m_free.size(); }

  // Crash recovery: the runs a previous daemon left in the ledger when it was opened, in slot
  // order; their slots stay taken until clear_left_over() (once they are recorded).
  const std::vector<RunStart>& left_over() const { return m_left_over; }
  void clear_left_over();

private:
  RunLedger(UniqueFd fd, char* map, std::size_t slots);
  char* slot_at(std::size_t slot) const { return m_map + slot * k_slot_size; }

  UniqueFd m_fd;
  char* m_map = nullptr;
  std::size_t m_slots = 0;
  std::vector<int> m_free; // a stack: the most recently freed slot is reused first
  std::vector<RunStart> m_left_over;
  std::vector<int> m_left_over_slots;
};

} // namespace eventmgr::handlers
