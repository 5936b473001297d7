#include "identitycall/identitycall_settings.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "config/config.h"

namespace opsync {
namespace {

constexpr const char* kKey = "idc_opsyncsimfullaccess0000000000001";

ConnectorConfig connector(const std::string& yaml) {
  ConnectorConfig c;
  c.name = "idc";
  c.type = "identitycall";
  c.settings = YAML::Load(yaml);
  c.file = "test.yaml";
  return c;
}

std::string problems(const std::string& yaml) {
  Diagnostics d;
  (void)read_connector_settings(connector(yaml), identitycall_settings_schema(), d);
  std::string out;
  for (const auto& p : d.items()) out += p.key_path + ": " + p.message + "\n";
  return out;
}

TEST(IdentityCallSettings, DefaultsAndValues) {
  IdentityCallSettings s = load_connector_settings(
      connector(std::string("type: identitycall\napi_key: ") + kKey + "\ndelete_policy: delete\n"),
      identitycall_settings_schema());
  EXPECT_EQ(s.base_url, "https://api.identitycall.ai/api/v1/public");
  EXPECT_EQ(s.api_key.reveal(), kKey);
  EXPECT_EQ(identitycall_delete_policy(s), DeletePolicy::remove);
  EXPECT_DOUBLE_EQ(s.rate_per_second, 1.0);
}

TEST(IdentityCallSettings, Problems) {
  EXPECT_NE(problems("type: identitycall\n").find("connectors.idc.api_key"), std::string::npos);
  const std::string bad_key = problems("type: identitycall\napi_key: idc_short\n");
  EXPECT_NE(bad_key.find("idc_ followed by 32"), std::string::npos);
  EXPECT_EQ(bad_key.find("idc_short"), std::string::npos) << "a secret must never be quoted";
  EXPECT_NE(problems(std::string("type: identitycall\napi_key: ") + kKey + "\nteams: {}\n")
                .find("connectors.idc.teams"),
            std::string::npos);
  EXPECT_EQ(problems(std::string("type: identitycall\napi_key: ") + kKey + "\n"), "");
}

// The delivery keys come from the shared fragment with IdentityCall's own bounds: its documented
// quota is 5 requests/s at most (Pro), so rate_per_second stops at 100 and burst at 300.
TEST(IdentityCallSettings, DeliveryLimitBounds) {
  const std::string base = std::string("type: identitycall\napi_key: ") + kKey + "\n";
  EXPECT_EQ(problems(base + "rate_per_second: 100\nburst: 300\nconcurrency: 64\n"), "");
  EXPECT_NE(problems(base + "rate_per_second: 101\n").find("connectors.idc.rate_per_second"),
            std::string::npos);
  EXPECT_NE(problems(base + "burst: 301\n").find("connectors.idc.burst"), std::string::npos);
  EXPECT_NE(problems(base + "concurrency: 65\n").find("connectors.idc.concurrency"),
            std::string::npos);
  EXPECT_NE(problems(base + "request_timeout: 50ms\n").find("connectors.idc.request_timeout"),
            std::string::npos);
}

}  // namespace
}  // namespace opsync
