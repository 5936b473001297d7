#pragma once
// The read side of a connector (list_operators, read_operator, in_step) driven the way a
// reconcile pass drives it, for the connector tests against the simulators.

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "framework/connector.h"

namespace opsync::test {

/// Runs one read call of `connector` on `io` to the end (at most 20 s).
template <class Call>
ReadResult run_read_call(boost::asio::io_context& io, Call call) {
  std::optional<ReadResult> result;
  std::exception_ptr error;
  io.restart();
  boost::asio::co_spawn(io, call(), [&](std::exception_ptr e, ReadResult r) {
    error = e;
    result = std::move(r);
  });
  io.run_for(std::chrono::seconds(20));
  if (error) std::rethrow_exception(error);
  EXPECT_TRUE(result.has_value()) << "read did not finish";
  return result.value_or(ReadResult{});
}

inline ReadResult list_page(boost::asio::io_context& io, Connector& connector,
                            std::optional<std::string> page = std::nullopt) {
  return run_read_call(io, [&] { return connector.list_operators(page); });
}

inline ReadResult read_one(boost::asio::io_context& io, Connector& connector,
                           const std::string& vendor_id) {
  return run_read_call(io, [&] { return connector.read_operator(vendor_id); });
}

/// Every page of the list, following next_page; `pages` counts them.
inline std::vector<VendorRecord> list_all(boost::asio::io_context& io, Connector& connector,
                                          int* pages = nullptr) {
  std::vector<VendorRecord> out;
  std::optional<std::string> page;
  int n = 0;
  do {
    ReadResult r = list_page(io, connector, page);
    EXPECT_EQ(r.status, ReadResult::Status::ok) << r.failure.message;
    if (r.status != ReadResult::Status::ok) break;
    for (auto& record : r.records) out.push_back(std::move(record));
    page = r.next_page;
    ++n;
  } while (page && n < 1000);
  if (pages != nullptr) *pages = n;
  return out;
}

/// The record with `vendor_id` in `records`, or nullptr.
inline const VendorRecord* find_record(const std::vector<VendorRecord>& records,
                                       const std::string& vendor_id) {
  for (const auto& r : records) {
    if (r.vendor_id == vendor_id) return &r;
  }
  return nullptr;
}

/// The fields of `desired` (map()'s output) that `record` holds out of step. Fields listed in
/// `not_returned` must be absent from the record (the vendor does not return them); every other
/// desired field must be present.
inline std::vector<std::string> drifted_fields(const Connector& connector,
                                               const boost::json::object& desired,
                                               const VendorRecord& record,
                                               const std::vector<std::string>& not_returned = {}) {
  std::vector<std::string> out;
  for (const auto& [key, value] : desired) {
    const bool write_only =
        std::find(not_returned.begin(), not_returned.end(), std::string(key)) != not_returned.end();
    const boost::json::value* held = record.fields.if_contains(key);
    if (write_only) {
      EXPECT_EQ(held, nullptr) << key << " should not be read back";
      continue;
    }
    if (held == nullptr) {
      ADD_FAILURE() << "field " << key << " not read back from the vendor";
      out.emplace_back(key);
    } else if (!connector.in_step(key, *held, value)) {
      out.emplace_back(key);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline std::string describe(const VendorRecord& record) {
  return record.vendor_id + " " + boost::json::serialize(record.fields);
}

}  // namespace opsync::test
