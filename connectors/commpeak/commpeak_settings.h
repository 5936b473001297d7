#pragma once
// The settings of one CommPeak connector instance (`type: commpeak`), read once at start-up.

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

/// The values CommPeak accepts for `default_language`.
inline constexpr const char* kCommPeakLanguages[] = {"en_US", "es_ES", "pt_BR", "ru_RU"};

struct CommPeakSettings : DeliverySettings {
  /// The tenant's API root, `https://{tenant}.td.commpeak.com`: there is no default.
  std::string base_url;
  /// HTTP Basic credentials of the CommPeak API user.
  std::string username;
  Secret password;
  /// CommPeak documents no create call: this must stay false (kept for a uniform schema).
  bool create_missing = false;
  /// IANA time zone -> CommPeak `timezone_id`.
  std::map<std::string, std::int64_t> time_zones;
  /// Locale ("pt-BR") or language ("pt") -> `default_language`. A locale with no entry whose
  /// `xx_YY` form is one of kCommPeakLanguages maps to that form.
  std::map<std::string, std::string> languages;
  /// The mapping tables of instance `instance` (time_zones and languages).
  MappingTables tables(const std::string& instance) const;
};

/// The schema of a `type: commpeak` entry under `connectors:`. Unknown keys are errors.
const Schema<CommPeakSettings>& commpeak_settings_schema();

}  // namespace opsync
