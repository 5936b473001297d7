// load_config and check_config on broken files: every problem reported, each with file, line,
// column and key path, and never a secret value.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "config/config.h"
#include "test_files.h"

namespace opsync {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::ScopedEnv;
using testing::TempDir;

// The messages of `path`'s diagnostics without the `path` prefix, for compact expectations.
std::vector<std::string> problems(const std::string& path) {
  std::vector<std::string> out;
  for (const ConfigDiagnostic& d : check_config(path)) {
    EXPECT_EQ(d.file, path);
    std::string text = d.to_string();
    out.push_back(text.substr(path.size()));
  }
  return out;
}

constexpr std::string_view kValidKafka = R"(kafka:
  brokers: [k1:9092]
  topic: ops
  group_id: g
  dead_letter_topic: ops.dlq
)";

TEST(ConfigErrors, EveryProblemIsReportedWithItsPosition) {
  const TempDir dir;
  const std::string path = dir.write("opsync.yaml",
                                     "kafka:\n"                            // 1
                                     "  brokers: kafka-1:9092\n"           // 2
                                     "  topic: ops\n"                      // 3
                                     "  dead_letter_topic: ops.dlq\n"      // 4
                                     "  max_message_bytes: lots\n"         // 5
                                     "  propertes: {}\n"                   // 6
                                     "state:\n"                            // 7
                                     "  processed_event_retention: 90m\n"  // 8
                                     "  batch_max_events: -1\n"            // 9
                                     "  batch_max_delay: 1 second\n"       // 10
                                     "admin:\n"                            // 11
                                     "  listen: {host: x}\n"               // 12
                                     "logging:\n"                          // 13
                                     "  level: loud\n"                     // 14
                                     "shutdown:\n"                         // 15
                                     "  drain_timeout: 10\n"               // 16
                                     "connectors:\n"                       // 17
                                     "  Glia EU:\n"                        // 18
                                     "    type: glia\n"                    // 19
                                     "  plug:\n"                           // 20
                                     "    base_url: x\n"                   // 21
                                     "extra: true\n");                     // 22
  EXPECT_THAT(
      problems(path),
      ElementsAre(
          ":1:1: kafka.group_id: missing required key",
          ":5:22: kafka.max_message_bytes: expected a size such as 4096 (bytes), 512KiB or 1MiB, "
          "got 'lots'",
          ":6:3: kafka.propertes: unknown key; did you mean 'properties'?",
          ":7:1: state.directory: missing required key",
          ":8:30: state.processed_event_retention: must be a whole multiple of 1h",
          ":9:21: state.batch_max_events: expected a non-negative integer, got '-1'",
          ":10:20: state.batch_max_delay: expected a duration such as 500ms, 10s, 5m, 2h or 7d, "
          "got '1 second'",
          ":12:11: admin.listen: expected a string, got a mapping",
          ":14:10: logging.level: expected one of trace, debug, info, warn, error, critical, off, "
          "got 'loud'",
          ":16:18: shutdown.drain_timeout: expected a duration such as 500ms, 10s, 5m, 2h or 7d, "
          "got '10'",
          ":18:3: connectors.Glia EU: connector names are 1 to 64 characters of a-z, 0-9, _ and - "
          "(they name metrics, logs and external_ids)",
          ":20:3: connectors.plug.type: missing required key", ":22:1: extra: unknown key"));

  try {
    (void)load_config(path);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.diagnostics().size(), 13u);
    EXPECT_THAT(e.what(), HasSubstr(path + ":22:1: extra: unknown key"));
  }
}

TEST(ConfigErrors, UnknownKeys) {
  const TempDir dir;
  const std::string path = dir.write("opsync.yaml", std::string(kValidKafka) +
                                                        "state:\n  directory: /x\n  dir: /y\n"
                                                        "logging:\n  formatt: json\n");
  EXPECT_THAT(problems(path), ElementsAre(":8:3: state.dir: unknown key",
                                          ":10:3: logging.formatt: unknown key; did you mean "
                                          "'format'?"));
}

TEST(ConfigErrors, WrongTypes) {
  const TempDir dir;
  const std::string path = dir.write("opsync.yaml",
                                     "kafka:\n"
                                     "  brokers: {a: b}\n"
                                     "  topic: [ops]\n"
                                     "  group_id: g\n"
                                     "  dead_letter_topic: d\n"
                                     "  properties: [a]\n"
                                     "state: /var/lib/opsync\n"
                                     "connectors:\n"
                                     "  glia: glia\n"
                                     "  iadvize:\n"
                                     "    type: iadvize\n"
                                     "    enabled: sometimes\n");
  EXPECT_THAT(problems(path),
              ElementsAre(":2:12: kafka.brokers: expected a list, got a mapping",
                          ":3:10: kafka.topic: expected a string, got a list",
                          ":6:15: kafka.properties: expected a mapping, got a list",
                          ":7:8: state: expected a mapping, got a scalar",
                          ":9:9: connectors.glia: expected a mapping with at least `type:`, got "
                          "a scalar",
                          ":12:14: connectors.iadvize.enabled: expected true or false, got "
                          "'sometimes'"));
}

TEST(ConfigErrors, CrossKeyRules) {
  const TempDir dir;
  const std::string path = dir.write("opsync.yaml",
                                     "kafka:\n"
                                     "  brokers: [k]\n"
                                     "  topic: ops\n"
                                     "  group_id: g\n"
                                     "  dead_letter_topic: ops\n"
                                     "  max_message_bytes: 100\n"
                                     "  properties:\n"
                                     "    group.id: other\n"
                                     "    enable.auto.offset.store: true\n"
                                     "state:\n"
                                     "  directory: /x\n"
                                     "admin:\n"
                                     "  listen: localhost\n");
  EXPECT_THAT(
      problems(path),
      ElementsAre(
          ":8:5: kafka.properties.group.id: is set from kafka.group_id",
          ":9:5: kafka.properties.enable.auto.offset.store: is set by opsync, which stores an "
          "offset only once its changes are durable",
          ":13:11: admin.listen: expected HOST:PORT or [IPV6]:PORT with a port up to 65535"));
  // The kafka checks wait until its keys read cleanly.
  const std::string fixed = dir.write("fixed.yaml",
                                      "kafka:\n"
                                      "  brokers: [k]\n"
                                      "  topic: ops\n"
                                      "  group_id: g\n"
                                      "  dead_letter_topic: ops\n"
                                      "  max_message_bytes: 100\n"
                                      "state:\n"
                                      "  directory: /x\n");
  EXPECT_THAT(problems(fixed),
              ElementsAre(":5:22: kafka.dead_letter_topic: must differ from kafka.topic",
                          ":6:22: kafka.max_message_bytes: must be from 1KiB to 1GiB"));
}

TEST(ConfigErrors, ConnectorNamesAreUniqueAndTyped) {
  const TempDir dir;
  const std::string path =
      dir.write("opsync.yaml", std::string(kValidKafka) +
                                   "state:\n  directory: /x\n"
                                   "connectors:\n"
                                   "  a:\n    type: glia\n"
                                   "  a:\n    type: glia\n"
                                   "  b:\n    type: ''\n"
                                   "  c:\n"
                                   "  " +
                                   std::string(65, 'x') + ":\n    type: glia\n");
  EXPECT_THAT(problems(path),
              ElementsAre(":11:3: connectors.a: duplicate key (first given at line 9)",
                          ":14:11: connectors.b.type: must not be empty",
                          ":15:3: connectors.c: expected a mapping with at least `type:`, got "
                          "nothing",
                          ":16:3: connectors." + std::string(65, 'x') +
                              ": connector names are 1 to 64 characters of a-z, 0-9, _ and - "
                              "(they name metrics, logs and external_ids)"));
}

TEST(ConfigErrors, SecretsNeverAppearInMessages) {
  const TempDir dir;
  dir.write("kafka-password", "s3cr3t-file-value\n");
  dir.write("empty-token", "\n");
  const ScopedEnv creds("CREDENTIALS_DIRECTORY", dir.path().string());
  const ScopedEnv env_secret("OPSYNC_TEST_SECRET", "s3cr3t-env-value");
  const std::string path = dir.write("opsync.yaml",
                                     "kafka:\n"
                                     "  brokers: [k]\n"
                                     "  topic: ops\n"
                                     "  group_id: g\n"
                                     "  dead_letter_topic: d\n"
                                     "  properties:\n"
                                     "    sasl.password: s3cr3t-inline-value\n"
                                     "    sasl.password_file: kafka-password\n"
                                     "    ssl.key.password_file: missing-file\n"
                                     "state:\n"
                                     "  directory: /x\n"
                                     "admin:\n"
                                     "  bearer_token: \"s3cr3t-inline${\"\n"
                                     "  bearer_tokn: s3cr3t-typo-value\n"
                                     "shutdown:\n"
                                     "  drain_timeout: ${OPSYNC_TEST_SECRET}\n"
                                     "logging:\n"
                                     "  level: ${OPSYNC_TEST_SECRET:-x}\n");
  const std::vector<ConfigDiagnostic> diagnostics = check_config(path);
  ASSERT_EQ(diagnostics.size(), 6u) << to_string(diagnostics);
  const std::string text = to_string(diagnostics);
  for (const char* secret : {"s3cr3t"}) EXPECT_THAT(text, Not(HasSubstr(secret))) << text;
  EXPECT_THAT(text, HasSubstr("kafka.properties.sasl.password_file: give either sasl.password or "
                              "sasl.password_file, not both"));
  EXPECT_THAT(text, HasSubstr("kafka.properties.ssl.key.password_file: cannot open secret file"));
  EXPECT_THAT(text, HasSubstr("admin.bearer_token: a ${ reference has no closing }"));

  const std::string empty =
      dir.write("empty.yaml", std::string(kValidKafka) +
                                  "state:\n  directory: /x\n"
                                  "admin:\n  bearer_token_file: empty-token\n");
  EXPECT_THAT(problems(empty), ElementsAre(":9:22: admin.bearer_token_file: secret file " +
                                           (dir.path() / "empty-token").string() + " is empty"));
}

// Issue 13 item 7: what is valid but unsafe is warned about, naming the key, never the value,
// and never refused.
TEST(ConfigWarnings, ASecretInClearTextOrInAFileOthersCanReadIsWarnedAbout) {
  const TempDir dir;
  const std::string token = dir.write("admin-token", "t0ken-in-a-file\n");
  std::filesystem::permissions(
      token, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                 std::filesystem::perms::group_read | std::filesystem::perms::others_read);
  const ScopedEnv env_secret("OPSYNC_TEST_SECRET", "s3cr3t-env-value");
  const std::string path =
      dir.write("opsync.yaml", std::string(kValidKafka) +
                                   "  properties:\n"
                                   "    sasl.password: s3cr3t-inline\n"
                                   "    ssl.key.password: ${OPSYNC_TEST_SECRET}\n"
                                   "state:\n  directory: /x\n"
                                   "admin:\n"
                                   "  bearer_token_file: admin-token\n");
  std::vector<ConfigDiagnostic> warnings;
  EXPECT_EQ(check_config(path, {}, &warnings), std::vector<ConfigDiagnostic>{});
  ASSERT_EQ(warnings.size(), 2u) << to_string(warnings);
  EXPECT_EQ(warnings[0].key_path, "kafka.properties.sasl.password");
  EXPECT_THAT(warnings[0].message, HasSubstr("clear text"));
  EXPECT_THAT(warnings[0].message, HasSubstr("sasl.password_file"));
  EXPECT_EQ(warnings[1].key_path, "admin.bearer_token_file");
  EXPECT_THAT(warnings[1].message, HasSubstr("accessible by group or others (mode 0644)"));
  for (const auto& w : warnings) {
    EXPECT_GT(w.line, 0);
    EXPECT_THAT(w.to_string(), Not(HasSubstr("s3cr3t"))) << w;
    EXPECT_THAT(w.to_string(), Not(HasSubstr("t0ken"))) << w;
  }
  // load_config accepts the file and carries the warnings, to be logged.
  EXPECT_EQ(load_config(path).warnings, warnings);

  // Owner-only: no warning for the file.
  std::filesystem::permissions(token, std::filesystem::perms::owner_read);
  EXPECT_EQ(check_config(path, {}, &warnings), std::vector<ConfigDiagnostic>{});
  ASSERT_EQ(warnings.size(), 1u) << to_string(warnings);
  EXPECT_EQ(warnings[0].key_path, "kafka.properties.sasl.password");
}

TEST(ConfigErrors, MissingFile) {
  const TempDir dir;
  const std::string path = (dir.path() / "nope.yaml").string();
  EXPECT_THAT(problems(path),
              ElementsAre(": cannot read configuration file: No such file or directory"));
  try {
    (void)load_config(path);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u);
    EXPECT_EQ(e.diagnostics()[0].line, 0);
    EXPECT_EQ(e.diagnostics()[0].key_path, "");
  }
}

TEST(ConfigErrors, UnreadableFile) {
  const TempDir dir;
  EXPECT_THAT(problems(dir.path().string()),
              ElementsAre(": cannot read configuration file: it is a directory"));
  if (::geteuid() == 0) GTEST_SKIP() << "root reads files whatever their mode";
  const std::string path = dir.write("locked.yaml", std::string(kValidKafka));
  ASSERT_EQ(::chmod(path.c_str(), 0), 0);
  EXPECT_THAT(problems(path), ElementsAre(": cannot read configuration file: Permission denied"));
}

TEST(ConfigErrors, YamlSyntaxError) {
  const TempDir dir;
  const std::string path = dir.write("opsync.yaml", "kafka:\n  brokers: [a, b\n  topic: x\n");
  const auto found = problems(path);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_THAT(found[0], HasSubstr(": YAML syntax error: end of sequence flow not found"));
  EXPECT_THAT(found[0], ::testing::StartsWith(":3:"));
}

TEST(ConfigErrors, EmptyFileAndOtherShapes) {
  const TempDir dir;
  EXPECT_THAT(problems(dir.write("empty.yaml", "# nothing yet\n")),
              ElementsAre(": kafka: missing required key", ": state: missing required key"));
  EXPECT_THAT(problems(dir.write("scalar.yaml", "hello\n")),
              ElementsAre(":1:1: expected a mapping, got a scalar"));
  EXPECT_THAT(problems(dir.write("two.yaml", std::string(kValidKafka) +
                                                 "state: {directory: /x}\n---\nkafka: {}\n")),
              ElementsAre(":8:1: holds more than one YAML document; the configuration is one"));
}

TEST(ConfigErrors, RetentionMustBeWholeHoursAndInRange) {
  const TempDir dir;
  const std::string path =
      dir.write("opsync.yaml", std::string(kValidKafka) +
                                   "state:\n  directory: /x\n  processed_event_retention: 400d\n"
                                   "  batch_max_events: 0\n  batch_max_delay: 1m\n");
  EXPECT_THAT(problems(path),
              ElementsAre(":8:30: state.processed_event_retention: must be from 1h to 365d",
                          ":9:21: state.batch_max_events: must be from 1 to 1000000",
                          ":10:20: state.batch_max_delay: must be from 0s to 10s"));
}

}  // namespace
}  // namespace opsync

namespace opsync {
namespace {

// Found by fuzzing: yaml-cpp 0.7 creates nodes without end on a NUL byte.
TEST(ConfigControlCharacters, AreRefusedWithTheirPosition) {
  const std::string yaml = std::string("kafka:\n  topic: a\0,", 19);
  try {
    (void)parse_config(yaml, "nul.yaml");
    FAIL() << "accepted a NUL byte";
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u);
    EXPECT_EQ(e.diagnostics()[0].line, 2);
    EXPECT_NE(e.diagnostics()[0].message.find("control character 0x00"), std::string::npos);
  }
}

}  // namespace
}  // namespace opsync

namespace opsync {
namespace {

// Found by fuzzing: yaml-cpp 0.7's LoadAll loops for ever on a document that begins with a ','
// outside [...] or {...}. The loader never calls LoadAll and reports the ',' instead.
TEST(ConfigLeadingComma, IsRefusedInsteadOfHanging) {
  for (const char* yaml :
       {",", "# comment\n\n  ,x", "---\n,", "a: 1\n---\n  ,", "a:\n  b: 1\n ,  # c\n",
        "#:\n  a :t b: ${F#\n,c An # i}", "&t,", "a: ,x", "- ,", "&a\xc5 ,", "&\","}) {
    try {
      (void)parse_config(yaml, "comma.yaml");
      FAIL() << "accepted: " << yaml;
    } catch (const ConfigError& e) {
      ASSERT_EQ(e.diagnostics().size(), 1u) << yaml;
      EXPECT_NE(e.diagnostics()[0].message.find("',' cannot begin a value"), std::string::npos)
          << yaml << " -> " << e.diagnostics()[0].to_string();
      EXPECT_GT(e.diagnostics()[0].line, 0) << yaml;
    }
  }
  // Inside a flow collection a leading ',' is ordinary YAML.
  Config c = parse_config(
      "kafka:\n  brokers: [a:9092\n    , b:9092]\n  topic: t\n  group_id: g\n"
      "  dead_letter_topic: d\nstate:\n  directory: /tmp/x\n",
      "flow.yaml");
  EXPECT_EQ(c.kafka.brokers.size(), 2u);
}

TEST(ConfigLeadingComma, TheErrorNamesTheFileAndThePosition) {
  const TempDir dir;
  const std::string path = dir.write("opsync.yaml", std::string(kValidKafka) +
                                                        "state:\n  directory: /x\n"
                                                        ",batch_max_events: 10\n");
  EXPECT_THAT(problems(path),
              ElementsAre(":8:1: YAML syntax error: end of map not found; ',' cannot begin a value "
                          "outside [...] or {...} (quote the value if it holds one)"));
}

// In block context a ',' inside a plain scalar is ordinary YAML (the loader once refused any ','
// after a blank).
TEST(ConfigLeadingComma, ACommaInsideAPlainScalarIsAValue) {
  const Config c = parse_config(
      "kafka:\n  brokers: [k1:9092]\n  topic: t\n  group_id: west ,east\n"
      "  dead_letter_topic: d\nstate:\n  directory: /tmp/x\n",
      "scalar.yaml");
  EXPECT_EQ(c.kafka.group_id, "west ,east");
}

// Every input that hung or ran away in yaml-cpp (tests/fuzz/regressions/config_fuzz, also
// replayed by the fuzz_replay.config_fuzz test) is refused with the file's name and, where the
// problem has one, its line.
TEST(ConfigParserBounds, EveryFuzzRegressionInputIsRefusedWithItsFile) {
  const std::filesystem::path dir =
      std::filesystem::path(OPSYNC_SOURCE_DIR) / "tests/fuzz/regressions/config_fuzz";
  std::size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string path = entry.path().string();
    const std::vector<ConfigDiagnostic> found = check_config(path);
    ASSERT_FALSE(found.empty()) << path;
    EXPECT_EQ(found[0].file, path);
    EXPECT_GT(found[0].line, 0) << found[0].to_string();
    ++count;
  }
  EXPECT_GE(count, 7u);
}

TEST(ConfigParserBounds, MoreThanOneMebibyteIsRefusedBeforeParsing) {
  std::string yaml(kValidKafka);
  yaml += "state:\n  directory: /x\n";
  while (yaml.size() <= 1024 * 1024) yaml += "# padding padding padding padding padding\n";
  try {
    (void)parse_config(yaml, "big.yaml");
    FAIL() << "accepted " << yaml.size() << " bytes";
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u);
    EXPECT_THAT(e.diagnostics()[0].to_string(),
                HasSubstr("big.yaml: configuration is larger than 1MiB"));
  }
  const TempDir dir;
  EXPECT_THAT(problems(dir.write("big.yaml", yaml)),
              ElementsAre(": configuration file is larger than 1MiB"));
}

TEST(ConfigParserBounds, DeepNestingIsAnError) {
  const std::string yaml = "kafka: " + std::string(1000, '[') + std::string(1000, ']') + "\n";
  try {
    (void)parse_config(yaml, "deep.yaml");
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u);
    EXPECT_THAT(e.diagnostics()[0].to_string(), HasSubstr("deep.yaml:1:"));
    EXPECT_THAT(e.diagnostics()[0].message, HasSubstr("nesting is too deep"));
  }
}

// Issue 13: `admin.listen: 0.0.0.0:...` without a token was accepted silently; the API shows
// personal data and can queue pushes, so beyond loopback a token is required.
TEST(ConfigErrors, AdminBeyondLoopbackNeedsAToken) {
  ::setenv("OPSYNC_TEST_ADMIN_TOKEN", "s3cr3t-admin-token", 1);
  const TempDir dir;
  auto with_admin = [&](const std::string& admin) {
    return problems(dir.write(
        "admin.yaml", std::string(kValidKafka) + "state:\n  directory: /x\nadmin:\n" + admin));
  };
  for (const char* open : {"0.0.0.0:9464", "[::]:9464", "10.1.2.3:9464", "128.0.0.1:9464"}) {
    EXPECT_THAT(with_admin(std::string("  listen: \"") + open + "\"\n"),
                ElementsAre(HasSubstr("admin.listen: not a loopback address, so "
                                      "admin.bearer_token (or bearer_token_file) is required")))
        << open;
  }
  for (const char* loopback : {"127.0.0.1:0", "127.8.9.10:9464", "[::1]:9464", "localhost:9464"}) {
    EXPECT_THAT(with_admin(std::string("  listen: \"") + loopback + "\"\n"), ElementsAre())
        << loopback;
  }
  EXPECT_THAT(
      with_admin("  listen: \"0.0.0.0:9464\"\n  bearer_token: ${OPSYNC_TEST_ADMIN_TOKEN}\n"),
      ElementsAre());
}

}  // namespace
}  // namespace opsync
