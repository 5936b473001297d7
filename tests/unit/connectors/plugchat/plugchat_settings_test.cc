// Reading a `type: plugchat` entry: defaults, required keys, secret files, unknown keys, checks,
// and the connector type built from it.
#include "plugchat/plugchat_settings.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "plugchat/plugchat_type.h"

namespace opsync {
namespace {

ConnectorConfig entry(const std::string& yaml) {
  ConnectorConfig c;
  c.name = "plugchat_br";
  c.type = "plugchat";
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

TEST(PlugChatSettings, MinimalEntryTakesTheDocumentedDefaults) {
  Diagnostics d;
  auto s =
      read_connector_settings(entry("type: plugchat\naccount_id: acc-1\nintegrator_token: tok\n"),
                              plugchat_settings_schema(), d);
  ASSERT_TRUE(d.empty()) << messages(d);
  EXPECT_EQ(s.base_url, "https://api.plugchat.com.br");
  EXPECT_EQ(s.account_id, "acc-1");
  EXPECT_EQ(s.integrator_token.reveal(), "tok");
  EXPECT_FALSE(s.create_missing);
  EXPECT_TRUE(s.teams.empty());
}

TEST(PlugChatSettings, ReadsEveryKey) {
  Diagnostics d;
  auto s = read_connector_settings(entry(R"(type: plugchat
enabled: true
base_url: http://127.0.0.1:9000
account_id: acc-1
integrator_token: tok
create_missing: true
teams: {support: dep-1, sales: dep-2}
concurrency: 2
rate_per_second: 1.5
burst: 3
connect_timeout: 2s
request_timeout: 20s
)"),
                                   plugchat_settings_schema(), d);
  ASSERT_TRUE(d.empty()) << messages(d);
  EXPECT_TRUE(s.create_missing);
  EXPECT_EQ(s.teams.at("sales"), "dep-2");
  EXPECT_EQ(s.limits().concurrency, 2u);
  EXPECT_EQ(s.limits().rate_per_second, 1.5);
  EXPECT_EQ(s.limits().burst, 3u);
  EXPECT_EQ(s.request_timeout, std::chrono::seconds(20));
  EXPECT_EQ(s.tables("plugchat_br").teams.lookup("support").value, "dep-1");
}

TEST(PlugChatSettings, TokenFromAFile) {
  const auto path = std::filesystem::temp_directory_path() / "opsync_plugchat_token_test";
  std::ofstream(path) << "file-token\n";
  Diagnostics d;
  auto s = read_connector_settings(
      entry("account_id: acc-1\nintegrator_token_file: " + path.string() + "\n"),
      plugchat_settings_schema(), d);
  std::filesystem::remove(path);
  ASSERT_TRUE(d.empty()) << messages(d);
  EXPECT_EQ(s.integrator_token.reveal(), "file-token");
}

TEST(PlugChatSettings, ReportsEveryProblem) {
  Diagnostics d;
  (void)read_connector_settings(entry("base_url: ftp://x\ncolour: red\nburst: 0\n"),
                                plugchat_settings_schema(), d);
  const std::string all = messages(d);
  EXPECT_NE(all.find("connectors.plugchat_br.account_id"), std::string::npos) << all;
  EXPECT_NE(all.find("connectors.plugchat_br.integrator_token"), std::string::npos) << all;
  EXPECT_NE(all.find("connectors.plugchat_br.colour: unknown key"), std::string::npos) << all;
  EXPECT_NE(all.find("connectors.plugchat_br.burst"), std::string::npos) << all;
}

TEST(PlugChatSettings, BaseUrlMustBeHttp) {
  Diagnostics d;
  (void)read_connector_settings(entry("base_url: ftp://x\naccount_id: a\nintegrator_token: t\n"),
                                plugchat_settings_schema(), d);
  EXPECT_NE(messages(d).find("connectors.plugchat_br.base_url"), std::string::npos) << messages(d);
}

TEST(PlugChatType, ChecksAndCreates) {
  ConnectorType type = plugchat_connector_type();
  EXPECT_EQ(type.name, "plugchat");
  Diagnostics bad;
  type.check(entry("type: plugchat\n"), bad);
  EXPECT_FALSE(bad.empty());

  boost::asio::io_context io;
  auto connector = type.create(
      entry("type: plugchat\naccount_id: acc-1\nintegrator_token: tok\nconcurrency: 3\n"), io);
  ASSERT_TRUE(connector);
  EXPECT_EQ(connector->name(), "plugchat_br");
  EXPECT_EQ(connector->type(), "plugchat");
  EXPECT_EQ(connector->limits().concurrency, 3u);
  EXPECT_THROW((void)type.create(entry("type: plugchat\n"), io), ConfigError);
}

}  // namespace
}  // namespace opsync
