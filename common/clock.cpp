// SPDX-License-Identifier: MIT
#include "common/clock.hpp"

#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace eventmgr {

std::string format_local_time(std::int64_t unix_ms) {
  std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  localtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string format_rfc3339(std::int64_t unix_ms) {
  // Floor division, so times before 1970 keep a fraction in 0..999.
  std::int64_t millis = ((unix_ms % 1000) + 1000) % 1000;
  std::time_t seconds = static_cast<std::time_t>((unix_ms - millis) / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[40];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(millis));
  return buf;
}

std::string format_duration(std::int64_t ms) {
  char buf[32];
  if (ms < 1000) {
    std::snprintf(buf, sizeof buf, "%lldms", static_cast<long long>(ms));
  } else if (ms < 60'000) {
    std::snprintf(buf, sizeof buf, "%.1fs", static_cast<double>(ms) / 1000.0);
  } else if (ms < 3'600'000) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(ms / 60'000),
                  static_cast<long long>(ms / 1000 % 60));
  } else if (ms < 86'400'000) {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(ms / 3'600'000),
                  static_cast<long long>(ms / 60'000 % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lldd%lldh", static_cast<long long>(ms / 86'400'000),
                  static_cast<long long>(ms / 3'600'000 % 24));
  }
  return buf;
}

std::optional<std::int64_t> parse_duration(std::string_view text) {
  if (text.size() < 2) {
    return std::nullopt;
  }
  std::int64_t number = 0;
  for (char c : text.substr(0, text.size() - 1)) {
    if (c < '0' || c > '9' || number > 1'000'000'000) {
      return std::nullopt;
    }
    number = number * 10 + (c - '0');
  }
  switch (text.back()) {
  case 's':
    return number * 1000;
  case 'm':
    return number * 60'000;
  case 'h':
    return number * 3'600'000;
  case 'd':
    return number * 86'400'000;
  default:
    return std::nullopt;
  }
}

std::optional<std::int64_t> parse_time(std::string_view text) {
  std::string s(text);
  std::tm tm{};
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  char tail[16] = {0};
  // RFC 3339: date 'T' time, fraction optional, then Z or +HH:MM / -HH:MM.
  int n = std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%15s", &y, &mo, &d, &h, &mi, &sec, tail);
  if (n >= 6) {
    std::string rest = n == 7 ? tail : "";
    std::int64_t frac_ms = 0;
    if (!rest.empty() && rest[0] == '.') {
      std::size_t i = 1;
      int scale = 100;
      while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') {
        frac_ms += scale * (rest[i] - '0');
        scale /= 10;
        ++i;
      }
      rest = rest.substr(i);
    }
    std::int64_t offset_s = 0;
    if (rest == "Z" || rest == "z") {
      offset_s = 0;
    } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
      int oh = std::atoi(rest.substr(1, 2).c_str());
      int om = std::atoi(rest.substr(4, 2).c_str());
      offset_s = (oh * 3600 + om * 60) * (rest[0] == '+' ? 1 : -1);
    } else {
      return std::nullopt;
    }
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    std::time_t t = timegm(&tm);
    return (static_cast<std::int64_t>(t) - offset_s) * 1000 + frac_ms;
  }
  // Local time "YYYY-MM-DD[ HH:MM[:SS]]".
  n = std::sscanf(s.c_str(), "%4d-%2d-%2d %2d:%2d:%2d", &y, &mo, &d, &h, &mi, &sec);
  if (n == 3 || n == 5 || n == 6) {
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = n >= 5 ? h : 0;
    tm.tm_min = n >= 5 ? mi : 0;
    tm.tm_sec = n == 6 ? sec : 0;
    tm.tm_isdst = -1;
    return static_cast<std::int64_t>(std::mktime(&tm)) * 1000;
  }
  return std::nullopt;
}

} // namespace eventmgr
