// Reading a `type: commpeak` entry: required keys, secret files, tables, unknown keys, checks,
// and the connector type built from it.
#include "commpeak/commpeak_settings.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <fstream>

#include "commpeak/commpeak_type.h"

namespace opsync {
namespace {

constexpr const char* kMinimal =
    "type: commpeak\nbase_url: https://acme.td.commpeak.com\nusername: api\npassword: pw\n";

ConnectorConfig entry(const std::string& yaml) {
  ConnectorConfig c;
  c.name = "commpeak_eu";
  c.type = "commpeak";
  c.settings = YAML::Load(yaml);
  c.file = "opsync.yaml";
  c.line = 1;
  return c;
}

std::string messages(const Diagnostics& d) {
  std::string out;
  for (const auto& item : d.items()) out += item.key_path + ": " + item.message + "\n";
  return out;
}

TEST(CommPeakSettings, MinimalEntry) {
  Diagnostics d;
  auto s = read_connector_settings(entry(kMinimal), commpeak_settings_schema(), d);
  ASSERT_TRUE(d.empty()) << messages(d);
  EXPECT_EQ(s.base_url, "https://acme.td.commpeak.com");
  EXPECT_EQ(s.username, "api");
  EXPECT_EQ(s.password.reveal(), "pw");
  EXPECT_FALSE(s.create_missing);
}

TEST(CommPeakSettings, ReadsTablesAndLimits) {
  Diagnostics d;
  auto s = read_connector_settings(entry(std::string(kMinimal) + R"(enabled: true
time_zones: {Europe/Lisbon: 42, America/New_York: 7}
languages: {es: es_ES, pt-PT: pt_BR}
concurrency: 2
rate_per_second: 0.5
burst: 2
request_timeout: 30s
)"),
                                   commpeak_settings_schema(), d);
  ASSERT_TRUE(d.empty()) << messages(d);
  EXPECT_EQ(s.time_zones.at("Europe/Lisbon"), 42);
  MappingTables t = s.tables("commpeak_eu");
  EXPECT_EQ(t.time_zones.lookup("America/New_York").value, "7");
  EXPECT_EQ(t.language_for_locale("es-AR").value, "es_ES");
  EXPECT_EQ(s.limits().concurrency, 2u);
  EXPECT_EQ(s.limits().rate_per_second, 0.5);
}

TEST(CommPeakSettings, PasswordFromAFile) {
  const auto path = std::filesystem::temp_directory_path() / "opsync_commpeak_password_test";
  std::ofstream(path) << "file-password\n";
  Diagnostics d;
  auto s = read_connector_settings(
      entry("base_url: https://a.td.commpeak.com\nusername: api\npassword_file: " + path.string() +
            "\n"),
      commpeak_settings_schema(), d);
  std::filesystem::remove(path);
  ASSERT_TRUE(d.empty()) << messages(d);
  EXPECT_EQ(s.password.reveal(), "file-password");
}

TEST(CommPeakSettings, ReportsEveryProblem) {
  Diagnostics d;
  (void)read_connector_settings(entry("colour: red\nburst: 0\n"), commpeak_settings_schema(), d);
  const std::string all = messages(d);
  for (const char* key : {"base_url", "username", "password", "burst"}) {
    EXPECT_NE(all.find(std::string("connectors.commpeak_eu.") + key), std::string::npos)
        << key << "\n"
        << all;
  }
  EXPECT_NE(all.find("connectors.commpeak_eu.colour: unknown key"), std::string::npos) << all;
}

TEST(CommPeakSettings, ChecksAcrossKeys) {
  Diagnostics d;
  (void)read_connector_settings(entry(R"(base_url: ftp://x
username: "a:b"
password: pw
create_missing: true
time_zones: {Europe/Lisbon: 0}
languages: {fr: fr_FR}
)"),
                                commpeak_settings_schema(), d);
  const std::string all = messages(d);
  for (const char* key : {"base_url", "username", "create_missing", "time_zones", "languages"}) {
    EXPECT_NE(all.find(std::string("connectors.commpeak_eu.") + key), std::string::npos)
        << key << "\n"
        << all;
  }
}

TEST(CommPeakType, ChecksAndCreates) {
  ConnectorType type = commpeak_connector_type();
  EXPECT_EQ(type.name, "commpeak");
  Diagnostics bad;
  type.check(entry("type: commpeak\n"), bad);
  EXPECT_FALSE(bad.empty());

  boost::asio::io_context io;
  auto connector = type.create(entry(std::string(kMinimal) + "concurrency: 3\n"), io);
  ASSERT_TRUE(connector);
  EXPECT_EQ(connector->name(), "commpeak_eu");
  EXPECT_EQ(connector->type(), "commpeak");
  EXPECT_EQ(connector->limits().concurrency, 3u);
  EXPECT_EQ(connector->clear_style(), ClearStyle::empty_string);
  EXPECT_THROW((void)type.create(entry("type: commpeak\n"), io), ConfigError);
}

}  // namespace
}  // namespace opsync
