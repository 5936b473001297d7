// The simulated vendors and the interface each simulator implements.
#pragma once

#include <array>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "vendorsim/http_util.h"

namespace opsync::vendorsim {

struct VendorEntry;  // vendors.h

// The rows of the vendor table, each defined beside its simulator (glia.cc: kGliaVendor).
extern const VendorEntry kGliaVendor;
extern const VendorEntry kPlugChatVendor;
extern const VendorEntry kIdentityCallVendor;
extern const VendorEntry kIAdvizeVendor;
extern const VendorEntry kCommPeakVendor;

/// The simulated vendors, in the order of the ports line: the one list that the simulators, the
/// tests' connector configurations, the benchmarks and the demo iterate (see vendors.h). A new
/// vendor is its simulator file, which defines its row, and one line here (plus its `extern`).
inline constexpr const VendorEntry* kVendorTable[] = {
    &kGliaVendor, &kPlugChatVendor, &kIdentityCallVendor, &kIAdvizeVendor, &kCommPeakVendor,
};
inline constexpr std::size_t kVendorCount = std::size(kVendorTable);

/// A simulated vendor: its row in kVendorTable. Code that means "every vendor" iterates
/// kAllVendors; tests name the vendors they script by the constants below (a vendor without one
/// is `*vendor_from_name("type")`).
struct Vendor {
  std::uint8_t index = 0;

  const VendorEntry& entry() const { return *kVendorTable[index]; }
  friend constexpr bool operator==(Vendor, Vendor) = default;

  static const Vendor glia;
  static const Vendor plugchat;
  static const Vendor identitycall;
  static const Vendor iadvize;
  static const Vendor commpeak;
};

namespace detail {
template <std::size_t... I>
constexpr std::array<Vendor, kVendorCount> all_vendors(std::index_sequence<I...>) {
  return {Vendor{static_cast<std::uint8_t>(I)}...};
}
}  // namespace detail

// The index of each named vendor's row in kVendorTable (vendorsim_test checks them).
inline constexpr Vendor Vendor::glia{0};
inline constexpr Vendor Vendor::plugchat{1};
inline constexpr Vendor Vendor::identitycall{2};
inline constexpr Vendor Vendor::iadvize{3};
inline constexpr Vendor Vendor::commpeak{4};

inline constexpr std::array<Vendor, kVendorCount> kAllVendors =
    detail::all_vendors(std::make_index_sequence<kVendorCount>{});

/// The lowercase name used on the command line, in the ports line and in control paths.
std::string_view vendor_name(Vendor vendor);
/// The vendor with that name, or std::nullopt.
std::optional<Vendor> vendor_from_name(std::string_view name);

/// A monotonic clock; injected so tests can expire tokens and refill rate limits without sleeping.
using Clock = std::function<std::chrono::steady_clock::time_point()>;

/// What every vendor simulator gets from the shared core.
struct SimContext {
  Clock now;
  std::uint64_t seed = 1;
  /// Reject request fields the vendor's documents do not list (a simulator choice: it catches
  /// connector mapping mistakes early).
  bool reject_unknown_fields = true;
};

/// Outcome of seeding a record over the control API: the stored record, or why it was refused.
struct SeedResult {
  json::object record;
  std::string error;
  bool ok() const { return error.empty(); }
};

/// One vendor's API. Calls are serialised by the caller (SimState holds a mutex), so an
/// implementation needs no locking of its own. No member throws on bad client input.
class VendorSim {
 public:
  virtual ~VendorSim() = default;

  /// Answers one request to the vendor's API (routing, auth, validation, state change).
  virtual HttpResponse handle(const HttpRequest& req) = 0;
  /// A response in the vendor's error shape; used for injected faults and rate limiting.
  virtual HttpResponse error(const HttpRequest& req, http::status status,
                             std::string_view message) const = 0;
  /// Every current operator record, in the vendor's own field names (secrets shown as "***").
  virtual json::array records() const = 0;
  /// Stores one record as if it had existed before opsync started (no API validation).
  virtual SeedResult seed(json::object record) = 0;
  /// Changes record `id` as if someone edited it in the vendor's own UI, behind opsync's back (no
  /// API validation, the id is kept): the changed record, or why not (no such record).
  virtual SeedResult edit(std::string_view id, const json::object& changes) = 0;
  /// Removes record `id` as if it was deleted in the vendor's own UI; false when there is none.
  virtual bool erase(std::string_view id) = 0;
  /// Invalidates issued session tokens; returns how many there were (0 for static keys).
  virtual std::size_t revoke_tokens() { return 0; }
  /// Forgets every record and issued token.
  virtual void reset() = 0;
};

}  // namespace opsync::vendorsim
