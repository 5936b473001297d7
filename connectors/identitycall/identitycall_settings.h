#pragma once
// The settings of one IdentityCall connector instance (`type: identitycall` under
// `connectors:`), read with a declarative schema.

#include <chrono>
#include <cstdint>
#include <string>

#include "config/schema.h"
#include "config/secret.h"
#include "framework/connector.h"
#include "framework/delivery_settings.h"

namespace opsync {

struct IdentityCallSettings : DeliverySettings {
  /// The Free plan allows 60 requests a minute; raise for Pro (300/minute: 5).
  IdentityCallSettings() : DeliverySettings{.concurrency = 2, .rate_per_second = 1.0} {}

  std::string base_url = "https://api.identitycall.ai/api/v1/public";
  /// `idc_` + 32 letters or digits, with read and write (and delete for delete_policy: delete).
  Secret api_key;
  /// Create the operator (POST /operators, needs name and phone_number) when no id is known and
  /// none has the email.
  bool create_missing = false;
  std::string delete_policy = "deactivate";  ///< deactivate | delete (hard, irreversible)
};

const Schema<IdentityCallSettings>& identitycall_settings_schema();

/// The DeletePolicy named by `settings.delete_policy`.
DeletePolicy identitycall_delete_policy(const IdentityCallSettings& settings);

/// `idc_` followed by 32 ASCII letters or digits.
bool is_identitycall_key(std::string_view key);

}  // namespace opsync
