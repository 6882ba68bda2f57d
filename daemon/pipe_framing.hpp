// SPDX-License-Identifier: MIT
#pragma once

#include <string_view>
#include <vector>

namespace eventmgr::daemon {

// A line from the pipe cut into what belongs to no record and the records that end it.
struct Framing {
  std::string_view prefix;               // the bytes before the first record (maybe empty)
  std::vector<std::string_view> records; // complete record-like JSON objects, in order
};

// Splits `line` (without its newline) for the pipe intake: the records are the longest run
// of complete JSON objects, each at most 4096 bytes with an "event" member, that ends the
// line (blanks between them allowed); the prefix is the rest. So a fragment left by a writer
// that stopped mid-record, glued in front of the next writer's record, is the prefix alone.
// Linear in the records' size: only the line's end is scanned, backwards.
Framing split_line(std::string_view line);

} // namespace eventmgr::daemon
