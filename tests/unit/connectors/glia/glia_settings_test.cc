#include "glia/glia_settings.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "config/config.h"

namespace opsync {
namespace {

ConnectorConfig connector(const std::string& yaml) {
  ConnectorConfig c;
  c.name = "glia_eu";
  c.type = "glia";
  c.settings = YAML::Load(yaml);
  c.file = "test.yaml";
  return c;
}

std::string problems(const std::string& yaml) {
  Diagnostics d;
  (void)read_connector_settings(connector(yaml), glia_settings_schema(), d);
  std::string out;
  for (const auto& p : d.items()) out += p.key_path + ": " + p.message + "\n";
  return out;
}

TEST(GliaSettings, DefaultsAndValues) {
  GliaSettings s = load_connector_settings(
      connector("type: glia\napi_key_id: id\napi_key_secret: secret\nteams: {support: site/t1}\n"),
      glia_settings_schema());
  EXPECT_EQ(s.base_url, "https://api.glia.com");
  EXPECT_EQ(s.api_key_secret.reveal(), "secret");
  EXPECT_FALSE(s.create_missing);
  EXPECT_EQ(glia_delete_policy(s), DeletePolicy::deactivate);
  EXPECT_EQ(s.teams.at("support"), "site/t1");
  EXPECT_EQ(s.token_lifetime, std::chrono::seconds(3600));
}

TEST(GliaSettings, Problems) {
  EXPECT_NE(problems("type: glia\n").find("connectors.glia_eu.api_key_id"), std::string::npos);
  EXPECT_NE(problems("type: glia\napi_key_id: a\napi_key_secret: b\ncolour: red\n")
                .find("connectors.glia_eu.colour"),
            std::string::npos);
  EXPECT_NE(problems("type: glia\napi_key_id: a\napi_key_secret: b\ndelete_policy: purge\n")
                .find("delete_policy"),
            std::string::npos);
  EXPECT_NE(problems("type: glia\napi_key_id: a\napi_key_secret: b\nteams: {x: t1}\n")
                .find("has no site"),
            std::string::npos);
  EXPECT_NE(problems("type: glia\napi_key_id: a\napi_key_secret: b\naudio_source: sip_phone\n")
                .find("sip_domain_id"),
            std::string::npos);
  EXPECT_NE(problems("type: glia\napi_key_id: a\napi_key_secret: b\nbase_url: ftp://x\n")
                .find("base_url"),
            std::string::npos);
  EXPECT_EQ(problems("type: glia\napi_key_id: a\napi_key_secret: b\nsite_id: s\nteams: {x: t1}\n"),
            "");
}

// The delivery keys come from the shared fragment; Glia documents no quota, so the generic
// bounds apply, with up to 256 operators in flight.
TEST(GliaSettings, DeliveryLimitBounds) {
  const std::string base = "type: glia\napi_key_id: a\napi_key_secret: b\n";
  EXPECT_EQ(problems(base + "rate_per_second: 1000\nburst: 10000\nconcurrency: 256\n"), "");
  EXPECT_NE(problems(base + "rate_per_second: 1001\n").find("connectors.glia_eu.rate_per_second"),
            std::string::npos);
  EXPECT_NE(problems(base + "concurrency: 257\n").find("connectors.glia_eu.concurrency"),
            std::string::npos);
  EXPECT_NE(problems(base + "connect_timeout: 61s\n").find("connectors.glia_eu.connect_timeout"),
            std::string::npos);
}

}  // namespace
}  // namespace opsync
