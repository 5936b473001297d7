// The schema reader as a connector would use it, on YAML text with no files involved.

#include "config/schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "test_files.h"

namespace opsync {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct RetrySettings {
  std::chrono::milliseconds base_delay{100};
  int max_attempts = 5;
};

struct FakeSettings {
  std::string base_url;
  Secret token;
  std::optional<Secret> refresh_token;
  std::chrono::seconds timeout{30};
  std::size_t body_limit = 64 * 1024;
  std::string mode = "fast";
  std::map<std::string, std::string> team_ids;
  std::vector<int> ports;
  std::vector<std::string> tags;
  bool verbose = false;
  double ratio = 0.5;
  std::optional<int> limit;
  RetrySettings retry;
};

const Schema<RetrySettings>& retry_schema() {
  using enum Presence;
  static const Schema<RetrySettings> schema{{
      {"base_delay", &RetrySettings::base_delay, optional, "First backoff."},
      {"max_attempts", in_range(&RetrySettings::max_attempts, 1, 10), optional, "Attempts."},
  }};
  return schema;
}

const Schema<FakeSettings>& fake_schema() {
  using enum Presence;
  static const Schema<FakeSettings> schema{
      {
          {"base_url", &FakeSettings::base_url, required, "API root."},
          {"token", &FakeSettings::token, required, "API token."},
          {"refresh_token", &FakeSettings::refresh_token, optional, "Refresh token."},
          {"timeout", &FakeSettings::timeout, optional, "Request deadline."},
          {"body_limit", bytes(&FakeSettings::body_limit), optional, "Largest response body."},
          {"mode", one_of(&FakeSettings::mode, {"fast", "slow"}), optional, "Pace."},
          {"team_ids", &FakeSettings::team_ids, optional, "Team name | vendor id."},
          {"ports", &FakeSettings::ports, optional, "Ports."},
          {"tags", &FakeSettings::tags, optional, "Tags."},
          {"verbose", &FakeSettings::verbose, optional, "Chatty."},
          {"ratio", &FakeSettings::ratio, optional, "Ratio."},
          {"limit", &FakeSettings::limit, optional, "Limit."},
          {"retry", nested(&FakeSettings::retry, retry_schema()), optional, "Retries."},
      },
      {
          [](const FakeSettings& s, const CheckReporter& report) {
            if (s.mode == "slow" && s.timeout < 60s) {
              report.error("timeout", "must be at least 1m when mode is slow");
            }
          },
      }};
  return schema;
}

// Reads `yaml` as the settings of connector `fake` in file `test.yaml`.
struct Read {
  FakeSettings settings;
  std::vector<ConfigDiagnostic> diagnostics;
  bool ok = false;
};

Read read_fake(const std::string& yaml, std::shared_ptr<const ConfigEnvironment> env = nullptr) {
  Read out;
  Diagnostics diagnostics;
  const ReadContext ctx(diagnostics, std::move(env), "test.yaml", "connectors.fake");
  out.ok = fake_schema().read(YAML::Load(yaml), ctx, out.settings, {"type"});
  out.diagnostics = diagnostics.take();
  return out;
}

std::vector<std::string> texts(const std::vector<ConfigDiagnostic>& diagnostics) {
  std::vector<std::string> out;
  for (const auto& d : diagnostics) out.push_back(d.to_string());
  return out;
}

TEST(Schema, AbsentKeysKeepTheirDefaults) {
  const Read r = read_fake("type: fake\nbase_url: https://x\ntoken: t\n");
  ASSERT_TRUE(r.ok) << ::testing::PrintToString(texts(r.diagnostics));
  EXPECT_EQ(r.settings.base_url, "https://x");
  EXPECT_EQ(r.settings.token.reveal(), "t");
  EXPECT_FALSE(r.settings.refresh_token);
  EXPECT_EQ(r.settings.timeout, 30s);
  EXPECT_EQ(r.settings.body_limit, 64u * 1024);
  EXPECT_EQ(r.settings.mode, "fast");
  EXPECT_TRUE(r.settings.team_ids.empty());
  EXPECT_EQ(r.settings.retry.max_attempts, 5);
  EXPECT_FALSE(r.settings.limit);
}

TEST(Schema, ReadsEveryKindOfValue) {
  const Read r = read_fake(R"(
base_url: https://x
token: t
refresh_token: r
timeout: 2m
body_limit: 1MiB
mode: slow
team_ids: {support: "17", sales: "18"}
ports: [80, 443]
tags: a, b ,c
verbose: true
ratio: 0.25
limit: -3
retry:
  base_delay: 1s
  max_attempts: 10
)");
  ASSERT_TRUE(r.ok) << ::testing::PrintToString(texts(r.diagnostics));
  EXPECT_EQ(r.settings.refresh_token->reveal(), "r");
  EXPECT_EQ(r.settings.timeout, 120s);
  EXPECT_EQ(r.settings.body_limit, 1024u * 1024);
  EXPECT_EQ(r.settings.mode, "slow");
  EXPECT_EQ(r.settings.team_ids,
            (std::map<std::string, std::string>{{"support", "17"}, {"sales", "18"}}));
  EXPECT_THAT(r.settings.ports, ElementsAre(80, 443));
  EXPECT_THAT(r.settings.tags, ElementsAre("a", "b", "c"));
  EXPECT_TRUE(r.settings.verbose);
  EXPECT_DOUBLE_EQ(r.settings.ratio, 0.25);
  EXPECT_EQ(r.settings.limit, -3);
  EXPECT_EQ(r.settings.retry.base_delay, 1s);
  EXPECT_EQ(r.settings.retry.max_attempts, 10);
}

TEST(Schema, ReportsEveryProblemWithKeyPathAndPosition) {
  const Read r = read_fake(
      "base_url: [not, a, string]\n"  // 1
      "timeout: 90ms\n"               // 2
      "body_limit: 1MB\n"             // 3
      "mode: medium\n"                // 4
      "team_ids: {a: [1]}\n"          // 5
      "ports: [1, x]\n"               // 6
      "verbose: yes\n"                // 7
      "retry:\n"                      // 8
      "  max_attempts: 11\n"          // 9
      "  colour: red\n"               // 10
      "limit:\n");                    // 11
  EXPECT_FALSE(r.ok);
  EXPECT_THAT(
      texts(r.diagnostics),
      ElementsAre(
          "test.yaml:1:1: connectors.fake.token: missing required key (give token or token_file)",
          "test.yaml:1:11: connectors.fake.base_url: expected a string, got a list",
          "test.yaml:2:10: connectors.fake.timeout: must be a whole multiple of 1s",
          "test.yaml:3:13: connectors.fake.body_limit: expected a size such as 4096 (bytes), "
          "512KiB or 1MiB, got '1MB'",
          "test.yaml:4:7: connectors.fake.mode: expected one of fast, slow, got 'medium'",
          "test.yaml:5:15: connectors.fake.team_ids.a: expected a string, got a list",
          "test.yaml:6:12: connectors.fake.ports[1]: expected an integer, got 'x'",
          "test.yaml:7:10: connectors.fake.verbose: expected true or false, got 'yes'",
          "test.yaml:9:17: connectors.fake.retry.max_attempts: must be from 1 to 10",
          "test.yaml:10:3: connectors.fake.retry.colour: unknown key",
          "test.yaml:11:1: connectors.fake.limit: has no value"));
}

TEST(Schema, UnknownKeysSuggestTheClosestKnownOne) {
  const Read r = read_fake("base_url: x\ntoken: t\nbase_ulr: y\ntoken_flie: z\nzzzzzz: 1\n");
  EXPECT_THAT(texts(r.diagnostics),
              ElementsAre("test.yaml:3:1: connectors.fake.base_ulr: unknown key; did you mean "
                          "'base_url'?",
                          "test.yaml:4:1: connectors.fake.token_flie: unknown key; did you mean "
                          "'token_file'?",
                          "test.yaml:5:1: connectors.fake.zzzzzz: unknown key"));
}

TEST(Schema, DuplicateKeysAreErrors) {
  const Read r = read_fake("base_url: x\ntoken: t\nbase_url: y\n");
  EXPECT_THAT(texts(r.diagnostics),
              ElementsAre("test.yaml:3:1: connectors.fake.base_url: duplicate key (first given at "
                          "line 1)"));
}

TEST(Schema, RequiredStringsMustNotBeEmpty) {
  const Read r = read_fake("base_url: ''\ntoken: ''\n");
  EXPECT_THAT(texts(r.diagnostics),
              ElementsAre("test.yaml:1:11: connectors.fake.base_url: must not be empty",
                          "test.yaml:2:8: connectors.fake.token: is empty"));
}

TEST(Schema, ChecksRunOnceEveryKeyIsClean) {
  const Read slow = read_fake("base_url: x\ntoken: t\nmode: slow\ntimeout: 10s\n");
  EXPECT_THAT(texts(slow.diagnostics),
              ElementsAre("test.yaml:4:10: connectors.fake.timeout: must be at least 1m when mode "
                          "is slow"));
  // With another problem present, the check stays silent rather than judge defaults.
  const Read broken = read_fake("base_url: x\nmode: slow\n");
  EXPECT_THAT(texts(broken.diagnostics), ElementsAre(HasSubstr("token: missing required key")));
}

TEST(Schema, NullNestedMappingMeansDefaults) {
  const Read r = read_fake("base_url: x\ntoken: t\nretry:\n");
  ASSERT_TRUE(r.ok) << ::testing::PrintToString(texts(r.diagnostics));
  EXPECT_EQ(r.settings.retry.max_attempts, 5);
}

TEST(Schema, NotAMappingIsOneError) {
  const Read r = read_fake("- a\n- b\n");
  EXPECT_THAT(texts(r.diagnostics),
              ElementsAre("test.yaml:1:1: connectors.fake: expected a mapping, got a list"));
}

TEST(Schema, ValuesAreExpandedBeforeConversion) {
  const testing::ScopedEnv timeout("OPSYNC_TEST_TIMEOUT", "5m");
  const testing::ScopedEnv token("OPSYNC_TEST_TOKEN", "tok-123");
  const Read r = read_fake(
      "base_url: ${OPSYNC_TEST_URL:-https://default}\n"
      "token: ${OPSYNC_TEST_TOKEN}\n"
      "timeout: ${OPSYNC_TEST_TIMEOUT}\n");
  ASSERT_TRUE(r.ok) << ::testing::PrintToString(texts(r.diagnostics));
  EXPECT_EQ(r.settings.base_url, "https://default");
  EXPECT_EQ(r.settings.token.reveal(), "tok-123");
  EXPECT_EQ(r.settings.timeout, 300s);
}

TEST(Schema, ExpandedValuesAreNotQuotedInErrors) {
  const testing::ScopedEnv timeout("OPSYNC_TEST_TIMEOUT", "not-a-duration");
  const Read r = read_fake("base_url: x\ntoken: t\ntimeout: ${OPSYNC_TEST_TIMEOUT}\n");
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].message,
            "expected a duration such as 500ms, 10s, 5m, 2h or 7d, got '${OPSYNC_TEST_TIMEOUT}' "
            "(expanded value not shown)");
}

TEST(Schema, SecretsMayComeFromFiles) {
  const testing::TempDir dir;
  dir.write("token", "from-file\n");
  auto env = std::make_shared<ConfigEnvironment>();
  env->config_directory = dir.path().string();
  const Read r = read_fake("base_url: x\ntoken_file: token\n", env);
  ASSERT_TRUE(r.ok) << ::testing::PrintToString(texts(r.diagnostics));
  EXPECT_EQ(r.settings.token.reveal(), "from-file");

  const Read both = read_fake("base_url: x\ntoken: a\ntoken_file: token\n", env);
  EXPECT_THAT(texts(both.diagnostics),
              ElementsAre("test.yaml:3:1: connectors.fake.token_file: give either token or "
                          "token_file, not both"));
}

TEST(ReadSecret, ReadsOneKeyOfAMapping) {
  const testing::TempDir dir;
  dir.write("creds/pw", "pa55\n");
  auto env = std::make_shared<ConfigEnvironment>();
  env->credentials_directory = (dir.path() / "creds").string();
  Diagnostics diagnostics;
  const ReadContext ctx(diagnostics, env, "test.yaml", "connectors.x");
  const YAML::Node node = YAML::Load("password_file: pw\nuser: u\n");
  const auto password = read_secret(node, "password", Presence::required, ctx);
  ASSERT_TRUE(password) << to_string(diagnostics.items());
  EXPECT_EQ(password->reveal(), "pa55");
  EXPECT_FALSE(read_secret(node, "api_key", Presence::optional, ctx));
  EXPECT_TRUE(diagnostics.empty());
  EXPECT_FALSE(read_secret(node, "api_key", Presence::required, ctx));
  EXPECT_THAT(texts(diagnostics.items()),
              ElementsAre("test.yaml:1:1: connectors.x.api_key: missing required key (give "
                          "api_key or api_key_file)"));
}

TEST(SchemaDoc, DescribesTypesAndDefaults) {
  EXPECT_EQ(render_markdown(fake_schema().doc(), "connectors.<name>.", /*recurse=*/true),
            "| Key | Type | Default | Description |\n"
            "|---|---|---|---|\n"
            "| `connectors.<name>.base_url` | string | required | API root. |\n"
            "| `connectors.<name>.token` (or `token_file`) | secret | required | API token. |\n"
            "| `connectors.<name>.refresh_token` (or `refresh_token_file`) | secret | none | "
            "Refresh token. |\n"
            "| `connectors.<name>.timeout` | duration | `30s` | Request deadline. |\n"
            "| `connectors.<name>.body_limit` | size | `64KiB` | Largest response body. |\n"
            "| `connectors.<name>.mode` | one of: fast, slow | `fast` | Pace. |\n"
            "| `connectors.<name>.team_ids` | map of string to string | none | Team name \\| "
            "vendor id. |\n"
            "| `connectors.<name>.ports` | list of integers | none | Ports. |\n"
            "| `connectors.<name>.tags` | list of strings | none | Tags. |\n"
            "| `connectors.<name>.verbose` | boolean | `false` | Chatty. |\n"
            "| `connectors.<name>.ratio` | number | `0.5` | Ratio. |\n"
            "| `connectors.<name>.limit` | integer | none | Limit. |\n"
            "| `connectors.<name>.retry` | mapping |  | Retries. |\n"
            "| `connectors.<name>.retry.base_delay` | duration | `100ms` | First backoff. |\n"
            "| `connectors.<name>.retry.max_attempts` | integer (1 to 10) | `5` | Attempts. |\n");
}

TEST(Schema, DeclaringAKeyTwiceIsAProgrammingError) {
  using enum Presence;
  const auto make = [] {
    return Schema<RetrySettings>{{
        {"max_attempts", &RetrySettings::max_attempts, optional, "a"},
        {"max_attempts", &RetrySettings::max_attempts, optional, "b"},
    }};
  };
  EXPECT_THROW(make(), std::logic_error);
}

}  // namespace
}  // namespace opsync
