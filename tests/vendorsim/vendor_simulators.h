// The vendor simulators (vendor.h: kVendorTable) and their control port, embedded on a caller's
// io_context.
#pragma once

#include <array>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "vendorsim/faults.h"
#include "vendorsim/options.h"
#include "vendorsim/vendor.h"

namespace boost::asio {
class io_context;
}

namespace opsync::vendorsim {

class HttpListener;
class SimState;

/// Serves every simulated vendor (Glia, Plug Chat, IdentityCall, iAdvize, CommPeak) on one
/// loopback port each, plus a control port, on the caller's io_context (run it on one thread). The
/// ports are bound by the constructor, which throws boost::system::system_error when one cannot be
/// bound. Every member function is thread-safe. Destroying the object stops it (see stop()).
class VendorSimulators {
 public:
  VendorSimulators(boost::asio::io_context& io_context, Options options);
  ~VendorSimulators();
  VendorSimulators(const VendorSimulators&) = delete;
  VendorSimulators& operator=(const VendorSimulators&) = delete;

  std::uint16_t port(Vendor vendor) const;
  std::uint16_t control_port() const { return control_port_; }
  /// "http://127.0.0.1:<port>" for a vendor.
  std::string base_url(Vendor vendor) const;
  /// {"<vendor>":port, ... (in table order), "control":port}
  json::object ports() const;

  /// Closes every port and connection (hung requests included); work on the io_context then
  /// drains, so io_context::run returns once nothing else is pending.
  void stop();

  // The control API, in process (same semantics as the HTTP control port).
  FaultConfig faults(Vendor vendor) const;
  void set_faults(Vendor vendor, const FaultConfig& config);
  json::array requests(Vendor vendor) const;
  void clear_requests(Vendor vendor);
  /// Compact receipts from number `from` on, when Options::record_receipts (else nullopt).
  std::optional<json::object> receipts(Vendor vendor, std::uint64_t from = 0) const;
  json::array records(Vendor vendor) const;
  /// Records sharing the vendor's natural key (find_duplicates, duplicates.h): `[]` when none.
  json::array duplicates(Vendor vendor) const;
  /// Stores a record as if it existed before opsync; returns the stored record or the reason.
  SeedResult seed_record(Vendor vendor, json::object record);
  /// Changes a record as if edited in the vendor's own UI (no API validation); the changed
  /// record or the reason (no such id).
  SeedResult edit_record(Vendor vendor, std::string_view id, const json::object& changes);
  /// Deletes a record as if deleted in the vendor's own UI; false when there is none.
  bool delete_record(Vendor vendor, std::string_view id);
  std::size_t revoke_tokens(Vendor vendor);
  json::object stats() const;
  void reset();

 private:
  std::string bind_address_;
  std::shared_ptr<SimState> state_;
  std::array<std::shared_ptr<HttpListener>, kVendorCount> listeners_;
  std::shared_ptr<HttpListener> control_;
  std::uint16_t control_port_ = 0;
};

}  // namespace opsync::vendorsim
