#include "identitycall/identitycall_settings.h"

#include <algorithm>
#include <cctype>

namespace opsync {

bool is_identitycall_key(std::string_view key) {
  return key.size() == 36 && key.starts_with("idc_") &&
         std::all_of(key.begin() + 4, key.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; });
}

const Schema<IdentityCallSettings>& identitycall_settings_schema() {
  using enum Presence;
  using std::chrono::milliseconds;
  using S = IdentityCallSettings;
  static const Schema<IdentityCallSettings> schema{
      {
          {"base_url", &S::base_url, optional, "API root, /api/v1/public included."},
          {"api_key", &S::api_key, required, "IdentityCall API key `idc_...` (or api_key_file)."},
          {"create_missing", &S::create_missing, optional,
           "Create operators that have no IdentityCall id and no operator with their email."},
          {"delete_policy", one_of(&S::delete_policy, {"deactivate", "delete"}), optional,
           "On operator.deleted: `deactivate` sends active=false, `delete` removes the operator "
           "for good (needs a key with delete permission)."},
          {"concurrency", in_range(&S::concurrency, 1U, 64U), optional,
           "Operators with a request in flight at once."},
          {"rate_per_second", in_range(&S::rate_per_second, 0.01, 100.0), optional,
           "Requests per second: 1 for the Free plan (60/minute), 5 for Pro (300/minute)."},
          {"burst", in_range(&S::burst, 1U, 300U), optional, "Token bucket size."},
          {"connect_timeout",
           in_range(&S::connect_timeout, milliseconds(100), milliseconds(60'000)), optional,
           "TCP + TLS connect deadline."},
          {"request_timeout",
           in_range(&S::request_timeout, milliseconds(100), milliseconds(300'000)), optional,
           "Deadline of one request."},
      },
      {
          [](const IdentityCallSettings& s, const CheckReporter& report) {
            if (s.base_url.rfind("https://", 0) != 0 && s.base_url.rfind("http://", 0) != 0) {
              report.error("base_url", "must start with https:// (or http:// for a simulator)");
            }
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
