#include "plugchat/plugchat_settings.h"

#include <string_view>

namespace opsync {

DeliveryLimits PlugChatSettings::limits() const {
  DeliveryLimits out;
  out.concurrency = concurrency;
  out.rate_per_second = rate_per_second;
  out.burst = burst;
  return out;
}

MappingTables PlugChatSettings::tables(const std::string& instance) const {
  return MappingTables::from_config(instance, teams, {}, {});
}

namespace {

bool is_http_url(std::string_view url) {
  return url.starts_with("https://") || url.starts_with("http://");
}

}  // namespace

const Schema<PlugChatSettings>& plugchat_settings_schema() {
  using enum Presence;
  using namespace std::chrono_literals;
  using S = PlugChatSettings;
  static const Schema<S> schema{
      {
          {"base_url", &S::base_url, optional,
           "API root (override for a simulator or a test host). The seed's older "
           "`https://www.plugchat.com.br/api` also works."},
          {"account_id", &S::account_id, required, "The Plug Chat client account id."},
          {"integrator_token", &S::integrator_token, required,
           "Integrator token (`Authorization: Bearer`); or `integrator_token_file`."},
          {"create_missing", &S::create_missing, optional,
           "Create operators that have no Plug Chat id (`external_ids.<instance>`)."},
          {"teams", &S::teams, optional, "Canonical team name -> Plug Chat department id."},
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
