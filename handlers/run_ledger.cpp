// SPDX-License-Identifier: MIT
#include "handlers/run_ledger.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>

namespace eventmgr::handlers {
namespace {

// One slot: a header, the user and the argv JSON. `state` turns k_started last, once the
// rest is written, and 0 first when the slot is freed, so a half-written slot is never read as
// a run.
struct SlotHeader {
  std::uint32_t state;
  std::int32_t attempt;
  std::int64_t event_seq;
  std::int64_t handler_id;
  std::int64_t started_at;
  std::uint16_t user_size;
  std::uint16_t argv_size;
  std::uint32_t reserved;
};
constexpr std::uint32_t k_started = 0x4e55524c; // "LRUN"
constexpr std::size_t k_user_room = 64;
constexpr std::size_t k_argv_room = RunLedger::k_slot_size - sizeof(SlotHeader) - k_user_room;
static_assert(sizeof(SlotHeader) == 40);

std::uint32_t* state_of(char* slot) {
  return reinterpret_cast<std::uint32_t*>(slot);
}

} // namespace

Result<RunLedger> RunLedger::open(const std::filesystem::path& path, std::size_t slots) {
  auto fail = [&](const char* what) {
    return make_error("cannot " + std::string(what) + " the run ledger " + path.string() + ": " +
                      std::strerror(errno));
  };
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) {
    return fail("open");
  }
  struct stat info {};
  if (fstat(fd.get(), &info) != 0) {
    return fail("read");
  }
  const auto size = static_cast<off_t>(slots * k_slot_size);
  // A ledger of another size (a changed build) is read as far as both agree, then resized.
  if (info.st_size != size && ftruncate(fd.get(), size) != 0) {
    return fail("size");
  }
  // Read with pread, not through the mapping: a page of the mapping counts in the daemon's
  // RSS once touched, and only the slots in use need to be.
  std::vector<char> contents(static_cast<std::size_t>(size));
  std::size_t have = 0;
  while (have < contents.size()) {
    ssize_t got = pread(fd.get(), contents.data() + have, contents.size() - have, static_cast<off_t>(have));
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got <= 0) {
      return fail("read");
    }
    have += static_cast<std::size_t>(got);
  }
  void* map = mmap(nullptr, static_cast<std::size_t>(size), PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
  if (map == MAP_FAILED) {
    return fail("map");
  }
  RunLedger ledger(std::move(fd), static_cast<char*>(map), slots);
  for (std::size_t slot = 0; slot < slots; ++slot) {
    const char* at = contents.data() + slot * k_slot_size;
    SlotHeader header{};
    std::memcpy(&header, at, sizeof header);
    if (header.state != k_started) {
      continue;
    }
    RunStart entry;
    entry.event_seq = header.event_seq;
    entry.handler_id = header.handler_id;
    entry.attempt = header.attempt;
    entry.started_at = header.started_at;
    entry.user.assign(at + sizeof header, std::min<std::size_t>(header.user_size, k_user_room));
    entry.argv_json.assign(at + sizeof header + k_user_room,
                           std::min<std::size_t>(header.argv_size, k_argv_room));
    ledger.m_left_over.push_back(std::move(entry));
    ledger.m_left_over_slots.push_back(static_cast<int>(slot));
  }
  for (std::size_t slot = slots; slot-- > 0;) {
    if (std::find(ledger.m_left_over_slots.begin(), ledger.m_left_over_slots.end(), static_cast<int>(slot)) ==
        ledger.m_left_over_slots.end()) {
      ledger.m_free.push_back(static_cast<int>(slot));
    }
  }
  return ledger;
}

RunLedger::RunLedger(UniqueFd fd, char* map, std::size_t slots)
    : m_fd(std::move(fd)), m_map(map), m_slots(slots) {
  m_free.reserve(slots);
}

RunLedger::RunLedger(RunLedger&& other) noexcept
    : m_fd(std::move(other.m_fd)), m_map(std::exchange(other.m_map, nullptr)),
      m_slots(std::exchange(other.m_slots, 0)), m_free(std::move(other.m_free)),
      m_left_over(std::move(other.m_left_over)), m_left_over_slots(std::move(other.m_left_over_slots)) {}

RunLedger::~RunLedger() {
  if (m_map != nullptr) {
    munmap(m_map, m_slots * k_slot_size);
  }
}

int RunLedger::reserve(const RunStart& entry) {
  if (m_free.empty()) {
    return -1;
  }
  int slot = m_free.back();
  m_free.pop_back();
  char* at = slot_at(static_cast<std::size_t>(slot));
  SlotHeader header{};
  header.attempt = entry.attempt;
  header.event_seq = entry.event_seq;
  header.handler_id = entry.handler_id;
  header.started_at = entry.started_at;
  header.user_size = static_cast<std::uint16_t>(std::min(entry.user.size(), k_user_room));
  std::string shortened;
  const std::string* argv = &entry.argv_json;
  if (argv->size() > k_argv_room) {
    shortened = "[\"(" + std::to_string(argv->size()) + " bytes of argv, too long for the run ledger)\"]";
    argv = &shortened;
  }
  header.argv_size = static_cast<std::uint16_t>(argv->size());
  std::memcpy(at + sizeof(std::uint32_t), reinterpret_cast<const char*>(&header) + sizeof(std::uint32_t),
              sizeof header - sizeof(std::uint32_t));
  std::memcpy(at + sizeof header, entry.user.data(), header.user_size);
  std::memcpy(at + sizeof header + k_user_room, argv->data(), header.argv_size);
  return slot;
}

void RunLedger::mark_started(int slot, std::int64_t started_at) {
  if (slot < 0 || static_cast<std::size_t>(slot) >= m_slots) {
    return;
  }
  char* at = slot_at(static_cast<std::size_t>(slot));
  std::memcpy(at + offsetof(SlotHeader, started_at), &started_at, sizeof started_at);
  __atomic_store_n(state_of(at), k_started, __ATOMIC_RELEASE);
}

void RunLedger::release(int slot) {
  if (slot < 0 || static_cast<std::size_t>(slot) >= m_slots) {
    return;
  }
  __atomic_store_n(state_of(slot_at(static_cast<std::size_t>(slot))), 0U, __ATOMIC_RELEASE);
  m_free.push_back(slot);
}

void RunLedger::clear_left_over() {
  for (int slot : m_left_over_slots) {
    release(slot);
  }
  m_left_over.clear();
  m_left_over_slots.clear();
}

} // namespace eventmgr::handlers
