#pragma once
// The settings of one IdentityCall connector instance (`type: identitycall` under
// `connectors:`), read with a declarative schema.

#include <chrono>
#include <cstdint>
#include <string>

#include "config/schema.h"
#include "config/secret.h"
#include "framework/connector.h"

namespace opsync {

struct IdentityCallSettings {
  std::string base_url = "https://api.identitycall.ai/api/v1/public";
  /// `idc_` + 32 letters or digits, with read and write (and delete for delete_policy: delete).
  Secret api_key;
  /// Create the operator (POST /operators, needs name and phone_number) when no id is known and
  /// none has the email.
  bool create_missing = false;
  std::string delete_policy = "deactivate";  ///< deactivate | delete (hard, irreversible)
  std::uint32_t concurrency = 2;
  /// The Free plan allows 60 requests a minute; raise for Pro (300/minute: 5).
  double rate_per_second = 1.0;
  std::uint32_t burst = 10;
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds request_timeout{15'000};
};

const Schema<IdentityCallSettings>& identitycall_settings_schema();

/// The DeletePolicy named by `settings.delete_policy`.
DeletePolicy identitycall_delete_policy(const IdentityCallSettings& settings);

/// `idc_` followed by 32 ASCII letters or digits.
bool is_identitycall_key(std::string_view key);

}  // namespace opsync
