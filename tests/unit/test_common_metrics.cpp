// SPDX-License-Identifier: MIT
#include "common/metrics.hpp"

#include <doctest/doctest.h>

#include <array>
#include <limits>
#include <string>

using namespace eventmgr::metrics;

TEST_SUITE_BEGIN("common::metrics");

TEST_CASE("a registry renders each metric with its HELP and TYPE, in the order registered") {
  Registry registry;
  Counter& started = registry.counter("demo_started_total", "Things started.");
  Gauge& queue = registry.gauge("demo_queue", "Things waiting.");
  started.add();
  started.add(2);
  queue.set(1.5);
  CHECK(registry.render() == "# HELP demo_started_total Things started.\n"
                             "# TYPE demo_started_total counter\n"
                             "demo_started_total 3\n"
                             "# HELP demo_queue Things waiting.\n"
                             "# TYPE demo_queue gauge\n"
                             "demo_queue 1.5\n");
}

TEST_CASE("a family has one counter per label values, rendered sorted, without copies on lookup") {
  Registry registry;
  CounterFamily& runs = registry.counter_family("demo_runs_total", "Runs.", {"event", "result"});
  runs.with({"b", "ok"}).add();
  runs.with({"a", "exit"}).add(4);
  Counter& again = runs.with({"b", "ok"});
  again.add();
  CHECK(&again == &runs.with({"b", "ok"}));
  CHECK(runs.children().size() == 2);
  CHECK(registry.render() == "# HELP demo_runs_total Runs.\n"
                             "# TYPE demo_runs_total counter\n"
                             "demo_runs_total{event=\"a\",result=\"exit\"} 4\n"
                             "demo_runs_total{event=\"b\",result=\"ok\"} 2\n");
}

TEST_CASE("a family with no counter yet renders its HELP and TYPE only") {
  Registry registry;
  registry.counter_family("demo_none_total", "None yet.", {"via"});
  CHECK(registry.render() == "# HELP demo_none_total None yet.\n# TYPE demo_none_total counter\n");
}

TEST_CASE("a histogram renders cumulative buckets, +Inf, sum and count") {
  Registry registry;
  const std::array<double, 3> bounds = {0.1, 1, 2.5};
  Histogram& took = registry.histogram("demo_seconds", "Time taken.", bounds);
  took.observe(0.05);
  took.observe(0.1); // on a bound: counted in its bucket (le)
  took.observe(2);
  took.observe(30);
  CHECK(registry.render() == "# HELP demo_seconds Time taken.\n"
                             "# TYPE demo_seconds histogram\n"
                             "demo_seconds_bucket{le=\"0.1\"} 2\n"
                             "demo_seconds_bucket{le=\"1\"} 2\n"
                             "demo_seconds_bucket{le=\"2.5\"} 3\n"
                             "demo_seconds_bucket{le=\"+Inf\"} 4\n"
                             "demo_seconds_sum 32.15\n"
                             "demo_seconds_count 4\n");
}

TEST_CASE("label values and HELP text are escaped the Prometheus way") {
  CHECK(escape_label_value("plain") == "plain");
  CHECK(escape_label_value("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
  CHECK(escape_label_value("caf\xc3\xa9") == "caf\xc3\xa9");
  CHECK(escape_label_value("bad\xff") == "bad\xef\xbf\xbd"); // invalid UTF-8 becomes U+FFFD
  CHECK(escape_help("one\\two\nthree \"q\"") == "one\\\\two\\nthree \"q\"");

  Registry registry;
  registry.counter_family("demo_total", "Line one\nline two.", {"name"}).with({"x\"}\ny"}).add();
  CHECK(registry.render() == "# HELP demo_total Line one\\nline two.\n"
                             "# TYPE demo_total counter\n"
                             "demo_total{name=\"x\\\"}\\ny\"} 1\n");
}

TEST_CASE("sample values are the shortest exact text, with +Inf, -Inf and NaN") {
  CHECK(format_value(0) == "0");
  CHECK(format_value(42) == "42");
  CHECK(format_value(0.1) == "0.1");
  CHECK(format_value(1e21) == "1e+21");
  CHECK(format_value(std::numeric_limits<double>::infinity()) == "+Inf");
  CHECK(format_value(-std::numeric_limits<double>::infinity()) == "-Inf");
  CHECK(format_value(std::numeric_limits<double>::quiet_NaN()) == "NaN");
}

TEST_SUITE_END();
