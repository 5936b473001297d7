#pragma once
// The running daemon: owns every long-lived part and wires them on one io_context.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "ingest/ingest_batch.h"

namespace opsync {

class StateStore;

/// One connector's delivery totals since start (for the demo's progress line and tests).
struct ConnectorProgress {
  std::string name;
  std::string type;
  std::uint64_t pushes_ok = 0;
  std::uint64_t retries = 0;
  std::uint64_t rejected = 0;  ///< vendor refusals and unmappable records (dead-lettered)
  std::size_t backlog = 0;
};

/// Totals since start, for the progress line, metrics and tests.
struct DaemonStats {
  IngestCounts ingest;
  std::int64_t batches = 0;
  std::int64_t dead_letters_published = 0;
};

class Daemon {
 public:
  Daemon(boost::asio::io_context& io, Config config);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  /// Opens the store and starts consuming. Throws if a part cannot start (bad broker config...).
  void start();
  /// Stops consuming, finishes what is in flight up to the drain deadline, commits offsets and
  /// closes the store, then calls `done`. Safe to call more than once.
  void stop(std::function<void()> done);

  /// Applies a new, already validated configuration without a restart: connector settings,
  /// credentials, rate limits and mapping tables, logging level, drain timeout. Kafka, state
  /// directory and admin address changes are logged and need a restart. Calls `done` with an
  /// empty string on success, else the reason; after a failure the previous configuration and
  /// connector set run on unchanged (Delivery::replace).
  void reload(Config next, std::function<void(const std::string& error)> done);

  bool ready() const;
  std::vector<ConnectorProgress> connector_progress() const;
  /// The admin server's bound port (0 before start()).
  unsigned short admin_port() const;
  const DaemonStats& stats() const;
  StateStore& store();
  const Config& config() const;

  /// Called after every applied batch (for the demo's progress line and tests).
  void on_batch(std::function<void(const IngestResult&)> observer);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace opsync
