#include "framework/mapping_tables.h"

#include <gtest/gtest.h>

namespace opsync {
namespace {

MappingTables tables() {
  return MappingTables::from_config("glia_eu", {{"support", "team-1"}, {"sales", "team-2"}},
                                    {{"Europe/Paris", "CET"}},
                                    {{"en", "eng"}, {"pt-BR", "pob"}, {"pt", "por"}});
}

TEST(MappingTables, FindsConfiguredValues) {
  auto t = tables();
  EXPECT_EQ(t.teams.lookup("support").value, "team-1");
  EXPECT_EQ(t.time_zones.lookup("Europe/Paris").value, "CET");
}

TEST(MappingTables, UnknownValueIsAClearError) {
  auto t = tables();
  Mapped m = t.teams.lookup("vip");
  EXPECT_FALSE(m.ok());
  EXPECT_EQ(m.error, "team 'vip' has no mapping in connectors.glia_eu.teams");
  EXPECT_EQ(t.time_zones.lookup("Asia/Tokyo").error,
            "time zone 'Asia/Tokyo' has no mapping in connectors.glia_eu.time_zones");
}

TEST(MappingTables, LookupAllStopsAtTheFirstMissingValue) {
  auto t = tables();
  std::vector<std::string> out;
  EXPECT_EQ(t.teams.lookup_all({"support", "sales"}, out), std::nullopt);
  EXPECT_EQ(out, (std::vector<std::string>{"team-1", "team-2"}));
  auto error = t.teams.lookup_all({"support", "vip", "nope"}, out);
  ASSERT_TRUE(error);
  EXPECT_EQ(*error, "team 'vip' has no mapping in connectors.glia_eu.teams");
}

TEST(MappingTables, LocaleFallsBackToItsLanguage) {
  auto t = tables();
  EXPECT_EQ(t.language_for_locale("pt-BR").value, "pob");
  EXPECT_EQ(t.language_for_locale("pt-PT").value, "por");
  EXPECT_EQ(t.language_for_locale("en-US").value, "eng");
  Mapped m = t.language_for_locale("fr-FR");
  EXPECT_EQ(m.error, "locale 'fr-FR' has no mapping in connectors.glia_eu.languages");
}

TEST(MappingTables, EmptyTableRejectsEverything) {
  MappingTable empty("team", "connectors.x.teams", {});
  EXPECT_FALSE(empty.lookup("support").ok());
}

}  // namespace
}  // namespace opsync
