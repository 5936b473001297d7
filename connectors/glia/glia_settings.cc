#include "glia/glia_settings.h"

#include <vector>

#include "framework/delivery_settings.h"

namespace opsync {

const Schema<GliaSettings>& glia_settings_schema() {
  using enum Presence;
  using std::chrono::seconds;
  using S = GliaSettings;
  static const Schema<GliaSettings> schema{
      with_delivery_keys<S>(
          {
              {"base_url", &S::base_url, optional,
               "API root (older documents: https://api.salemove.com; simulators and test hosts)."},
              {"api_key_id", &S::api_key_id, required, "Glia API key id (or api_key_id_file)."},
              {"api_key_secret", &S::api_key_secret, required,
               "Glia API key secret (or api_key_secret_file)."},
              {"create_missing", &S::create_missing, optional,
               "Create operators that have no Glia id and no Glia operator with their email."},
              {"delete_policy", one_of(&S::delete_policy, {"deactivate", "delete"}), optional,
               "On operator.deleted: `deactivate` sends enabled=false, `delete` calls DELETE "
               "/operators/{id} (which Glia documents as disabling)."},
              {"teams", &S::teams, optional,
               "Canonical team name -> `SITE_ID/TEAM_ID` (or `TEAM_ID` on `site_id`); builds "
               "`assignments`."},
              {"site_id", &S::site_id, optional, "Site of team entries written without a site."},
              {"audio_source",
               one_of(&S::audio_source, {"none", "computer", "phone", "sip_phone", "auto"}),
               optional,
               "`none` leaves audio_source alone; `auto` picks sip_phone (sip_uri and "
               "sip_domain_id), else phone (phone), else computer."},
              {"sip_domain_id", &S::sip_domain_id, optional,
               "Glia SIP domain id; with it, `sip_extension` is the user part of `sip_uri`."},
              {"token_lifetime", in_range(&S::token_lifetime, seconds(10), seconds(86'400)),
               optional,
               "Assumed token lifetime; a fresh token is fetched shortly before it ends."},
          },
          {.max_concurrency = 256}),
      {
          [](const GliaSettings& s, const CheckReporter& report) {
            check_base_url(s.base_url, report);
            for (const auto& [team, value] : s.teams) {
              const auto slash = value.find('/');
              if (value.empty() || slash == 0 || slash + 1 == value.size() ||
                  (slash != std::string::npos && value.find('/', slash + 1) != std::string::npos)) {
                report.error("teams", "team '" + team + "': expected TEAM_ID or SITE_ID/TEAM_ID");
              } else if (slash == std::string::npos && s.site_id.empty()) {
                report.error("teams", "team '" + team + "' has no site: set site_id or write " +
                                          "SITE_ID/TEAM_ID");
              }
            }
            if (s.audio_source == "sip_phone" && s.sip_domain_id.empty()) {
              report.error("sip_domain_id", "audio_source sip_phone needs sip_domain_id");
            }
          },
      }};
  return schema;
}

DeletePolicy glia_delete_policy(const GliaSettings& settings) {
  return settings.delete_policy == "delete" ? DeletePolicy::remove : DeletePolicy::deactivate;
}

}  // namespace opsync
