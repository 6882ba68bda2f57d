// SPDX-License-Identifier: MIT
// Small shared pieces of the benchmark helpers: clocks, percentiles, one-line JSON output.
#pragma once

#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace bench {

// Wall-clock nanoseconds (CLOCK_REALTIME): comparable across processes and with `date +%s%N`.
inline std::int64_t wall_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// Monotonic nanoseconds, for durations inside one process.
inline std::int64_t mono_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// The `p`-quantile (0..1) of `values` by the nearest-rank method; sorts `values`.
inline double percentile(std::vector<double>& values, double p) {
  if (values.empty()) {
    return 0;
  }
  std::sort(values.begin(), values.end());
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size())));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

// Builds one flat JSON object of numbers and strings, printed on one line.
class JsonLine {
public:
  JsonLine& add(const std::string& key, double value) {
    char text[64];
    std::snprintf(text, sizeof text, "%.6g", value);
    return raw(key, text);
  }
  JsonLine& add(const std::string& key, std::int64_t value) { return raw(key, std::to_string(value)); }
  JsonLine& add(const std::string& key, const std::string& value) { return raw(key, "\"" + value + "\""); }
  void print() const { std::printf("{%s}\n", m_text.c_str()); }

private:
  JsonLine& raw(const std::string& key, const std::string& value) {
    m_text += (m_text.empty() ? "\"" : ",\"") + key + "\":" + value;
    return *this;
  }
  std::string m_text;
};

} // namespace bench
