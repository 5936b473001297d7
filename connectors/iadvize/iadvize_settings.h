#pragma once
// The settings of one iAdvize connector instance (`type: iadvize`), read once at start-up.

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

struct IAdvizeSettings : DeliverySettings {
  /// REST v2 root: `https://sd.iadvize.com/api/2` or `https://ha.iadvize.com/api/2`; override it
  /// for a simulator. Calls are appended (`/operator/{id}`).
  std::string base_url = "https://sd.iadvize.com/api/2";
  /// The REST API key, sent as `X-API-Key`.
  Secret api_key;
  /// Create (`POST /operator`) an operator that neither has an id nor is found by e-mail.
  bool create_missing = false;
  /// `deactivate` (switch every channel off and force the operator offline) or `delete`
  /// (`DELETE /operator/{id}`).
  std::string delete_policy = "deactivate";
  /// Canonical team name -> iAdvize group id (a positive integer). Empty: group_id unmanaged.
  std::map<std::string, std::string> teams;
  /// Locale (`fr-BE`) or language (`it`) -> admin language (`de`, `en`, `es` or `fr`).
  std::map<std::string, std::string> languages;
  DeletePolicy policy() const;
  /// The mapping tables of instance `instance` (`teams` and `languages`).
  MappingTables tables(const std::string& instance) const;
};

/// The schema of a `type: iadvize` entry under `connectors:`. Unknown keys are errors.
const Schema<IAdvizeSettings>& iadvize_settings_schema();

}  // namespace opsync
