#pragma once
// The settings of one Plug Chat connector instance (`type: plugchat`), read once at start-up.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "config/config.h"
#include "config/schema.h"
#include "config/secret.h"
#include "framework/connector.h"
#include "framework/delivery_settings.h"
#include "framework/mapping_tables.h"

namespace opsync {

struct PlugChatSettings : DeliverySettings {
  /// API root; the account path is appended (`/integrator/account/{account_id}/operators`).
  std::string base_url = "https://api.plugchat.com.br";
  /// The client account id returned when the account was created.
  std::string account_id;
  /// The integrator token issued by Plug Chat (`Authorization: Bearer ...`).
  Secret integrator_token;
  /// Create the operator (POST) when no Plug Chat id is known. The list has no e-mail, so there
  /// is no safe lookup: without this, an unmapped operator is a permanent error.
  bool create_missing = false;
  /// Canonical team name -> Plug Chat department id.
  std::map<std::string, std::string> teams;
  /// The mapping tables of instance `instance` (only `teams` is used by Plug Chat).
  MappingTables tables(const std::string& instance) const;
};

/// The schema of a `type: plugchat` entry under `connectors:`. Unknown keys are errors.
const Schema<PlugChatSettings>& plugchat_settings_schema();

}  // namespace opsync
