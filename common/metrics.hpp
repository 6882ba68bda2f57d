// SPDX-License-Identifier: MIT
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <initializer_list>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// Figures in the Prometheus text exposition format (version 0.0.4), for node_exporter's
// textfile collector and for a /metrics page. The values are relaxed atomics, so any thread may
// add to a counter it holds; the structure (registering a family, creating a labelled child with
// `with`, rendering) belongs to one thread, the event loop's, so a run costs no lock.
namespace eventmgr::metrics {

// A value that only goes up.
class Counter {
public:
  void add(std::uint64_t n = 1) { m_value.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return m_value.load(std::memory_order_relaxed); }

private:
  std::atomic<std::uint64_t> m_value{0};
};

// A value that is set.
class Gauge {
public:
  void set(double value) { m_value.store(value, std::memory_order_relaxed); }
  double value() const { return m_value.load(std::memory_order_relaxed); }

private:
  std::atomic<double> m_value{0};
};

// Observations counted into buckets by upper bound (each bucket counts the observations at or
// below its bound and above the previous one; rendering makes them cumulative).
class Histogram {
public:
  // `bounds` in increasing order; +Inf is added.
  explicit Histogram(std::span<const double> bounds);
  void observe(double value);
  std::span<const double> bounds() const { return m_bounds; }
  // Observations in bucket `i` alone (i == bounds().size(): above the last bound).
  std::uint64_t bucket(std::size_t i) const { return m_buckets[i].load(std::memory_order_relaxed); }
  std::uint64_t count() const { return m_count.load(std::memory_order_relaxed); }
  double sum() const { return m_sum.load(std::memory_order_relaxed); }

private:
  std::vector<double> m_bounds;
  std::unique_ptr<std::atomic<std::uint64_t>[]> m_buckets;
  std::atomic<std::uint64_t> m_count{0};
  std::atomic<double> m_sum{0};
};

// Label values, as the family's label names list them, compared without copying.
struct LabelsLess {
  using is_transparent = void;
  bool operator()(const std::vector<std::string>& a, const std::vector<std::string>& b) const;
  bool operator()(const std::vector<std::string>& a, std::span<const std::string_view> b) const;
  bool operator()(std::span<const std::string_view> a, const std::vector<std::string>& b) const;
};

// One counter per combination of label values, created at first use.
class CounterFamily {
public:
  explicit CounterFamily(std::vector<std::string> label_names) : m_label_names(std::move(label_names)) {}
  // The counter for `values` (one per label name, in order). A lookup when it exists, no
  // allocation; values are any bytes (rendering escapes them).
  Counter& with(std::initializer_list<std::string_view> values);
  Counter& with(std::span<const std::string_view> values);
  const std::vector<std::string>& label_names() const { return m_label_names; }
  const std::map<std::vector<std::string>, std::unique_ptr<Counter>, LabelsLess>& children() const {
    return m_children;
  }

private:
  std::vector<std::string> m_label_names;
  std::map<std::vector<std::string>, std::unique_ptr<Counter>, LabelsLess> m_children;
};

// The figures of one process, rendered in the order they were registered.
class Registry {
public:
  // Each registers a metric named `name` (unique; [a-zA-Z_:][a-zA-Z0-9_:]*, counters ending in
  // _total) with its HELP text, and returns it; it lives as long as the registry.
  Counter& counter(std::string name, std::string help);
  CounterFamily& counter_family(std::string name, std::string help, std::vector<std::string> label_names);
  Gauge& gauge(std::string name, std::string help);
  Histogram& histogram(std::string name, std::string help, std::span<const double> bounds);

  // Every metric in the text exposition format, ending with a newline.
  std::string render() const;

private:
  struct Entry {
    std::string name;
    std::string help;
    const Counter* counter = nullptr;
    const CounterFamily* family = nullptr;
    const Gauge* gauge = nullptr;
    const Histogram* histogram = nullptr;
  };
  std::vector<Entry> m_entries;
  std::deque<Counter> m_counters;
  std::deque<CounterFamily> m_families;
  std::deque<Gauge> m_gauges;
  std::deque<Histogram> m_histograms;
};

// `value` as a label value inside double quotes: backslash, double quote and newline escaped
// (\\, \", \n), invalid UTF-8 replaced by U+FFFD.
std::string escape_label_value(std::string_view value);
// `text` as a HELP line's text: backslash and newline escaped.
std::string escape_help(std::string_view text);
// `value` as a sample value: the shortest text that reads back as it, +Inf, -Inf or NaN.
std::string format_value(double value);

} // namespace eventmgr::metrics
