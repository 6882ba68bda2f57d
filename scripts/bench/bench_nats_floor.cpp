// SPDX-License-Identifier: MIT
// bench_nats_floor: the forwarding floor. A bare nats.c loop that publishes the records of
// `--records` (lines "seq<TAB>event<TAB>record", as the journal holds them) to a JetStream
// stream with async publish and the Msg-Ids a forwarder gives them (`<host>:<seq>`), waits for
// every PubAck, and prints records/s as JSON. It creates its stream (file storage) when missing.
#include "bench_common.hpp"

#include <CLI/CLI.hpp>
#include <nats/nats.h>

#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace {

[[noreturn]] void die(const std::string& what, natsStatus status) {
  std::cerr << "bench_nats_floor: " << what << ": " << natsStatus_GetText(status) << "\n";
  std::exit(1);
}

struct Record {
  std::string seq;
  std::string event;
  std::string body;
};

} // namespace

int main(int argc, char** argv) {
  std::string url;
  std::string stream = "FLOOR";
  std::string prefix = "floor";
  std::string host = "bench";
  std::string path;
  CLI::App app{"Publish journal records to JetStream with async publish and Msg-Ids; print records/s as JSON"};
  app.add_option("--url", url, "NATS server URL")->required();
  app.add_option("--records", path, "file of lines seq<TAB>event<TAB>record")->required();
  app.add_option("--stream", stream, "stream to publish to (created with subjects PREFIX.>)");
  app.add_option("--prefix", prefix, "subject prefix");
  app.add_option("--host", host, "host name in the subjects and Msg-Ids");
  CLI11_PARSE(app, argc, argv);

  std::vector<Record> records;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    const auto tab1 = line.find('\t');
    const auto tab2 = line.find('\t', tab1 + 1);
    if (tab1 == std::string::npos || tab2 == std::string::npos) {
      continue;
    }
    records.push_back({line.substr(0, tab1), line.substr(tab1 + 1, tab2 - tab1 - 1), line.substr(tab2 + 1)});
  }

  natsConnection* connection = nullptr;
  if (natsStatus s = natsConnection_ConnectTo(&connection, url.c_str()); s != NATS_OK) {
    die("connect " + url, s);
  }
  jsOptions options;
  jsOptions_Init(&options);
  options.PublishAsync.MaxPending = 4000;
  jsCtx* js = nullptr;
  if (natsStatus s = natsConnection_JetStream(&js, connection, &options); s != NATS_OK) {
    die("JetStream", s);
  }
  const std::string subjects = prefix + ".>";
  const char* subject_list[] = {subjects.c_str()};
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = stream.c_str();
  config.Subjects = subject_list;
  config.SubjectsLen = 1;
  config.Storage = js_FileStorage;
  config.Duplicates = std::int64_t{86400} * 1'000'000'000;
  jsStreamInfo* info = nullptr;
  if (natsStatus s = js_AddStream(&info, js, &config, nullptr, nullptr); s != NATS_OK) {
    die("create stream " + stream, s);
  }
  jsStreamInfo_Destroy(info);

  const std::int64_t start = bench::mono_ns();
  for (const Record& record : records) {
    const std::string subject = prefix + "." + host + "." + record.event;
    const std::string id = host + ":" + record.seq;
    jsPubOptions publish;
    jsPubOptions_Init(&publish);
    publish.MsgId = id.c_str();
    if (natsStatus s = js_PublishAsync(js, subject.c_str(), record.body.data(), static_cast<int>(record.body.size()),
                                       &publish);
        s != NATS_OK) {
      die("publish", s);
    }
  }
  jsPubOptions complete;
  jsPubOptions_Init(&complete);
  complete.MaxWait = 60'000;
  if (natsStatus s = js_PublishAsyncComplete(js, &complete); s != NATS_OK) {
    die("wait for the PubAcks", s);
  }
  const double seconds = static_cast<double>(bench::mono_ns() - start) / 1e9;
  jsCtx_Destroy(js);
  natsConnection_Destroy(connection);
  nats_Close();

  bench::JsonLine()
    .add("records", static_cast<std::int64_t>(records.size()))
    .add("seconds", seconds)
    .add("records_per_s", static_cast<double>(records.size()) / seconds)
    .print();
  return 0;
}
