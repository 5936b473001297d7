#include "iadvize/iadvize_settings.h"

#include <string_view>

#include "iadvize/iadvize_mapping.h"

namespace opsync {

DeliveryLimits IAdvizeSettings::limits() const {
  DeliveryLimits out;
  out.concurrency = concurrency;
  out.rate_per_second = rate_per_second;
  out.burst = burst;
  return out;
}

DeletePolicy IAdvizeSettings::policy() const {
  return delete_policy == "delete" ? DeletePolicy::remove : DeletePolicy::deactivate;
}

MappingTables IAdvizeSettings::tables(const std::string& instance) const {
  return MappingTables::from_config(instance, teams, {}, languages);
}

namespace {

bool is_http_url(std::string_view url) {
  return url.starts_with("https://") || url.starts_with("http://");
}

}  // namespace

const Schema<IAdvizeSettings>& iadvize_settings_schema() {
  using enum Presence;
  using namespace std::chrono_literals;
  using S = IAdvizeSettings;
  static const Schema<S> schema{
      {
          {"base_url", &S::base_url, optional,
           "REST v2 root (`https://ha.iadvize.com/api/2` for the HA platform; a simulator's URL "
           "in tests)."},
          {"api_key", &S::api_key, required, "REST API key (`X-API-Key`); or `api_key_file`."},
          {"create_missing", &S::create_missing, optional,
           "Create (`POST /operator`) operators that have no id and are not found by e-mail."},
          {"delete_policy", one_of(&S::delete_policy, {"deactivate", "delete"}), optional,
           "`deactivate`: channels off and forced offline; `delete`: `DELETE /operator/{id}`."},
          {"teams", &S::teams, optional,
           "Canonical team name -> iAdvize `group_id` (positive integer). Empty: `group_id` is "
           "left alone."},
          {"languages", &S::languages, optional,
           "Locale or language -> `language_admin` (`de`, `en`, `es` or `fr`), for locales whose "
           "language is not one of those four."},
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
            for (const auto& [team, group] : s.teams) {
              if (!iadvize::parse_group_id(group)) {
                report.error("teams", "team '" + team + "' maps to '" + group +
                                          "', not an iAdvize group id (a positive integer)");
              }
            }
            for (const auto& [locale, language] : s.languages) {
              if (!iadvize::is_admin_language(language)) {
                report.error("languages", "locale '" + locale + "' maps to '" + language +
                                              "', not an iAdvize admin language (de, en, es, fr)");
              }
            }
          },
      }};
  return schema;
}

}  // namespace opsync
