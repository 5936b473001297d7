#include "events/attribute_rules.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string>

#include "events/reference_tables.h"

namespace opsync {
namespace {

namespace json = boost::json;

struct Checked {
  json::object out;
  std::optional<DecodeError> error;
};

Checked check(std::string_view attributes_json, EventMode mode = EventMode::patch,
              DecoderLimits limits = {}) {
  Checked c;
  c.error = validate_attributes(json::parse(attributes_json).as_object(), mode, limits, c.out);
  return c;
}

/// The normalised value of one attribute, which must be valid.
json::value accepted(std::string_view name, std::string_view value_json) {
  const std::string doc = "{\"" + std::string(name) + "\":" + std::string(value_json) + "}";
  const Checked c = check(doc);
  EXPECT_FALSE(c.error) << doc << " -> " << c.error->reason << " " << c.error->detail;
  const auto* v = c.out.if_contains(name);
  return v ? *v : json::value("<missing>");
}

/// The reason code one attribute value is rejected with ("" when accepted).
std::string rejected(std::string_view name, std::string_view value_json) {
  const std::string doc = "{\"" + std::string(name) + "\":" + std::string(value_json) + "}";
  const Checked c = check(doc);
  if (!c.error) return "";
  EXPECT_NE(c.error->detail.find("data.attributes." + std::string(name)), std::string::npos)
      << c.error->detail;
  return c.error->reason;
}

TEST(Attributes, SixteenCanonicalNames) {
  const auto names = canonical_attribute_names();
  ASSERT_EQ(names.size(), 16u);
  EXPECT_EQ(names.front(), "given_name");
  EXPECT_EQ(names.back(), "external_ids");
}

TEST(Attributes, FullValidRecordIsNormalised) {
  const Checked c = check(R"({
    "given_name": "Jane", "family_name": "Doe", "display_name": "Jane Doe",
    "email": "Jane.Doe@Example.COM", "phone": "+1 (555) 123-4567", "phone_extension": "042",
    "sip_uri": "SIP:jane@PBX.example.com", "active": true, "role": "manager",
    "teams": ["Billing", "Tier 2"], "languages": ["en", "PT"], "locale": "pt_br",
    "timezone": "europe/lisbon", "max_concurrent_chats": 3,
    "channels": {"chat": true, "voice": false}, "external_ids": {"glia": "a1", "plugchat-eu": "77"}
  })");
  ASSERT_FALSE(c.error) << c.error->detail;
  EXPECT_EQ(c.out, json::parse(R"({
    "given_name": "Jane", "family_name": "Doe", "display_name": "Jane Doe",
    "email": "Jane.Doe@example.com", "phone": "+15551234567", "phone_extension": "042",
    "sip_uri": "sip:jane@pbx.example.com", "active": true, "role": "manager",
    "teams": ["Billing", "Tier 2"], "languages": ["en", "pt"], "locale": "pt-BR",
    "timezone": "Europe/Lisbon", "max_concurrent_chats": 3,
    "channels": {"chat": true, "voice": false}, "external_ids": {"glia": "a1", "plugchat-eu": "77"}
  })"));
}

TEST(Attributes, UnknownAttribute) {
  const Checked c = check(R"({"email": "a@b.co", "nickname": "JD"})");
  ASSERT_TRUE(c.error);
  EXPECT_EQ(c.error->reason, "unknown_attribute");
  EXPECT_EQ(c.error->detail, "data.attributes.nickname: not a canonical attribute");
}

TEST(Attributes, UnknownAttributeNameIsTruncatedInDetail) {
  const std::string name(5000, 'x');
  const Checked c = check("{\"" + name + "\": 1}");
  ASSERT_TRUE(c.error);
  EXPECT_EQ(c.error->reason, "unknown_attribute");
  EXPECT_LT(c.error->detail.size(), 120u);
}

TEST(Attributes, NullClearsInPatch) {
  const Checked c = check(R"({"phone": null, "email": "a@b.co"})", EventMode::patch);
  ASSERT_FALSE(c.error);
  ASSERT_TRUE(c.out.contains("phone"));
  EXPECT_TRUE(c.out.at("phone").is_null());
  EXPECT_EQ(c.out.at("email"), "a@b.co");
}

TEST(Attributes, SnapshotDropsNulls) {
  const Checked c =
      check(R"({"phone": null, "teams": null, "email": "a@b.co"})", EventMode::snapshot);
  ASSERT_FALSE(c.error);
  EXPECT_EQ(c.out, json::parse(R"({"email": "a@b.co"})"));
}

TEST(Attributes, NullOfUnknownAttributeIsStillUnknown) {
  EXPECT_EQ(rejected("nickname", "null"), "unknown_attribute");
}

TEST(Attributes, WrongJsonTypes) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"given_name", "1"},
      {"family_name", "true"},
      {"display_name", "[]"},
      {"email", "{}"},
      {"phone", "15551234567"},
      {"phone_extension", "42"},
      {"sip_uri", "false"},
      {"active", "\"true\""},
      {"active", "1"},
      {"role", "[\"admin\"]"},
      {"teams", "\"Billing\""},
      {"teams", "[1]"},
      {"teams", "[null]"},
      {"languages", "\"en\""},
      {"languages", "[[\"en\"]]"},
      {"locale", "1"},
      {"timezone", "0"},
      {"max_concurrent_chats", "\"3\""},
      {"max_concurrent_chats", "2.5"},
      {"max_concurrent_chats", "true"},
      {"channels", "[]"},
      {"channels", "{\"chat\": \"yes\"}"},
      {"channels", "{\"chat\": null}"},
      {"external_ids", "[]"},
      {"external_ids", "{\"glia\": 12}"},
      {"external_ids", "{\"glia\": null}"},
  };
  for (const auto& [name, value] : cases) {
    EXPECT_EQ(rejected(name, value), "wrong_type") << name << " = " << value;
  }
}

TEST(Attributes, WrongTypeDetailNamesPathAndKinds) {
  const Checked c = check(R"({"active": "yes"})");
  ASSERT_TRUE(c.error);
  EXPECT_EQ(c.error->detail, "data.attributes.active: expected boolean, got string");
  const Checked t = check(R"({"teams": ["a", 2]})");
  ASSERT_TRUE(t.error);
  EXPECT_EQ(t.error->detail, "data.attributes.teams[1]: expected string, got number");
}

TEST(Attributes, Names) {
  EXPECT_EQ(accepted("given_name", "\"Zoë\""), "Zoë");
  EXPECT_EQ(accepted("display_name", "\"李 小龙\""), "李 小龙");
  std::string max255;
  for (int i = 0; i < 255; ++i) max255 += "é";  // 255 characters, 510 bytes
  EXPECT_EQ(accepted("family_name", "\"" + max255 + "\"").as_string(), max255);
  EXPECT_EQ(rejected("family_name", "\"" + max255 + "e\""), "too_long");
  EXPECT_EQ(rejected("given_name", "\"\""), "invalid_attribute");
  EXPECT_EQ(rejected("given_name", "\"   \""), "invalid_attribute");
  EXPECT_EQ(rejected("given_name", "\"Jane\\nDoe\""), "invalid_attribute");
  EXPECT_EQ(rejected("given_name", "\"Jane\\u0000\""), "invalid_attribute");
  EXPECT_EQ(rejected("given_name", "\"Jane\\u0085\""), "invalid_attribute");  // C1 control
  EXPECT_EQ(rejected("given_name", "\"Jane\\u007f\""), "invalid_attribute");
}

TEST(Attributes, EmailAndPhone) {
  EXPECT_EQ(accepted("email", "\"jane.doe@EXAMPLE.com\""), "jane.doe@example.com");
  EXPECT_EQ(rejected("email", "\"jane.doe\""), "invalid_email");
  EXPECT_EQ(rejected("email", "\"\""), "invalid_email");
  EXPECT_EQ(accepted("phone", "\"0044 20 7946 0958\""), "+442079460958");
  EXPECT_EQ(rejected("phone", "\"12345\""), "invalid_phone");
  EXPECT_EQ(rejected("phone", "\"+0123456789\""), "invalid_phone");
  const Checked c = check(R"({"phone": "12345"})");
  ASSERT_TRUE(c.error);
  EXPECT_EQ(c.error->detail.rfind("data.attributes.phone: \"12345\" ", 0), 0u) << c.error->detail;
}

TEST(Attributes, PhoneExtensionAndSip) {
  EXPECT_EQ(accepted("phone_extension", "\"0042\""), "0042");
  EXPECT_EQ(rejected("phone_extension", "\"12345678\""), "invalid_attribute");
  EXPECT_EQ(rejected("phone_extension", "\"\""), "invalid_attribute");
  EXPECT_EQ(accepted("sip_uri", "\"sips:jane@Example.com\""), "sips:jane@example.com");
  EXPECT_EQ(rejected("sip_uri", "\"sip:example.com\""), "invalid_attribute");
  EXPECT_EQ(rejected("sip_uri", "\"sip:" + std::string(300, 'a') + "@x.com\""), "too_long");
}

TEST(Attributes, RoleAndActive) {
  for (const char* role : {"operator", "manager", "admin"}) {
    EXPECT_EQ(accepted("role", "\"" + std::string(role) + "\""), role);
  }
  EXPECT_EQ(rejected("role", "\"Admin\""), "invalid_enum");
  EXPECT_EQ(rejected("role", "\"supervisor\""), "invalid_enum");
  EXPECT_EQ(accepted("active", "false"), false);
}

TEST(Attributes, Teams) {
  EXPECT_EQ(accepted("teams", "[]"), json::array());
  EXPECT_EQ(accepted("teams", R"(["B", "A", "b"])"), json::parse(R"(["B", "A", "b"])"));
  EXPECT_EQ(rejected("teams", R"(["A", "B", "A"])"), "invalid_attribute");
  EXPECT_EQ(rejected("teams", R"([""])"), "invalid_attribute");
  EXPECT_EQ(rejected("teams", "[\"" + std::string(101, 't') + "\"]"), "too_long");
  EXPECT_EQ(accepted("teams", "[\"" + std::string(100, 't') + "\"]").as_array().size(), 1u);
  std::string hundred = "[", too_many = "[";
  for (int i = 0; i < 101; ++i) {
    const std::string item = "\"t" + std::to_string(i) + "\"";
    if (i < 100) hundred += (i ? "," : "") + item;
    too_many += (i ? "," : "") + item;
  }
  hundred += "]";
  too_many += "]";
  EXPECT_EQ(accepted("teams", hundred).as_array().size(), 100u);
  EXPECT_EQ(rejected("teams", too_many), "too_long");
}

TEST(Attributes, Languages) {
  EXPECT_EQ(accepted("languages", R"(["en", "pt", "zu"])"), json::parse(R"(["en", "pt", "zu"])"));
  EXPECT_EQ(accepted("languages", R"(["EN", "De"])"), json::parse(R"(["en", "de"])"));
  EXPECT_EQ(accepted("languages", "[]"), json::array());
  EXPECT_EQ(rejected("languages", R"(["xx"])"), "invalid_language");
  EXPECT_EQ(rejected("languages", R"(["eng"])"), "invalid_language");
  EXPECT_EQ(rejected("languages", R"(["en-US"])"), "invalid_language");
  EXPECT_EQ(rejected("languages", R"(["e"])"), "invalid_language");
  EXPECT_EQ(rejected("languages", R"([""])"), "invalid_language");
  EXPECT_EQ(rejected("languages", R"(["qq"])"), "invalid_language");
  EXPECT_EQ(rejected("languages", R"(["en", "EN"])"), "invalid_attribute");
}

TEST(Attributes, Iso639ListIsTheRealOne) {
  EXPECT_EQ(reference::iso639_1_codes().size(), 184u);
  for (const char* code : {"aa", "en", "pt", "zh", "zu", "he", "yi", "id"}) {
    EXPECT_TRUE(reference::is_iso639_1(code)) << code;
  }
  for (const char* code : {"iw", "ji", "in", "xx", "EN", "e", "eng"}) {
    EXPECT_FALSE(reference::is_iso639_1(code)) << code;
  }
}

TEST(Attributes, Locale) {
  EXPECT_EQ(accepted("locale", "\"en-us\""), "en-US");
  EXPECT_EQ(accepted("locale", "\"pt-BR\""), "pt-BR");
  EXPECT_EQ(accepted("locale", "\"en\""), "en");
  EXPECT_EQ(accepted("locale", "\"es-419\""), "es-419");
  EXPECT_EQ(rejected("locale", "\"english\""), "invalid_locale");
  EXPECT_EQ(rejected("locale", "\"xx-US\""), "invalid_locale");
}

TEST(Attributes, Timezone) {
  EXPECT_EQ(accepted("timezone", "\"Europe/Lisbon\""), "Europe/Lisbon");
  EXPECT_EQ(accepted("timezone", "\"america/argentina/buenos_aires\""),
            "America/Argentina/Buenos_Aires");
  EXPECT_EQ(accepted("timezone", "\"UTC\""), "UTC");
  EXPECT_EQ(accepted("timezone", "\"Etc/GMT+5\""), "Etc/GMT+5");
  EXPECT_EQ(accepted("timezone", "\"US/Eastern\""), "US/Eastern");  // a Link: kept as given
  EXPECT_EQ(accepted("timezone", "\"Europe/Kyiv\""), "Europe/Kyiv");
  EXPECT_EQ(rejected("timezone", "\"Mars/Olympus\""), "invalid_timezone");
  EXPECT_EQ(rejected("timezone", "\"\""), "invalid_timezone");
  EXPECT_EQ(rejected("timezone", "\"Europe/Lisbon \""), "invalid_timezone");
  EXPECT_EQ(rejected("timezone", "\"+02:00\""), "invalid_timezone");
  EXPECT_EQ(rejected("timezone", "\"Europe\""), "invalid_timezone");
  EXPECT_EQ(rejected("timezone", "\"posixrules\""), "invalid_timezone");
}

TEST(Attributes, ZoneTableIsSortedForLookup) {
  const auto zones = reference::iana_zone_names();
  EXPECT_GT(zones.size(), 500u);
  for (const auto zone : zones) {
    const auto found = reference::find_iana_zone(zone);
    ASSERT_TRUE(found) << zone;
    EXPECT_EQ(*found, zone);
  }
  EXPECT_FALSE(reference::tzdata_version().empty());
}

TEST(Attributes, MaxConcurrentChats) {
  EXPECT_EQ(accepted("max_concurrent_chats", "0"), 0);
  EXPECT_EQ(accepted("max_concurrent_chats", "1000"), 1000);
  EXPECT_EQ(rejected("max_concurrent_chats", "1001"), "invalid_attribute");
  EXPECT_EQ(rejected("max_concurrent_chats", "-1"), "invalid_attribute");
  EXPECT_EQ(rejected("max_concurrent_chats", "18446744073709551615"), "invalid_attribute");
}

TEST(Attributes, Channels) {
  EXPECT_EQ(accepted("channels", R"({"chat": true, "voice": false, "video": true})"),
            json::parse(R"({"chat": true, "voice": false, "video": true})"));
  EXPECT_EQ(accepted("channels", "{}"), json::object());
  EXPECT_EQ(rejected("channels", R"({"email": true})"), "unknown_attribute");
  const Checked c = check(R"({"channels": {"sms": true}})");
  ASSERT_TRUE(c.error);
  EXPECT_EQ(c.error->detail.rfind("data.attributes.channels.sms: ", 0), 0u) << c.error->detail;
}

TEST(Attributes, ExternalIds) {
  EXPECT_EQ(accepted("external_ids", R"({"glia": "g-1", "commpeak_2": "42"})"),
            json::parse(R"({"glia": "g-1", "commpeak_2": "42"})"));
  EXPECT_EQ(rejected("external_ids", R"({"Glia": "g-1"})"), "invalid_attribute");
  EXPECT_EQ(rejected("external_ids", R"({"": "g-1"})"), "invalid_attribute");
  EXPECT_EQ(rejected("external_ids", R"({"glia": ""})"), "invalid_attribute");
  EXPECT_EQ(rejected("external_ids", "{\"glia\": \"" + std::string(256, 'x') + "\"}"), "too_long");
  EXPECT_EQ(rejected("external_ids", "{\"" + std::string(65, 'a') + "\": \"x\"}"),
            "invalid_attribute");
}

TEST(Attributes, ConfigurableLimits) {
  DecoderLimits limits;
  limits.max_list_items = 2;
  limits.max_text_chars = 4;
  json::object out;
  auto e = validate_attributes(json::parse(R"({"teams": ["a","b","c"]})").as_object(),
                               EventMode::patch, limits, out);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason, "too_long");
  e = validate_attributes(json::parse(R"({"given_name": "Janet"})").as_object(), EventMode::patch,
                          limits, out);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason, "too_long");
}

}  // namespace
}  // namespace opsync
