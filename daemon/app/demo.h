#pragma once

#include <cstddef>
#include <string>

namespace opsync {

struct DemoOptions {
  std::size_t operators = 200;
  std::size_t events = 3000;
  /// Events per second the sample HR system publishes.
  std::size_t rate = 1500;
  std::string state_directory;  ///< empty: a fresh temporary directory, removed afterwards
};

/// `opsyncd demo`: an in-process Kafka-protocol broker (librdkafka's mock cluster), a stream of
/// sample HR events, and the daemon consuming them, with a live progress line and a summary.
/// Returns the process exit code.
int run_demo(const DemoOptions& options);

}  // namespace opsync
