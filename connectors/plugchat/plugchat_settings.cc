#include "plugchat/plugchat_settings.h"

#include <string_view>

#include "framework/delivery_settings.h"

namespace opsync {

MappingTables PlugChatSettings::tables(const std::string& instance) const {
  return MappingTables::from_config(instance, teams, {}, {});
}

const Schema<PlugChatSettings>& plugchat_settings_schema() {
  using enum Presence;
  using S = PlugChatSettings;
  static const Schema<S> schema{
      with_delivery_keys<S>({
          {"base_url", &S::base_url, optional,
           "API root (override for a simulator or a test host). The seed's older "
           "`https://www.plugchat.com.br/api` also works."},
          {"account_id", &S::account_id, required, "The Plug Chat client account id."},
          {"integrator_token", &S::integrator_token, required,
           "Integrator token (`Authorization: Bearer`); or `integrator_token_file`."},
          {"create_missing", &S::create_missing, optional,
           "Create operators that have no Plug Chat id (`external_ids.<instance>`)."},
          {"teams", &S::teams, optional, "Canonical team name -> Plug Chat department id."},
      }),
      {
          [](const S& s, const CheckReporter& report) {
            check_base_url(s.base_url, report);
            for (const auto& [team, department] : s.teams) {
              if (department.empty()) {
                report.error("teams", "team '" + team + "' maps to an empty department id");
              }
            }
          },
      }};
  return schema;
}

}  // namespace opsync
