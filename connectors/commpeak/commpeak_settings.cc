#include "commpeak/commpeak_settings.h"

#include <algorithm>
#include <iterator>
#include <string_view>

namespace opsync {

DeliveryLimits CommPeakSettings::limits() const {
  DeliveryLimits out;
  out.concurrency = concurrency;
  out.rate_per_second = rate_per_second;
  out.burst = burst;
  return out;
}

MappingTables CommPeakSettings::tables(const std::string& instance) const {
  std::map<std::string, std::string> zones;
  for (const auto& [zone, id] : time_zones) zones.emplace(zone, std::to_string(id));
  return MappingTables::from_config(instance, {}, std::move(zones), languages);
}

namespace {

bool is_http_url(std::string_view url) {
  return url.starts_with("https://") || url.starts_with("http://");
}

bool is_commpeak_language(std::string_view code) {
  return std::find(std::begin(kCommPeakLanguages), std::end(kCommPeakLanguages), code) !=
         std::end(kCommPeakLanguages);
}

}  // namespace

const Schema<CommPeakSettings>& commpeak_settings_schema() {
  using enum Presence;
  using namespace std::chrono_literals;
  using S = CommPeakSettings;
  static const Schema<S> schema{
      {
          {"base_url", &S::base_url, required,
           "The tenant's API root, `https://{tenant}.td.commpeak.com`."},
          {"username", &S::username, required, "API user (HTTP Basic)."},
          {"password", &S::password, required, "API user's password; or `password_file`."},
          {"create_missing", &S::create_missing, optional,
           "Must be false: CommPeak has no create call."},
          {"time_zones", &S::time_zones, optional, "IANA time zone -> CommPeak timezone_id."},
          {"languages", &S::languages, optional,
           "Locale or language -> default_language (en_US, es_ES, pt_BR, ru_RU)."},
          {"concurrency", in_range(&S::concurrency, std::size_t{1}, std::size_t{64}), optional,
           "Operators with a request in flight at once."},
          {"rate_per_second", in_range(&S::rate_per_second, 0.01, 1000.0), optional,
           "Requests per second (token-bucket refill)."},
          {"burst", in_range(&S::burst, std::uint32_t{1}, std::uint32_t{10'000}), optional,
           "Token-bucket size."},
          {"connect_timeout", in_range(&S::connect_timeout, 100ms, 60'000ms), optional,
           "TCP + TLS connect deadline."},
          {"request_timeout", in_range(&S::request_timeout, 100ms, 300'000ms), optional,
           "Deadline of one request."},
      },
      {
          [](const S& s, const CheckReporter& report) {
            if (!is_http_url(s.base_url)) {
              report.error("base_url", "must start with https:// (or http:// for a simulator)");
            }
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
