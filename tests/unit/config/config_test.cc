// load_config on valid files: values, defaults, environment, secret files, connectors, and the
// shipped example and documentation.

#include "config/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

#include "test_files.h"

namespace opsync {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using testing::ScopedEnv;
using testing::TempDir;

constexpr std::string_view kMinimal = R"(kafka:
  brokers: [k1:9092]
  topic: ops
  group_id: g
  dead_letter_topic: ops.dlq
state:
  directory: /tmp/state
)";

std::string diagnostics_text(const std::filesystem::path& path) {
  return to_string(check_config(path));
}

TEST(LoadConfig, ReadsEveryKey) {
  const TempDir dir;
  const std::string path = dir.write("opsync.yaml", R"(
kafka:
  brokers:
    - kafka-1:9092
    - kafka-2:9092
  topic: hr.operators
  group_id: opsyncd
  dead_letter_topic: hr.operators.dlq
  max_message_bytes: 512KiB
  properties:
    security.protocol: SASL_SSL
    fetch.wait.max.ms: 100
state:
  directory: /var/lib/opsync
  processed_event_retention: 2d
  batch_max_events: 100
  batch_max_delay: 5ms
admin:
  listen: "[::1]:0"
  bearer_token: admin-token
logging:
  level: debug
  format: json
shutdown:
  drain_timeout: 30s
connectors:
  glia_eu:
    type: glia
    base_url: https://api.glia.com
  idc:
    type: identitycall
    enabled: false
)");
  const Config c = load_config(path);
  EXPECT_EQ(c.source_file, path);
  EXPECT_THAT(c.kafka.brokers, ElementsAre("kafka-1:9092", "kafka-2:9092"));
  EXPECT_EQ(c.kafka.topic, "hr.operators");
  EXPECT_EQ(c.kafka.group_id, "opsyncd");
  EXPECT_EQ(c.kafka.dead_letter_topic, "hr.operators.dlq");
  EXPECT_EQ(c.kafka.max_message_bytes, 512u * 1024);
  EXPECT_EQ(c.kafka.properties,
            (std::map<std::string, std::string>{{"security.protocol", "SASL_SSL"},
                                                {"fetch.wait.max.ms", "100"}}));
  EXPECT_EQ(c.state.directory, "/var/lib/opsync");
  EXPECT_EQ(c.state.processed_event_retention, 48h);
  EXPECT_EQ(c.state.batch_max_events, 100u);
  EXPECT_EQ(c.state.batch_max_delay, 5ms);
  EXPECT_EQ(c.admin.listen, "[::1]:0");
  ASSERT_TRUE(c.admin.bearer_token);
  EXPECT_EQ(c.admin.bearer_token->reveal(), "admin-token");
  EXPECT_EQ(c.logging.level, "debug");
  EXPECT_EQ(c.logging.format, "json");
  EXPECT_EQ(c.shutdown.drain_timeout, 30s);

  ASSERT_EQ(c.connectors.size(), 2u);
  EXPECT_EQ(c.connectors[0].name, "glia_eu");
  EXPECT_EQ(c.connectors[0].type, "glia");
  EXPECT_TRUE(c.connectors[0].enabled);
  EXPECT_EQ(c.connectors[0].file, path);
  EXPECT_EQ(c.connectors[0].line, 27);
  EXPECT_EQ(c.connectors[0].settings["base_url"].Scalar(), "https://api.glia.com");
  EXPECT_EQ(c.connectors[1].name, "idc");
  EXPECT_EQ(c.connectors[1].type, "identitycall");
  EXPECT_FALSE(c.connectors[1].enabled);
}

TEST(LoadConfig, AppliesDefaults) {
  const TempDir dir;
  const Config c = load_config(dir.write("opsync.yaml", kMinimal));
  EXPECT_EQ(c.kafka.max_message_bytes, 1024u * 1024);
  EXPECT_TRUE(c.kafka.properties.empty());
  EXPECT_EQ(c.state.processed_event_retention, 168h);
  EXPECT_EQ(c.state.batch_max_events, 5000u);
  EXPECT_EQ(c.state.batch_max_delay, 50ms);
  EXPECT_EQ(c.admin.listen, "127.0.0.1:9464");
  EXPECT_FALSE(c.admin.bearer_token);
  EXPECT_EQ(c.logging.level, "info");
  EXPECT_EQ(c.logging.format, "logfmt");
  EXPECT_EQ(c.shutdown.drain_timeout, 10s);
  EXPECT_TRUE(c.connectors.empty());
}

TEST(LoadConfig, ExpandsEnvironmentVariablesBeforeConversion) {
  const ScopedEnv brokers("OPSYNC_TEST_BROKERS", "a:9092, b:9092");
  const ScopedEnv topic("OPSYNC_TEST_TOPIC", "events");
  const ScopedEnv unset("OPSYNC_TEST_UNSET", std::nullopt);
  const ScopedEnv drain("OPSYNC_TEST_DRAIN", "45s");
  const TempDir dir;
  const Config c = load_config(dir.write("opsync.yaml", R"(
kafka:
  brokers: ${OPSYNC_TEST_BROKERS}
  topic: ${OPSYNC_TEST_TOPIC}
  group_id: ${OPSYNC_TEST_UNSET:-opsyncd}
  dead_letter_topic: ${OPSYNC_TEST_TOPIC}.dlq
  max_message_bytes: ${OPSYNC_TEST_UNSET:-2MiB}
state:
  directory: /srv/${OPSYNC_TEST_TOPIC}/$${literal}
shutdown:
  drain_timeout: ${OPSYNC_TEST_DRAIN}
)"));
  EXPECT_THAT(c.kafka.brokers, ElementsAre("a:9092", "b:9092"));
  EXPECT_EQ(c.kafka.topic, "events");
  EXPECT_EQ(c.kafka.group_id, "opsyncd");
  EXPECT_EQ(c.kafka.dead_letter_topic, "events.dlq");
  EXPECT_EQ(c.kafka.max_message_bytes, 2u * 1024 * 1024);
  EXPECT_EQ(c.state.directory, "/srv/events/${literal}");
  EXPECT_EQ(c.shutdown.drain_timeout, 45s);
}

TEST(LoadConfig, UnsetVariableIsAnErrorNamingIt) {
  const ScopedEnv unset("OPSYNC_TEST_UNSET", std::nullopt);
  const TempDir dir;
  const std::string path =
      dir.write("opsync.yaml", std::string(kMinimal) + "admin:\n  listen: ${OPSYNC_TEST_UNSET}\n");
  EXPECT_EQ(diagnostics_text(path),
            path +
                ":9:11: admin.listen: environment variable OPSYNC_TEST_UNSET is not set (write "
                "${OPSYNC_TEST_UNSET:-default} to give a default)");
}

TEST(LoadConfig, SecretFileRelativeToCredentialsDirectory) {
  const TempDir config_dir;
  const TempDir credentials;
  credentials.write("admin-token", "from-credentials\n");
  config_dir.write("admin-token", "from-config-dir\n");
  const ScopedEnv creds("CREDENTIALS_DIRECTORY", credentials.path().string());
  const Config c = load_config(config_dir.write(
      "opsync.yaml", std::string(kMinimal) + "admin:\n  bearer_token_file: admin-token\n"));
  ASSERT_TRUE(c.admin.bearer_token);
  EXPECT_EQ(c.admin.bearer_token->reveal(), "from-credentials");
}

TEST(LoadConfig, SecretFileRelativeToConfigDirectoryWithoutCredentialsDirectory) {
  const TempDir config_dir;
  config_dir.write("admin-token", "from-config-dir\n");
  const ScopedEnv creds("CREDENTIALS_DIRECTORY", std::nullopt);
  const Config c = load_config(config_dir.write(
      "opsync.yaml", std::string(kMinimal) + "admin:\n  bearer_token_file: admin-token\n"));
  ASSERT_TRUE(c.admin.bearer_token);
  EXPECT_EQ(c.admin.bearer_token->reveal(), "from-config-dir");
}

TEST(LoadConfig, SecretFileByAbsolutePathAndFromTheEnvironment) {
  const TempDir dir;
  const std::string secret_path = dir.write("elsewhere/token", "abs\n");
  const ScopedEnv creds("CREDENTIALS_DIRECTORY", (dir.path() / "unused").string());
  const ScopedEnv path_var("OPSYNC_TEST_TOKEN_PATH", secret_path);
  const Config c = load_config(dir.write(
      "opsync.yaml",
      std::string(kMinimal) + "admin:\n  bearer_token_file: ${OPSYNC_TEST_TOKEN_PATH}\n"));
  EXPECT_EQ(c.admin.bearer_token->reveal(), "abs");
}

TEST(LoadConfig, KafkaPropertiesMayComeFromFiles) {
  const TempDir dir;
  dir.write("kafka-password", "pw\n");
  const ScopedEnv creds("CREDENTIALS_DIRECTORY", dir.path().string());
  const Config c = load_config(dir.write("opsync.yaml", R"(
kafka:
  brokers: [k1:9092]
  topic: ops
  group_id: g
  dead_letter_topic: ops.dlq
  properties:
    sasl.username: opsync
    sasl.password_file: kafka-password
state:
  directory: /tmp/state
)"));
  EXPECT_EQ(c.kafka.properties, (std::map<std::string, std::string>{{"sasl.username", "opsync"},
                                                                    {"sasl.password", "pw"}}));
}

TEST(LoadConfig, ConnectorSettingsReadWithTheConnectorsSchema) {
  struct Settings {
    std::string base_url;
    Secret api_key;
  };
  using enum Presence;
  static const Schema<Settings> schema{{
      {"base_url", &Settings::base_url, required, "API root."},
      {"api_key", &Settings::api_key, required, "API key."},
  }};
  const TempDir dir;
  dir.write("iadvize-key", "key-from-file\n");
  const ScopedEnv creds("CREDENTIALS_DIRECTORY", dir.path().string());
  const std::string path = dir.write("opsync.yaml", std::string(kMinimal) + R"(connectors:
  iadvize:
    type: iadvize
    base_url: https://sd.iadvize.com/api/2
    api_key_file: iadvize-key
  broken:
    type: iadvize
    base_url: [x]
    colour: blue
)");
  std::vector<Settings> read;
  const ConnectorCheck check = [&](const ConnectorConfig& connector, Diagnostics& diagnostics) {
    read.push_back(read_connector_settings(connector, schema, diagnostics));
  };
  const auto diagnostics = check_config(path, check);
  ASSERT_EQ(diagnostics.size(), 3u) << to_string(diagnostics);
  EXPECT_EQ(diagnostics[0].to_string(), path +
                                            ":14:5: connectors.broken.api_key: missing required "
                                            "key (give api_key or api_key_file)");
  EXPECT_EQ(diagnostics[1].to_string(),
            path + ":15:15: connectors.broken.base_url: expected a string, got a list");
  EXPECT_EQ(diagnostics[2].to_string(), path + ":16:5: connectors.broken.colour: unknown key");
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[0].base_url, "https://sd.iadvize.com/api/2");
  EXPECT_EQ(read[0].api_key.reveal(), "key-from-file");

  const Config c = load_config(path);  // without a check, connector keys are not looked at
  ASSERT_EQ(c.connectors.size(), 2u);
  EXPECT_EQ(load_connector_settings(c.connectors[0], schema).api_key.reveal(), "key-from-file");
  EXPECT_THROW((void)load_connector_settings(c.connectors[1], schema), ConfigError);
}

TEST(ParseConfig, ReadsText) {
  const Config c = parse_config(kMinimal, "embedded.yaml");
  EXPECT_EQ(c.kafka.topic, "ops");
  EXPECT_EQ(c.source_file, "embedded.yaml");
  try {
    (void)parse_config("kafka: 1\n", "embedded.yaml");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "embedded.yaml:1:1: state: missing required key\n"
              "embedded.yaml:1:8: kafka: expected a mapping, got a scalar");
  }
}

TEST(ExampleConfig, LoadsAndSketchesEveryConnector) {
  const std::filesystem::path example =
      std::filesystem::path(OPSYNC_SOURCE_DIR) / "config" / "example.yaml";
  const Config c = load_config(example);
  std::vector<std::string> types;
  for (const auto& connector : c.connectors) types.push_back(connector.type);
  EXPECT_THAT(types, ElementsAre("glia", "plugchat", "identitycall", "iadvize", "commpeak"));
  for (const auto& connector : c.connectors) {
    EXPECT_TRUE(connector.settings["base_url"]) << connector.name;
  }
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// docs/configuration.md embeds the generated tables verbatim. When this fails, paste the
// expected table printed below into the page.
TEST(ConfigurationDocs, EmbedTheSchemaTables) {
  const std::string page =
      read_text(std::filesystem::path(OPSYNC_SOURCE_DIR) / "docs" / "configuration.md");
  ASSERT_FALSE(page.empty());
  const SchemaDoc& root = config_schema().doc();
  const std::string top = render_markdown(root);
  EXPECT_NE(page.find(top), std::string::npos) << "missing table:\n" << top;
  for (const KeyDoc& section : root) {
    if (section.nested == nullptr) continue;
    const std::string table = render_markdown(*section.nested, section.name + ".");
    EXPECT_NE(page.find(table), std::string::npos) << "missing table:\n" << table;
  }
}

}  // namespace
}  // namespace opsync
