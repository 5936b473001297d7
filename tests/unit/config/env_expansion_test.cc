#include "config/env_expansion.h"

#include <gtest/gtest.h>

#include <map>

namespace opsync {
namespace {

EnvLookup fake_env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

const EnvLookup kEnv = fake_env({{"HOST", "kafka-1"},
                                 {"PORT", "9092"},
                                 {"EMPTY", ""},
                                 {"TRICKY", "${HOST}"},
                                 {"PASSWORD", "hunter2"}});

TEST(ExpandVariables, LeavesPlainTextAlone) {
  const Expansion e = expand_variables("plain $text $ and $$ too", kEnv);
  ASSERT_TRUE(e.ok()) << e.error;
  EXPECT_EQ(e.value, "plain $text $ and $$ too");
  EXPECT_FALSE(e.used_variables);
}

TEST(ExpandVariables, ReplacesReferences) {
  const Expansion e = expand_variables("${HOST}:${PORT}", kEnv);
  ASSERT_TRUE(e.ok()) << e.error;
  EXPECT_EQ(e.value, "kafka-1:9092");
  EXPECT_TRUE(e.used_variables);
}

TEST(ExpandVariables, DefaultsApplyWhenUnsetOrEmpty) {
  EXPECT_EQ(expand_variables("${NOPE:-fallback}", kEnv).value, "fallback");
  EXPECT_EQ(expand_variables("${EMPTY:-fallback}", kEnv).value, "fallback");
  EXPECT_EQ(expand_variables("${HOST:-fallback}", kEnv).value, "kafka-1");
  EXPECT_EQ(expand_variables("${NOPE:-}", kEnv).value, "");
  EXPECT_EQ(expand_variables("${NOPE:-a:b/c}", kEnv).value, "a:b/c");
}

TEST(ExpandVariables, SetButEmptyIsEmpty) {
  const Expansion e = expand_variables("[${EMPTY}]", kEnv);
  ASSERT_TRUE(e.ok()) << e.error;
  EXPECT_EQ(e.value, "[]");
}

TEST(ExpandVariables, ExpandsOnlyOnce) {
  EXPECT_EQ(expand_variables("${TRICKY}", kEnv).value, "${HOST}");
}

TEST(ExpandVariables, DoubleDollarIsALiteralReference) {
  EXPECT_EQ(expand_variables("$${HOST}", kEnv).value, "${HOST}");
}

TEST(ExpandVariables, UnsetVariableNamesItAndNoValue) {
  const Expansion e = expand_variables("x-${MISSING_VAR}-${PASSWORD}", kEnv);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error.find("MISSING_VAR"), std::string::npos) << e.error;
  EXPECT_EQ(e.error.find("hunter2"), std::string::npos) << e.error;
}

TEST(ExpandVariables, MalformedReferencesAreErrorsThatQuoteNothing) {
  for (const char* text :
       {"secret${", "secret${HOST", "secret${}", "secret${1X}", "secret${A-B}"}) {
    const Expansion e = expand_variables(text, kEnv);
    EXPECT_FALSE(e.ok()) << text;
    EXPECT_EQ(e.error.find("secret"), std::string::npos) << e.error;
  }
}

}  // namespace
}  // namespace opsync
