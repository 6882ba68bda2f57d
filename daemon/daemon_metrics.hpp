// SPDX-License-Identifier: MIT
#pragma once

#include "common/metrics.hpp"

#include <array>

namespace eventmgr::daemon {

// Upper bounds of eventmgr_run_duration_seconds' buckets: handlers take from milliseconds (a
// script) to the longest time-out.
inline constexpr std::array<double, 16> k_run_duration_bounds = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600};

// The daemon's figures (docs/OBSERVABILITY.md), written to `metrics_file`. Counted on the event
// loop's thread where the work is already accounted for (a batch commit, a run's row written),
// so a record or a run costs a lookup and an atomic add, no lock and no system call. A new
// figure is one member here, then its add() or set() where it happens.
struct DaemonMetrics {
  metrics::Registry registry;

  metrics::CounterFamily& records_received =
      registry.counter_family("eventmgr_records_received_total",
                              "Records taken in (journaled, duplicate or rejected), by intake, counted once "
                              "their batch is committed.",
                              {"via"});
  metrics::CounterFamily& records_rejected = registry.counter_family(
      "eventmgr_records_rejected_total",
      "Records rejected, by the kind of rejection (docs/OBSERVABILITY.md).", {"reason"});
  metrics::CounterFamily& runs = registry.counter_family(
      "eventmgr_runs_total",
      "Handler runs finished, by event name, handler id and result (ok, exit, signal, timeout, not_started).",
      {"event", "handler", "result"});
  metrics::Histogram& run_duration =
      registry.histogram("eventmgr_run_duration_seconds",
                         "Wall-clock time of handler runs from start to end.", k_run_duration_bounds);
  metrics::Gauge& backlog_events =
      registry.gauge("eventmgr_backlog_events", "Events journaled and not finished (pending or running).");
  metrics::Gauge& backlog_oldest_seconds =
      registry.gauge("eventmgr_backlog_oldest_seconds",
                     "Age of the oldest unfinished event, in seconds; 0 when there is none.");
  metrics::Gauge& pickup_files =
      registry.gauge("eventmgr_pickup_files", "Files waiting in the pickup directory.");
};

} // namespace eventmgr::daemon
