// The state behind all simulated vendors: their records, fault switches, request logs and
// counters. Every member is thread-safe (one mutex), so tests may call it from any thread.
#pragma once

#include <array>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "vendorsim/faults.h"
#include "vendorsim/options.h"
#include "vendorsim/request_log.h"
#include "vendorsim/vendor.h"

namespace opsync::vendorsim {

class SimState {
 public:
  explicit SimState(const Options& options);

  /// Decides a fault (if any), answers through the vendor simulator, logs and counts.
  Reply handle(Vendor vendor, const HttpRequest& req);

  FaultConfig faults(Vendor vendor) const;
  void set_faults(Vendor vendor, const FaultConfig& config);
  json::array requests(Vendor vendor) const;
  void clear_requests(Vendor vendor);
  /// The receipts from number `from` on (see ReceiptLog::since); nullopt unless
  /// Options::record_receipts.
  std::optional<json::object> receipts(Vendor vendor, std::uint64_t from) const;
  void clear_receipts(Vendor vendor);
  json::array records(Vendor vendor) const;
  SeedResult seed_record(Vendor vendor, json::object record);
  SeedResult edit_record(Vendor vendor, std::string_view id, const json::object& changes);
  bool delete_record(Vendor vendor, std::string_view id);
  std::size_t revoke_tokens(Vendor vendor);
  /// {"<vendor>": {"total", "by_status": {"200": n}, "by_fault": {"429": n}}, ...}
  json::object stats() const;
  /// Back to the start: no records, tokens, logs or counts; start-up faults; fresh random streams.
  void reset();

 private:
  struct PerVendor {
    std::unique_ptr<VendorSim> sim;
    FaultInjector faults;
    RequestLog log;
    TrafficStats stats;
    ReceiptLog receipts;
  };
  PerVendor& at(Vendor v) { return vendors_[v.index]; }
  const PerVendor& at(Vendor v) const { return vendors_[v.index]; }
  PerVendor make_vendor(Vendor v) const;
  template <std::size_t... I>
  std::array<PerVendor, kVendorCount> make_vendors(std::index_sequence<I...>) const;
  std::array<PerVendor, kVendorCount> make_vendors() const;

  Options options_;
  SimContext context_;
  mutable std::mutex mutex_;
  std::array<PerVendor, kVendorCount> vendors_;
};

}  // namespace opsync::vendorsim
