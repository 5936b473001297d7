#include "iadvize/iadvize_settings.h"

#include <string_view>

#include "framework/delivery_settings.h"
#include "iadvize/iadvize_mapping.h"

namespace opsync {

DeletePolicy IAdvizeSettings::policy() const {
  return delete_policy == "delete" ? DeletePolicy::remove : DeletePolicy::deactivate;
}

MappingTables IAdvizeSettings::tables(const std::string& instance) const {
  return MappingTables::from_config(instance, teams, {}, languages);
}

const Schema<IAdvizeSettings>& iadvize_settings_schema() {
  using enum Presence;
  using S = IAdvizeSettings;
  static const Schema<S> schema{
      with_delivery_keys<S>({
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
      }),
      {
          [](const S& s, const CheckReporter& report) {
            check_base_url(s.base_url, report);
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
