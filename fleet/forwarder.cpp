// SPDX-License-Identifier: MIT
#include "fleet/forwarder.hpp"

#include "common/sqlite.hpp"
#include "events/database.hpp"
#include "events/journal.hpp"
#include "fleet/nats_link.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <charconv>
#include <limits>
#include <vector>

namespace eventmgr::fleet {
namespace {

// One batch: at most this many events or bytes of records, then every PubAck is awaited. The
// batch is also what a kill -9 may publish twice (the stream's dedupe drops those).
constexpr int k_batch_events = 2000;
constexpr std::size_t k_batch_bytes = 4 << 20;
constexpr std::int64_t k_ack_wait_ms = 10'000;
constexpr auto k_idle_poll = std::chrono::milliseconds(100);
constexpr auto k_retry = std::chrono::seconds(1);
constexpr std::int64_t k_no_failure = std::numeric_limits<std::int64_t>::max();

// What the PubAcks of the batch in flight said; written by nats.c's thread.
struct PubAcks {
  std::mutex mutex;
  std::int64_t first_failed = k_no_failure; // the lowest seq whose publish failed
  std::string error;                        // that failure
  natsStatus failure_status = NATS_OK;
};

std::int64_t seq_of(natsMsg* msg) {
  const char* id = nullptr;
  if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) != NATS_OK || id == nullptr) {
    return 0;
  }
  std::string_view text(id);
  std::int64_t seq = 0;
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos ||
      std::from_chars(text.data() + colon + 1, text.data() + text.size(), seq).ec != std::errc()) {
    return 0;
  }
  return seq;
}

void on_pub_ack(jsCtx*, natsMsg* msg, jsPubAck*, jsPubAckErr* error, void* closure) {
  if (error != nullptr) {
    auto* batch = static_cast<PubAcks*>(closure);
    const std::int64_t seq = seq_of(msg);
    std::lock_guard lock(batch->mutex);
    if (seq > 0 && seq < batch->first_failed) {
      batch->first_failed = seq;
      batch->failure_status = error->Err;
      batch->error = error->ErrText != nullptr && *error->ErrText != '\0' ? error->ErrText
                                                                          : natsStatus_GetText(error->Err);
    }
  }
  natsMsg_Destroy(msg);
}

// The stream exists, or is created: file storage, the configured duplicate window. One that
// exists is never changed.
Result<void> ensure_stream(jsCtx* js, const ForwardConfig& config) {
  jsStreamInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus status = js_GetStreamInfo(&info, js, config.stream.c_str(), nullptr, &code);
  if (status == NATS_OK) {
    jsStreamInfo_Destroy(info);
    return {};
  }
  if (status != NATS_NOT_FOUND && code != JSStreamNotFoundErr) {
    return make_error("cannot look up stream " + config.stream + ": " + status_text(status));
  }
  const std::string subjects = config.subject_prefix + ".>";
  const char* subject_list[] = {subjects.c_str()};
  jsStreamConfig stream;
  jsStreamConfig_Init(&stream);
  stream.Name = config.stream.c_str();
  stream.Subjects = subject_list;
  stream.SubjectsLen = 1;
  stream.Storage = js_FileStorage;
  stream.Duplicates = std::int64_t{config.duplicate_window} * 1'000'000'000;
  status = js_AddStream(&info, js, &stream, nullptr, &code);
  if (status != NATS_OK) {
    return make_error("cannot create stream " + config.stream + " for " + subjects + ": " +
                      status_text(status));
  }
  jsStreamInfo_Destroy(info);
  return {};
}

struct Row {
  std::int64_t seq;
  std::string event;
  std::string payload;
};

} // namespace

Forwarder::Forwarder(ForwardConfig config, std::filesystem::path database, std::int64_t cursor,
                     boost::asio::any_io_executor loop, Hooks hooks)
    : m_config(std::move(config)), m_database(std::move(database)), m_loop(std::move(loop)),
      m_hooks(std::move(hooks)), m_acked(cursor) {}

Forwarder::~Forwarder() {
  stop();
}

std::string Forwarder::subject(const std::string& prefix, const std::string& host, const std::string& event) {
  std::string token = host;
  std::replace(token.begin(), token.end(), '.', '_');
  return prefix + "." + token + "." + event;
}

void Forwarder::start() {
  m_thread = std::thread([this] { run(); });
}

void Forwarder::wake() {
  {
    std::lock_guard lock(m_mutex);
    m_woken = true;
  }
  m_wake.notify_one();
}

void Forwarder::stop() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_wake.notify_one();
  if (m_thread.joinable()) {
    m_thread.join();
  }
}

void Forwarder::wait(std::chrono::milliseconds timeout) {
  std::unique_lock lock(m_mutex);
  m_wake.wait_for(lock, timeout, [this] { return m_woken || m_stopping; });
  m_woken = false;
}

void Forwarder::post_state(const std::string& state, const std::string& error) {
  if (state == m_state && (error.empty() || error == m_last_error)) {
    return;
  }
  m_state = state;
  if (!error.empty()) {
    m_last_error = error;
  }
  {
    std::lock_guard lock(m_mutex);
    if (m_stopping) {
      return;
    }
  }
  boost::asio::post(m_loop, [hook = m_hooks.state_changed, state, error] { hook(state, error); });
}

void Forwarder::run() {
  auto stopping = [this] {
    std::lock_guard lock(m_mutex);
    return m_stopping;
  };
  auto db = events::open_database(m_database, events::OpenFor::read_only);
  if (!db) {
    post_state("stopped", "cannot read the journal: " + db.error().message);
    return;
  }
  sqlite::Statement read = db->prepare("SELECT seq, event, payload FROM events WHERE seq > ?1 AND via <> ?2"
                                       " ORDER BY seq LIMIT ?3");
  auto connection = connect(m_config.nats, "eventmgr forwarder " + m_config.host);
  if (!connection) {
    post_state("stopped", connection.error().message);
    return;
  }
  PubAcks batch;
  jsOptions options;
  jsOptions_Init(&options);
  options.PublishAsync.MaxPending = k_batch_events * 2;
  options.PublishAsync.AckHandler = on_pub_ack;
  options.PublishAsync.AckHandlerClosure = &batch;
  auto js = jet_stream(connection->get(), &options);
  if (!js) {
    post_state("stopped", js.error().message);
    return;
  }

  bool stream_ready = false;
  std::vector<Row> rows;
  const std::string where = "NATS " + m_config.nats.url;
  while (!stopping()) {
    if (!connected(connection->get())) {
      post_state("disconnected", "not connected to " + where + " (retrying)");
      wait(k_idle_poll * 2);
      continue;
    }
    if (!stream_ready) {
      if (auto ensured = ensure_stream(js->get(), m_config); !ensured) {
        post_state("disconnected", ensured.error().message);
        wait(k_retry);
        continue;
      }
      stream_ready = true;
    }

    rows.clear();
    std::size_t bytes = 0;
    try {
      sqlite::ResetOnExit reset(read);
      read.bind(1, m_acked.load()).bind(2, events::k_via_nats).bind(3, k_batch_events);
      while (bytes < k_batch_bytes && read.step()) {
        rows.push_back({read.column_int(0), read.column_text(1), read.column_text(2)});
        bytes += rows.back().payload.size();
      }
    } catch (const sqlite::Failure& failure) {
      post_state(m_state.empty() ? "connected" : m_state,
                 std::string("cannot read the journal: ") + failure.what());
      wait(k_retry);
      continue;
    }
    post_state("connected", "");
    if (rows.empty()) {
      wait(k_idle_poll);
      continue;
    }

    {
      std::lock_guard lock(batch.mutex);
      batch.first_failed = k_no_failure;
      batch.error.clear();
      batch.failure_status = NATS_OK;
    }
    std::int64_t unsent = k_no_failure; // the first seq not handed to the library
    std::int64_t too_big = 0;           // an event the server can never take
    std::string error;
    for (const Row& row : rows) {
      const std::string subject = Forwarder::subject(m_config.subject_prefix, m_config.host, row.event);
      const std::string id = m_config.host + ":" + std::to_string(row.seq);
      jsPubOptions publish;
      jsPubOptions_Init(&publish);
      publish.MsgId = id.c_str();
      publish.MaxWait = k_ack_wait_ms;
      natsStatus status = js_PublishAsync(js->get(), subject.c_str(), row.payload.data(),
                                          static_cast<int>(row.payload.size()), &publish);
      if (status != NATS_OK) {
        unsent = row.seq;
        error =
            "cannot publish event " + std::to_string(row.seq) + " to " + subject + ": " + status_text(status);
        if (status == NATS_MAX_PAYLOAD) {
          too_big = row.seq;
        }
        break;
      }
    }
    jsPubOptions complete;
    jsPubOptions_Init(&complete);
    complete.MaxWait = k_ack_wait_ms;
    natsStatus status = js_PublishAsyncComplete(js->get(), &complete);
    std::int64_t first_missing = unsent;
    if (status != NATS_OK) {
      // What is still unacknowledged is given up and published again from the cursor.
      natsMsgList pending{};
      if (js_PublishAsyncGetPendingList(&pending, js->get()) == NATS_OK) {
        for (int i = 0; i < pending.Count; ++i) {
          const std::int64_t seq = seq_of(pending.Msgs[i]);
          if (seq > 0) {
            first_missing = std::min(first_missing, seq);
          }
        }
        natsMsgList_Destroy(&pending);
      }
      if (error.empty()) {
        error = "no PubAck from " + where + " within " + std::to_string(k_ack_wait_ms / 1000) +
                " s: " + status_text(status);
      }
    }
    {
      std::lock_guard lock(batch.mutex);
      if (batch.first_failed < first_missing) {
        first_missing = batch.first_failed;
        error = "stream " + m_config.stream + " refused event " + std::to_string(batch.first_failed) + ": " +
                batch.error;
        if (batch.failure_status == NATS_NO_RESPONDERS) {
          stream_ready = false; // the stream went away: look it up (or create it) again
        }
      }
    }
    // The cursor moves past the events acknowledged without a gap.
    std::int64_t cursor = m_acked.load();
    for (const Row& row : rows) {
      if (row.seq >= first_missing) {
        break;
      }
      cursor = row.seq;
    }
    if (too_big != 0 && first_missing == too_big) {
      // Larger than the server's max_payload: it can never be forwarded; it stays in the
      // journal, the error says which it is, and the others go on.
      cursor = too_big;
    }
    if (cursor > m_acked.load()) {
      m_acked.store(cursor);
      if (!stopping()) {
        boost::asio::post(m_loop, [hook = m_hooks.acked, cursor] { hook(cursor); });
      }
    }
    if (!error.empty()) {
      post_state(connected(connection->get()) ? "connected" : "disconnected", error);
      if (too_big == 0) {
        wait(k_idle_poll * 2);
      }
    }
  }
  // Whatever is in flight is abandoned: its events follow the stored cursor at the next start.
  natsMsgList pending{};
  if (js_PublishAsyncGetPendingList(&pending, js->get()) == NATS_OK) {
    natsMsgList_Destroy(&pending);
  }
}

} // namespace eventmgr::fleet
