#pragma once
// The settings of one Glia connector instance (`type: glia` under `connectors:`), read with a
// declarative schema: unknown keys, wrong types and missing credentials are start-up errors.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "config/schema.h"
#include "config/secret.h"
#include "framework/connector.h"
#include "framework/delivery_settings.h"

namespace opsync {

struct GliaSettings : DeliverySettings {
  GliaSettings() : DeliverySettings{.concurrency = 4, .rate_per_second = 10.0} {}

  std::string base_url = "https://api.glia.com";
  Secret api_key_id;
  Secret api_key_secret;
  /// Create the operator (POST /operators) when no id is known and none has the email.
  bool create_missing = false;
  std::string delete_policy = "deactivate";  ///< deactivate | delete
  /// Canonical team name -> "SITE_ID/TEAM_ID", or "TEAM_ID" assigned on `site_id`.
  std::map<std::string, std::string> teams;
  std::string site_id;
  /// none (not managed) | computer | phone | sip_phone | auto
  std::string audio_source = "none";
  /// Sent with the SIP extension (taken from the canonical `sip_uri`) when set.
  std::string sip_domain_id;
  /// How long a token from /operator_authentication/tokens is assumed to last.
  std::chrono::seconds token_lifetime{3600};
};

const Schema<GliaSettings>& glia_settings_schema();

/// The DeletePolicy named by `settings.delete_policy`.
DeletePolicy glia_delete_policy(const GliaSettings& settings);

}  // namespace opsync
