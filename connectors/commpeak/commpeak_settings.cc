#include "commpeak/commpeak_settings.h"

#include <algorithm>
#include <iterator>
#include <string_view>

#include "framework/delivery_settings.h"

namespace opsync {

MappingTables CommPeakSettings::tables(const std::string& instance) const {
  std::map<std::string, std::string> zones;
  for (const auto& [zone, id] : time_zones) zones.emplace(zone, std::to_string(id));
  return MappingTables::from_config(instance, {}, std::move(zones), languages);
}

namespace {

bool is_commpeak_language(std::string_view code) {
  return std::find(std::begin(kCommPeakLanguages), std::end(kCommPeakLanguages), code) !=
         std::end(kCommPeakLanguages);
}

}  // namespace

const Schema<CommPeakSettings>& commpeak_settings_schema() {
  using enum Presence;
  using S = CommPeakSettings;
  static const Schema<S> schema{
      with_delivery_keys<S>({
          {"base_url", &S::base_url, required,
           "The tenant's API root, `https://{tenant}.td.commpeak.com`."},
          {"username", &S::username, required, "API user (HTTP Basic)."},
          {"password", &S::password, required, "API user's password; or `password_file`."},
          {"create_missing", &S::create_missing, optional,
           "Must be false: CommPeak has no create call."},
          {"time_zones", &S::time_zones, optional, "IANA time zone -> CommPeak timezone_id."},
          {"languages", &S::languages, optional,
           "Locale or language -> default_language (en_US, es_ES, pt_BR, ru_RU)."},
      }),
      {
          [](const S& s, const CheckReporter& report) {
            check_base_url(s.base_url, report);
            if (s.username.find(':') != std::string::npos) {
              report.error("username", "must not contain ':' (HTTP Basic)");
            }
            if (s.create_missing) {
              report.error("create_missing", "CommPeak has no create call: must be false");
            }
            for (const auto& [zone, id] : s.time_zones) {
              if (id < 1) {
                report.error("time_zones", "time zone '" + zone + "' must map to a positive id");
              }
            }
            for (const auto& [locale, code] : s.languages) {
              if (!is_commpeak_language(code)) {
                report.error("languages", "'" + locale + "' maps to '" + code +
                                              "': must be one of en_US, es_ES, pt_BR, ru_RU");
              }
            }
          },
      }};
  return schema;
}

}  // namespace opsync
