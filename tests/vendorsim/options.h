// Everything the simulators can be told at start: addresses, credentials, faults.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vendorsim/faults.h"
#include "vendorsim/vendor.h"

namespace opsync::vendorsim {

struct GliaOptions {
  std::string api_key_id = "opsync-glia-key-id";
  std::string api_key_secret = "opsync-glia-key-secret";
  /// Lifetime of tokens from POST /operator_authentication/tokens (Glia: about one hour).
  std::chrono::seconds token_lifetime{3600};
};

struct PlugChatOptions {
  std::string account_id = "opsync-account";
  std::string integrator_token = "opsync-plugchat-integrator-token";
};

/// One IdentityCall API key: `idc_` + 32 alphanumerics, with its permissions and optional project.
struct IdentityCallKey {
  std::string token;
  bool read = true;
  bool write = true;
  bool remove = true;  ///< "delete" permission
  std::optional<std::int64_t> project_id;
};

struct IdentityCallOptions {
  std::vector<IdentityCallKey> keys{
      {.token = "idc_opsyncsimfullaccess0000000000001"},
      {.token = "idc_opsyncsimreadonly000000000000001", .write = false, .remove = false},
  };
};

struct IAdvizeOptions {
  std::string api_key = "opsync-iadvize-rest-key";
};

struct CommPeakOptions {
  std::string username = "opsync";
  std::string password = "opsync-commpeak-password";
  /// Serve `GET /api/users` (unconfirmed in vendors.md). false: it answers `404`, as a tenant
  /// without the call would, so a connector's fallback to `GET /api/users/{id}` can be tested.
  bool list_users = true;
};

struct Options {
  std::string bind_address = "127.0.0.1";
  /// Port per vendor, indexed by Vendor; 0 picks a free port.
  std::array<std::uint16_t, kVendorCount> ports{};
  std::uint16_t control_port = 0;
  /// Seeds fault draws and generated ids/tokens (each vendor derives its own stream).
  std::uint64_t seed = 1;
  /// Fault switches at start, indexed by Vendor (POST /control/reset returns to these).
  std::array<FaultConfig, kVendorCount> faults{};
  bool reject_unknown_fields = true;
  std::size_t max_logged_requests = 10'000;  ///< per vendor; the oldest are dropped
  std::size_t body_limit = 1 << 20;          ///< larger bodies get 413
  std::chrono::seconds idle_timeout{60};     ///< keep-alive connections idle this long are closed
  Clock clock;                               ///< empty: std::chrono::steady_clock::now
  /// Keep a compact receipt (time in microseconds, status, method, target, body) of every
  /// request, unbounded, for benchmarks (GET /control/{vendor}/receipts).
  bool record_receipts = false;

  GliaOptions glia;
  PlugChatOptions plugchat;
  IdentityCallOptions identitycall;
  IAdvizeOptions iadvize;
  CommPeakOptions commpeak;
};

}  // namespace opsync::vendorsim
