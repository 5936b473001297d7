// What a simulated vendor received, with credentials redacted, and counts per status.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vendorsim/faults.h"
#include "vendorsim/http_util.h"

namespace opsync::vendorsim {

/// Header names whose values are never logged (Authorization, X-API-Key, cookies).
bool is_secret_header(std::string_view name);
/// The body with secret values (passwords, api_key_secret, tokens) replaced by "***"; JSON and
/// form-encoded bodies are understood, anything else is returned unchanged.
std::string redact_body(std::string_view body, std::string_view content_type);

/// Every request one vendor received, oldest first, bounded by `capacity` (oldest dropped).
class RequestLog {
 public:
  explicit RequestLog(std::size_t capacity) : capacity_(capacity) {}

  /// `status` is empty when no answer was sent (reset, hang).
  void add(const HttpRequest& req, std::chrono::system_clock::time_point received,
           std::optional<unsigned> status, FaultKind fault);
  /// Entries: {seq, time, method, target, headers, body, [json], status, fault}.
  json::array to_json() const;
  void clear();

 private:
  std::size_t capacity_;
  std::uint64_t next_seq_ = 1;
  std::uint64_t dropped_ = 0;
  std::deque<json::object> entries_;
};

/// A compact record of every request one vendor received, for benchmarks: arrival time in
/// microseconds (system clock), status, method, target and the (redacted) body, no headers and no
/// bound. Off unless Options::record_receipts (`--record-receipts`). Entries are numbered from 0
/// since the start (or reset); since(n) returns those from number n on, so a harness can read
/// them incrementally while the simulators serve.
class ReceiptLog {
 public:
  void add(const HttpRequest& req, std::chrono::system_clock::time_point received,
           std::optional<unsigned> status);
  /// {"from": n, "next": m, "receipts": [{"time_us", "status", "method", "target", "body"}...]}
  json::object since(std::uint64_t from) const;
  /// Forgets the entries so far; numbering goes on.
  void clear();

 private:
  struct Entry {
    std::int64_t time_us = 0;
    std::optional<unsigned> status;
    std::string method;
    std::string target;
    std::string body;
  };
  std::uint64_t base_ = 0;  ///< number of entries_.front()
  std::vector<Entry> entries_;
};

/// Request counts of one vendor by answered status and by injected fault.
class TrafficStats {
 public:
  void count(std::optional<unsigned> status, FaultKind fault);
  json::object to_json() const;
  void clear() { *this = TrafficStats{}; }

 private:
  std::uint64_t total_ = 0;
  std::map<unsigned, std::uint64_t> by_status_;
  std::map<std::string, std::uint64_t> by_fault_;
};

}  // namespace opsync::vendorsim
