// iAdvize settings: the schema's defaults, checks and the secret-file form.
#include "iadvize/iadvize_settings.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "iadvize/iadvize_type.h"

namespace opsync {
namespace {

ConnectorConfig entry(const std::string& yaml) {
  ConnectorConfig c;
  c.name = "iadvize_main";
  c.type = "iadvize";
  c.settings = YAML::Load("type: iadvize\n" + yaml);
  c.file = "/etc/opsync/opsyncd.yaml";
  c.line = 1;
  return c;
}

std::vector<std::string> problems(const std::string& yaml) {
  Diagnostics diagnostics;
  iadvize_connector_type().check(entry(yaml), diagnostics);
  std::vector<std::string> out;
  for (const auto& d : diagnostics.items()) out.push_back(d.key_path + ": " + d.message);
  return out;
}

TEST(IAdvizeSettings, Defaults) {
  Diagnostics diagnostics;
  auto s = read_connector_settings(entry("api_key: k\n"), iadvize_settings_schema(), diagnostics);
  EXPECT_TRUE(diagnostics.empty());
  EXPECT_EQ(s.base_url, "https://sd.iadvize.com/api/2");
  EXPECT_EQ(s.api_key.reveal(), "k");
  EXPECT_FALSE(s.create_missing);
  EXPECT_EQ(s.policy(), DeletePolicy::deactivate);
}

TEST(IAdvizeSettings, FullExample) {
  Diagnostics diagnostics;
  auto s = read_connector_settings(entry(R"(
base_url: https://ha.iadvize.com/api/2
api_key: k
create_missing: true
delete_policy: delete
teams: {support: "101"}
languages: {it: en}
rate_per_second: 2
)"),
                                   iadvize_settings_schema(), diagnostics);
  EXPECT_TRUE(diagnostics.empty());
  EXPECT_EQ(s.policy(), DeletePolicy::remove);
  EXPECT_TRUE(s.create_missing);
  EXPECT_EQ(s.limits().rate_per_second, 2.0);
  EXPECT_TRUE(s.tables("iadvize_main").teams.lookup("support").ok());
}

TEST(IAdvizeSettings, ApiKeyFromFile) {
  const auto path = std::filesystem::temp_directory_path() / "opsync_iadvize_key_test";
  std::ofstream(path) << "from-file\n";
  Diagnostics diagnostics;
  auto s = read_connector_settings(entry("api_key_file: " + path.string() + "\n"),
                                   iadvize_settings_schema(), diagnostics);
  std::filesystem::remove(path);
  EXPECT_TRUE(diagnostics.empty());
  EXPECT_EQ(s.api_key.reveal(), "from-file");
}

TEST(IAdvizeSettings, Errors) {
  const auto p = problems("");
  ASSERT_EQ(p.size(), 1u) << ::testing::PrintToString(p);
  EXPECT_NE(p[0].find("api_key"), std::string::npos) << p[0];
  EXPECT_NE(p[0].find("missing required key"), std::string::npos) << p[0];
}

TEST(IAdvizeSettings, RejectsBadValuesNamingTheKey) {
  const auto p = problems(R"(
api_key: k
colour: blue
delete_policy: archive
base_url: ftp://x
teams: {support: abc}
languages: {it: it}
)");
  auto has = [&](std::string_view text) {
    for (const auto& s : p) {
      if (s.find(text) != std::string::npos) return true;
    }
    return false;
  };
  EXPECT_TRUE(has("colour")) << ::testing::PrintToString(p);
  EXPECT_TRUE(has("connectors.iadvize_main.delete_policy")) << ::testing::PrintToString(p);
}

TEST(IAdvizeSettings, ChecksTablesAndUrl) {
  const auto p = problems(R"(
api_key: k
base_url: ftp://x
teams: {support: abc}
languages: {it: it}
)");
  ASSERT_EQ(p.size(), 3u) << ::testing::PrintToString(p);
  EXPECT_NE(p[0].find("must start with https://"), std::string::npos) << p[0];
  EXPECT_NE(p[1].find("team 'support' maps to 'abc'"), std::string::npos) << p[1];
  EXPECT_NE(p[2].find("not an iAdvize admin language"), std::string::npos) << p[2];
}

}  // namespace
}  // namespace opsync
