// Golden mapping tests: golden/mapping_*.json hold a canonical record ("deleted", "attributes")
// and the Glia fields it maps to ("fields") or the rule it breaks ("error").
#include "glia/glia_mapping.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <filesystem>

#include "support/fake_transport.h"

namespace opsync {
namespace {

namespace json = boost::json;

GliaMapping test_mapping() {
  GliaSettings s;
  s.teams = {
      {"support", "site-1/team-support"}, {"sales", "team-sales"}, {"vip", "site-2/team-vip"}};
  s.site_id = "site-1";
  s.audio_source = "auto";
  s.sip_domain_id = "sipdom-1";
  return GliaMapping::from_settings("glia_eu", s);
}

CanonicalOperator record(const json::object& attributes, bool deleted = false) {
  CanonicalOperator op;
  op.id = "emp-1";
  op.attributes = attributes;
  op.deleted = deleted;
  return op;
}

TEST(GliaMapping, GoldenFiles) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(GLIA_GOLDEN_DIR)) {
    if (e.path().filename().string().rfind("mapping_", 0) == 0) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 5U);
  for (const auto& path : files) {
    SCOPED_TRACE(path.string());
    json::object golden = json::parse(test::read_text(path.string())).as_object();
    const bool deleted = golden.contains("deleted") && golden.at("deleted").as_bool();
    MapResult r =
        map_glia_operator(record(golden.at("attributes").as_object(), deleted), test_mapping());
    json::object actual{{"attributes", golden.at("attributes")}};
    if (golden.contains("deleted")) actual["deleted"] = deleted;
    if (r.ok()) {
      actual["fields"] = r.fields;
    } else {
      actual["error"] = r.error;
    }
    test::expect_golden(path.string(), actual);
  }
}

MapResult map(json::object attributes) {
  return map_glia_operator(record(attributes), test_mapping());
}

TEST(GliaMapping, NameFallsBackToGivenAndFamily) {
  EXPECT_EQ(map({{"given_name", "Jane"}, {"family_name", "Doe"}}).fields.at("name"), "Jane Doe");
  EXPECT_EQ(map({{"display_name", " "}, {"given_name", "Jane"}}).fields.at("name"), "Jane");
  EXPECT_FALSE(map({{"email", "a@example.com"}}).fields.contains("name"));
}

TEST(GliaMapping, EnabledIsActiveAndNotDeleted) {
  EXPECT_EQ(map({}).fields.at("enabled"), true);
  EXPECT_EQ(map({{"active", false}}).fields.at("enabled"), false);
  EXPECT_EQ(
      map_glia_operator(record({{"active", true}}, true), test_mapping()).fields.at("enabled"),
      false);
}

TEST(GliaMapping, PhoneExtensionRules) {
  EXPECT_TRUE(is_glia_phone_extension(",,1,23"));
  EXPECT_TRUE(is_glia_phone_extension("1234567"));
  EXPECT_FALSE(is_glia_phone_extension("12345678"));                    // 8 digits
  EXPECT_FALSE(is_glia_phone_extension(",,,,,,,,,,,,,,,,,,,,,,,,,1"));  // 26 characters
  EXPECT_FALSE(is_glia_phone_extension(",,,"));                         // no digit
  EXPECT_FALSE(is_glia_phone_extension("12#"));
  // Without a canonical phone the extension is still sent: Glia may hold a phone set beforehand.
  EXPECT_EQ(map({{"phone_extension", "12"}}).fields.at("phone_extension"), "12");
  EXPECT_NE(map({{"phone", "+15551234567"}, {"phone_extension", "12345678"}}).error.find("1-7"),
            std::string::npos);
  EXPECT_TRUE(map({{"phone", "+15551234567"}, {"phone_extension", ",,12"}}).ok());
}

TEST(GliaMapping, PhoneMustBeE164) {
  EXPECT_TRUE(is_glia_e164("+15551234567"));
  EXPECT_FALSE(is_glia_e164("15551234567"));
  EXPECT_FALSE(is_glia_e164("+05551234567"));
  EXPECT_NE(map({{"phone", "555-1234"}}).error.find("E.164"), std::string::npos);
}

TEST(GliaMapping, MaxEngagementCountMustBePositive) {
  EXPECT_EQ(map({{"max_concurrent_chats", 3}}).fields.at("max_engagement_count"), 3);
  EXPECT_NE(map({{"max_concurrent_chats", 0}}).error.find("positive"), std::string::npos);
}

TEST(GliaMapping, AssignmentsFromTeams) {
  MapResult r = map({{"teams", json::array{"sales", "support", "vip"}}});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.fields.at("assignments"),
            json::parse(R"([{"site_id":"site-1","team_ids":["team-sales","team-support"]},
                            {"site_id":"site-2","team_ids":["team-vip"]}])"));
  // An empty list is never sent: Glia refuses empty assignments.
  EXPECT_FALSE(map({{"teams", json::array{}}}).fields.contains("assignments"));
  EXPECT_EQ(map({{"teams", json::array{"nope"}}}).error,
            "team 'nope' has no mapping in connectors.glia_eu.teams");
}

TEST(GliaMapping, AudioSourceAndSip) {
  GliaMapping m = test_mapping();
  m.audio_source = "phone";
  EXPECT_NE(map_glia_operator(record({}), m).error.find("requires a phone"), std::string::npos);
  m.audio_source = "sip_phone";
  EXPECT_NE(map_glia_operator(record({}), m).error.find("sip_phone"), std::string::npos);
  MapResult sip = map_glia_operator(record({{"sip_uri", "sip:1001@pbx.example.com"}}), m);
  ASSERT_TRUE(sip.ok()) << sip.error;
  EXPECT_EQ(sip.fields.at("sip_extension"), "1001");
  EXPECT_EQ(sip.fields.at("sip_domain_id"), "sipdom-1");
  EXPECT_NE(map({{"sip_uri", "sip:" + std::string(31, '1') + "@pbx.example.com"}})
                .error.find("30 characters"),
            std::string::npos);
  m.audio_source = "none";
  EXPECT_FALSE(
      map_glia_operator(record({{"phone", "+15551234567"}}), m).fields.contains("audio_source"));
  m.audio_source = "auto";
  EXPECT_EQ(map_glia_operator(record({}), m).fields.at("audio_source"), "computer");
  EXPECT_EQ(map_glia_operator(record({{"phone", "+15551234567"}}), m).fields.at("audio_source"),
            "phone");
}

}  // namespace
}  // namespace opsync
