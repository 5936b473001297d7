#pragma once
// A deterministic stream of realistic HR events (hires, changes, team moves, terminations, and a
// few broken ones), as the Kafka messages an HR system would publish. For the demo, tests and
// benchmarks.

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "events/operator_event.h"

namespace opsync {

struct SampleMessage {
  std::string key;
  std::string value;
  std::vector<MessageHeader> headers;
  bool valid = true;  ///< false for the deliberately broken ones
};

struct SampleOptions {
  std::size_t operators = 100;
  std::uint64_t seed = 42;
  /// Share of messages that are deliberately invalid (bad JSON, bad phone, unknown type...).
  double invalid_share = 0.0;
  /// Share of messages sent in CloudEvents binary mode.
  double binary_share = 0.1;
  std::string source = "hr/workday";
};

class SampleEventStream {
 public:
  explicit SampleEventStream(SampleOptions options);

  /// The next message. The first `operators` messages hire everyone; later ones change, move,
  /// terminate and re-hire operators at random.
  SampleMessage next();
  std::size_t produced() const { return produced_; }

 private:
  SampleMessage hire(std::size_t index);
  SampleMessage change(std::size_t index);
  SampleMessage terminate(std::size_t index);
  SampleMessage invalid();
  SampleMessage envelope(const std::string& type, std::size_t index, const std::string& mode,
                         const std::string& attributes_json);

  SampleOptions options_;
  std::mt19937_64 rng_;
  std::vector<std::int64_t> revisions_;
  std::vector<bool> active_;
  std::size_t produced_ = 0;
};

/// The canonical operator id of sample operator `index`.
std::string sample_operator_id(std::size_t index);

}  // namespace opsync
