#include "identitycall/identitycall_settings.h"

#include <algorithm>
#include <cctype>

#include "framework/delivery_settings.h"

namespace opsync {

bool is_identitycall_key(std::string_view key) {
  return key.size() == 36 && key.starts_with("idc_") &&
         std::all_of(key.begin() + 4, key.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; });
}

const Schema<IdentityCallSettings>& identitycall_settings_schema() {
  using enum Presence;
  using S = IdentityCallSettings;
  static const Schema<IdentityCallSettings> schema{
      with_delivery_keys<S>(
          {
              {"base_url", &S::base_url, optional, "API root, /api/v1/public included."},
              {"api_key", &S::api_key, required,
               "IdentityCall API key `idc_...` (or api_key_file)."},
              {"create_missing", &S::create_missing, optional,
               "Create operators that have no IdentityCall id and no operator with their email."},
              {"delete_policy", one_of(&S::delete_policy, {"deactivate", "delete"}), optional,
               "On operator.deleted: `deactivate` sends active=false, `delete` removes the "
               "operator for good (needs a key with delete permission)."},
          },
          {.max_concurrency = 64,
           .max_rate_per_second = 100.0,
           .max_burst = 300,
           .rate_description = "Requests per second: 1 for the Free plan (60/minute), 5 for Pro "
                               "(300/minute)."}),
      {
          [](const IdentityCallSettings& s, const CheckReporter& report) {
            check_base_url(s.base_url, report);
            if (!s.api_key.empty() && !is_identitycall_key(s.api_key.reveal())) {
              report.error("api_key", "must be idc_ followed by 32 letters or digits");
            }
          },
      }};
  return schema;
}

DeletePolicy identitycall_delete_policy(const IdentityCallSettings& settings) {
  return settings.delete_policy == "delete" ? DeletePolicy::remove : DeletePolicy::deactivate;
}

}  // namespace opsync
