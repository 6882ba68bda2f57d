// SPDX-License-Identifier: MIT
#include "daemon/daemon.hpp"

#include "common/clock.hpp"
#include "common/state_lock.hpp"
#include "common/text.hpp"
#include "common/trusted_files.hpp"
#include "daemon/daemon_metrics.hpp"
#include "daemon/dispatcher.hpp"
#include "daemon/fleet_service.hpp"
#include "daemon/last_error.hpp"
#include "daemon/logging.hpp"
#include "daemon/metrics_file.hpp"
#include "daemon/notify.hpp"
#include "daemon/panel_writer.hpp"
#include "daemon/pickup_intake.hpp"
#include "daemon/pipe_intake.hpp"
#include "daemon/recorder.hpp"
#include "daemon/startup.hpp"
#include "events/database.hpp"
#include "handlers/run_ledger.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iostream>
#include <optional>
#include <tuple>

namespace eventmgr::daemon {
namespace {

constexpr auto k_prune_interval = std::chrono::hours(1);
constexpr std::size_t k_ledger_slots = 256;

} // namespace

Daemon::Daemon(Config config, ConfigSources sources) : m_config(std::move(config)), m_sources(std::move(sources)) {}

int Daemon::run() {
  auto last_error = std::make_shared<LastErrorSink>();
  auto log = make_logger(m_config, last_error); // stderr until the log file is checked and open
  auto fail = [&](const std::string& message) {
    log->critical("{}", message);
    return 1;
  };

  // 1. Before anything is created or written: the owner and mode of every file and dir that
  // exists (refusals go to stderr only). Then the missing dirs, the log file and the lock.
  auto group = resolve_pipe_group(m_config);
  if (!group) {
    return fail(group.error().message);
  }
  if (auto checked = check_files(m_config, *group); !checked) {
    return fail(checked.error().message);
  }
  if (auto made = prepare_directories(m_config, *group); !made) {
    return fail(made.error().message);
  }
  if (auto logging = reconfigure_logger(*log, m_config); !logging) {
    return fail(logging.error().message);
  }
  auto lock = lock_state_dir(m_config, [&log](const std::string& message) { log->warn("{}", message); });
  if (!lock) {
    return fail(lock.error().message);
  }

  // 2. The catalog and the database (migrated forward). Intake commits on its own connection
  // with synchronous=FULL; dispatch bookkeeping uses a second one with NORMAL, whose commits
  // the next FULL commit makes durable too (one WAL).
  auto catalog_loaded = events::Catalog::load(m_config.catalog_dirs, m_config.catalogs);
  if (!catalog_loaded) {
    return fail("catalog problems:\n" + catalog_loaded.error().message);
  }
  std::shared_ptr<const events::Catalog> catalog =
    std::make_shared<const events::Catalog>(std::move(catalog_loaded.value()));
  // The journal holds every value submitted (passwords too) and all handler output: 0600,
  // whatever pipe_group is, also when an older version left it 0640 to the pipe group. The
  // panel reads the status file and receipts instead (events/panel_files.hpp).
  auto made_private = events::make_database_private(m_config.database);
  if (!made_private) {
    return fail(made_private.error().message);
  }
  for (const auto& line : *made_private) {
    log->warn("{} (the journal holds secrets; the pipe group reads {} and the receipts instead)", line,
              events::status_file_path(m_config.state_dir).string());
  }
  auto intake_db = events::open_database(m_config.database, events::OpenFor::daemon, 0600);
  if (!intake_db) {
    return fail(intake_db.error().message);
  }
  auto dispatch_db = events::open_database(m_config.database, events::OpenFor::daemon);
  if (!dispatch_db) {
    return fail(dispatch_db.error().message);
  }
  dispatch_db->exec("PRAGMA synchronous=NORMAL");
  events::Journal intake_journal(*intake_db);
  events::Journal dispatch_journal(*dispatch_db);
  handlers::HandlerStore handler_store(*dispatch_db);
  handlers::RunLog run_log(*dispatch_db);
  auto ledger = handlers::RunLedger::open(handlers::RunLedger::path_for(m_config.database), k_ledger_slots);
  if (!ledger) {
    return fail(ledger.error().message);
  }
  events::ReplayQueue replays(*dispatch_db);

  // 3. The pipe, and memory ballast when a benchmark asks for it.
  auto fifo = open_fifo(m_config, *group);
  if (!fifo) {
    return fail(fifo.error().message);
  }
  std::vector<char> ballast(m_config.debug_ballast_mib << 20, 1);

  // What the pipe group may read instead of the journal: the status file and the receipts.
  StatusFileWriter status_file(events::status_file_path(m_config.state_dir), *group);
  ReceiptWriter receipts(events::receipts_dir(m_config.state_dir), *group);
  if (auto prepared = receipts.prepare(); !prepared) {
    return fail(prepared.error().message);
  }

  boost::asio::io_context io(1);
  handlers::Launcher launcher(io.get_executor());
  if (launcher.contains_runs()) {
    log->info("handler processes: {}", launcher.containment());
  } else {
    log->warn("handler processes: {}", launcher.containment());
  }
  Recorder recorder(intake_journal, catalog, log);
  PipeIntake pipe_intake(io, std::move(fifo.value()), recorder, log);
  PickupIntake pickup_intake(io, m_config.pickup_dir, recorder, receipts, *group, log);
  Dispatcher dispatcher(DispatchContext{dispatch_journal, handler_store, run_log, *ledger, replays, *dispatch_db, launcher, io.get_executor(),
                                        catalog, m_config, log});
  // The fleet (config forward, intake.nats): threads of their own; what they store, on the loop.
  FleetService fleet(m_config, *dispatch_db, recorder, io.get_executor(), log);
  recorder.on_journaled([&dispatcher, &fleet] {
    dispatcher.wake();
    fleet.journaled();
  });
  // The figures for Prometheus, counted only when they are written somewhere.
  DaemonMetrics metrics;
  std::optional<MetricsFileWriter> metrics_file;
  if (!m_config.metrics_file.empty()) {
    metrics_file.emplace(m_config.metrics_file);
    recorder.count_into(metrics);
    dispatcher.count_into(metrics);
  }

  // 4. Signals: TERM/INT stop gracefully, HUP reloads config, catalog and log file.
  std::signal(SIGPIPE, SIG_IGN);
  boost::asio::signal_set stop_signals(io, SIGTERM, SIGINT);
  boost::asio::signal_set reload_signal(io, SIGHUP);
  boost::asio::steady_timer stop_timer(io);
  boost::asio::steady_timer prune_timer(io);
  boost::asio::steady_timer error_timer(io);
  boost::asio::steady_timer metrics_timer(io);
  bool stopping = false;
  // After the stop grace: SIGKILL to every running handler, again every 100 ms until the
  // dispatcher is idle (a lane may have been starting one just as a kill went out).
  std::function<void()> kill_until_idle = [&] {
    launcher.kill_all();
    stop_timer.expires_after(std::chrono::milliseconds(100));
    stop_timer.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) {
        kill_until_idle();
      }
    });
  };
  stop_signals.async_wait([&](const boost::system::error_code& ec, int signo) {
    if (ec) {
      return;
    }
    stopping = true;
    log->info("signal {}: stopping intake; running handlers get {}s", signo, m_config.stop_grace);
    pipe_intake.stop();
    pickup_intake.stop();
    fleet.stop_intake();
    reload_signal.cancel();
    prune_timer.cancel();
    error_timer.cancel();
    metrics_timer.cancel();
    dispatcher.stop([&] { io.stop(); });
    stop_timer.expires_after(std::chrono::seconds(m_config.stop_grace));
    stop_timer.async_wait([&](const boost::system::error_code& error) {
      if (error) {
        return;
      }
      log->warn("stop grace over: killing {} running handler(s)", launcher.running());
      kill_until_idle();
    });
  });
  std::function<void()> wait_reload = [&] {
    reload_signal.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) {
        return;
      }
      auto reloaded = load_config(m_sources);
      if (!reloaded) {
        log->error("reload: config not changed: {}", reloaded.error().message);
      } else {
        auto new_catalog = events::Catalog::load(reloaded->catalog_dirs, reloaded->catalogs);
        if (!new_catalog) {
          log->error("reload: catalog not changed:\n{}", new_catalog.error().message);
        } else {
          catalog = std::make_shared<const events::Catalog>(std::move(new_catalog.value()));
        }
        // Paths and the pipe stay as they were at start; the rest applies to the next run.
        reloaded->state_dir = m_config.state_dir;
        reloaded->database = m_config.database;
        reloaded->pipe = m_config.pipe;
        reloaded->pickup_dir = m_config.pickup_dir;
        reloaded->metrics_file = m_config.metrics_file;
        m_config = std::move(reloaded.value());
        if (auto relogged = reconfigure_logger(*log, m_config); !relogged) {
          log->error("reload: {}", relogged.error().message);
        }
        log->info("reloaded config and catalog ({} events)", catalog->events().size());
      }
      wait_reload();
    });
  };
  wait_reload();

  // 5. Retention, hourly (docs/RELIABILITY.md).
  std::function<void()> prune = [&] {
    try {
      auto pruned = dispatch_journal.prune(now_ms() - std::int64_t{m_config.retention_days} * 86'400'000);
      if (pruned.events + pruned.rejected > 0) {
        log->info("retention: pruned {} events, {} runs, {} rejected records", pruned.events, pruned.runs,
                  pruned.rejected);
      }
    } catch (const sqlite::Failure& failure) {
      log->error("retention: {}", failure.what());
    }
    prune_timer.expires_after(k_prune_interval);
    prune_timer.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) {
        prune();
      }
    });
  };

  // The status file: replaced only when a figure changed. Its figures are a one-row table,
  // the unfinished-events index, the pickup dir (empty but for a moment) and memory.
  const std::int64_t started_at = now_ms();
  std::string last_error_text;
  bool status_file_failing = false;
  auto publish_status = [&] {
    events::DaemonStatus status;
    status.pid = getpid();
    status.started_at = started_at;
    try {
      status.counters = intake_journal.counters();
      status.backlog = intake_journal.backlog();
    } catch (const sqlite::Failure&) {
      return; // the database is the trouble; the log has it
    }
    std::tie(status.pickup_files, status.pickup_oldest) = count_pickup_files(m_config.pickup_dir);
    metrics.backlog_events.set(static_cast<double>(status.backlog.count));
    metrics.backlog_oldest_seconds.set(
      status.backlog.oldest_received_at
        ? static_cast<double>(std::max<std::int64_t>(0, now_ms() - *status.backlog.oldest_received_at)) / 1000.0
        : 0.0);
    metrics.pickup_files.set(static_cast<double>(status.pickup_files));
    auto runs = dispatcher.runs_since(now_ms() - 3'600'000);
    status.runs_ok_last_hour = runs.ok;
    status.runs_failed_last_hour = runs.failed;
    status.last_error = escape_control(last_error_text);
    auto updated = status_file.update(status);
    if (!updated && !status_file_failing) {
      log->error("cannot update the status file: {}", updated.error().message);
    }
    status_file_failing = !updated;
  };

  // Once a second: the log file is flushed (lines below warn are buffered), the last error
  // goes to the database for `eventmgr status`, the status file is brought up to date, and
  // receipts older than ten minutes go.
  std::function<void()> publish_error = [&] {
    log->flush();
    std::string message;
    if (last_error->take_if_changed(message)) {
      last_error_text = message;
      try {
        intake_journal.set_daemon_state("last_error", message);
      } catch (const sqlite::Failure&) {
        // The database is the trouble; the log has the message.
      }
    }
    publish_status();
    receipts.expire(now_ms());
    error_timer.expires_after(std::chrono::seconds(1));
    error_timer.async_wait([&](const boost::system::error_code& ec) {
      if (!ec && !stopping) {
        publish_error();
      }
    });
  };

  // The metrics file, every metrics_interval seconds and once more at the stop. A failure is
  // logged when it starts, not every time.
  bool metrics_file_failing = false;
  auto write_metrics = [&] {
    auto written = metrics_file->write(metrics.registry.render());
    if (!written && !metrics_file_failing) {
      log->error("cannot write the metrics file: {}", written.error().message);
    } else if (written && metrics_file_failing) {
      log->info("metrics file {} written again", escape_control(metrics_file->path().string()));
    }
    metrics_file_failing = !written;
  };
  std::function<void()> publish_metrics = [&] {
    write_metrics();
    metrics_timer.expires_after(std::chrono::seconds(m_config.metrics_interval));
    metrics_timer.async_wait([&](const boost::system::error_code& ec) {
      if (!ec && !stopping) {
        publish_metrics();
      }
    });
  };

  // 6. Recover, take what waits, then tell systemd we are ready.
  try {
    intake_journal.set_daemon_state("pid", std::to_string(getpid()));
    intake_journal.set_daemon_state("started_at", std::to_string(started_at));
    intake_journal.clear_daemon_state("last_error");
    dispatcher.start();
    pickup_intake.start();
    pipe_intake.start();
    fleet.start();
  } catch (const std::exception& e) {
    return fail(std::string("cannot start: ") + e.what());
  }
  prune();
  publish_error();
  if (metrics_file) {
    publish_metrics();
  }
  notify_service_manager("READY=1");
  log->info("eventmgrd {} ready: pipe {}, pickup {}, database {}, {} events in the catalog, {} workers",
            EVENTMGR_VERSION, m_config.pipe.string(), m_config.pickup_dir.string(), m_config.database.string(),
            catalog->events().size(), m_config.workers);

  io.run();
  fleet.stop();
  if (launcher.running() > 0) {
    launcher.kill_all();
  }
  if (metrics_file) {
    write_metrics();
  }
  notify_service_manager("STOPPING=1");
  log->info("stopped{}", stopping ? "" : " (event loop ended)");
  return 0;
}

} // namespace eventmgr::daemon
