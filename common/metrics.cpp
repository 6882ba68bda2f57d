// SPDX-License-Identifier: MIT
#include "common/metrics.hpp"

#include "common/text.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace eventmgr::metrics {
namespace {

template <typename A, typename B> bool labels_less(const A& a, const B& b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                      [](std::string_view x, std::string_view y) { return x < y; });
}

void append_labels(std::string& out, const std::vector<std::string>& names,
                   const std::vector<std::string>& values, std::string_view extra_name = {},
                   std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) {
    return;
  }
  out += '{';
  for (std::size_t i = 0; i < names.size(); ++i) {
    out += names[i];
    out += "=\"";
    out += escape_label_value(values[i]);
    out += "\",";
  }
  if (!extra_name.empty()) {
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += "\",";
  }
  out.back() = '}';
}

} // namespace

Histogram::Histogram(std::span<const double> bounds)
    : m_bounds(bounds.begin(), bounds.end()),
      m_buckets(std::make_unique<std::atomic<std::uint64_t>[]>(bounds.size() + 1)) {}

void Histogram::observe(double value) {
  // A bucket counts what is at or below its bound ("le").
  auto bucket =
      static_cast<std::size_t>(std::lower_bound(m_bounds.begin(), m_bounds.end(), value) - m_bounds.begin());
  m_buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  m_sum.fetch_add(value, std::memory_order_relaxed);
  m_count.fetch_add(1, std::memory_order_relaxed);
}

bool LabelsLess::operator()(const std::vector<std::string>& a, const std::vector<std::string>& b) const {
  return labels_less(a, b);
}
bool LabelsLess::operator()(const std::vector<std::string>& a, std::span<const std::string_view> b) const {
  return labels_less(a, b);
}
bool LabelsLess::operator()(std::span<const std::string_view> a, const std::vector<std::string>& b) const {
  return labels_less(a, b);
}

Counter& CounterFamily::with(std::initializer_list<std::string_view> values) {
  return with(std::span<const std::string_view>(values.begin(), values.size()));
}

Counter& CounterFamily::with(std::span<const std::string_view> values) {
  auto found = m_children.find(values);
  if (found != m_children.end()) {
    return *found->second;
  }
  std::vector<std::string> key(values.begin(), values.end());
  key.resize(m_label_names.size());
  return *m_children.emplace(std::move(key), std::make_unique<Counter>()).first->second;
}

Counter& Registry::counter(std::string name, std::string help) {
  Counter& made = m_counters.emplace_back();
  m_entries.push_back({.name = std::move(name), .help = std::move(help), .counter = &made});
  return made;
}

CounterFamily& Registry::counter_family(std::string name, std::string help,
                                        std::vector<std::string> label_names) {
  CounterFamily& made = m_families.emplace_back(std::move(label_names));
  m_entries.push_back({.name = std::move(name), .help = std::move(help), .family = &made});
  return made;
}

Gauge& Registry::gauge(std::string name, std::string help) {
  Gauge& made = m_gauges.emplace_back();
  m_entries.push_back({.name = std::move(name), .help = std::move(help), .gauge = &made});
  return made;
}

Histogram& Registry::histogram(std::string name, std::string help, std::span<const double> bounds) {
  Histogram& made = m_histograms.emplace_back(bounds);
  m_entries.push_back({.name = std::move(name), .help = std::move(help), .histogram = &made});
  return made;
}

std::string Registry::render() const {
  std::string out;
  for (const Entry& entry : m_entries) {
    const char* type = entry.gauge != nullptr       ? "gauge"
                       : entry.histogram != nullptr ? "histogram"
                                                    : "counter";
    out += "# HELP " + entry.name + ' ' + escape_help(entry.help) + '\n';
    out += "# TYPE " + entry.name + ' ' + type + '\n';
    if (entry.counter != nullptr) {
      out += entry.name + ' ' + std::to_string(entry.counter->value()) + '\n';
    } else if (entry.gauge != nullptr) {
      out += entry.name + ' ' + format_value(entry.gauge->value()) + '\n';
    } else if (entry.family != nullptr) {
      for (const auto& [values, child] : entry.family->children()) {
        out += entry.name;
        append_labels(out, entry.family->label_names(), values);
        out += ' ' + std::to_string(child->value()) + '\n';
      }
    } else if (entry.histogram != nullptr) {
      const Histogram& histogram = *entry.histogram;
      // Read once: the buckets stay cumulative and _count matches +Inf while runs are observed.
      std::uint64_t cumulative = 0;
      const auto bounds = histogram.bounds();
      for (std::size_t i = 0; i <= bounds.size(); ++i) {
        cumulative += histogram.bucket(i);
        out += entry.name + "_bucket";
        append_labels(out, {}, {}, "le", i < bounds.size() ? format_value(bounds[i]) : "+Inf");
        out += ' ' + std::to_string(cumulative) + '\n';
      }
      out += entry.name + "_sum " + format_value(histogram.sum()) + '\n';
      out += entry.name + "_count " + std::to_string(cumulative) + '\n';
    }
  }
  return out;
}

std::string escape_label_value(std::string_view value) {
  const std::string valid = find_invalid_utf8(value) ? to_valid_utf8(value) : std::string(value);
  std::string out;
  out.reserve(valid.size());
  for (char c : valid) {
    switch (c) {
    case '\\':
      out += "\\\\";
      break;
    case '"':
      out += "\\\"";
      break;
    case '\n':
      out += "\\n";
      break;
    default:
      out += c;
    }
  }
  return out;
}

std::string escape_help(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_value(double value) {
  if (std::isnan(value)) {
    return "NaN";
  }
  if (std::isinf(value)) {
    return value > 0 ? "+Inf" : "-Inf";
  }
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, end);
}

} // namespace eventmgr::metrics
