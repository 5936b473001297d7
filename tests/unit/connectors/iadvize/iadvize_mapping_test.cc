// The iAdvize mapping: golden field sets for canonical records, and the rules checked before
// anything is sent.
#include "iadvize/iadvize_mapping.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "golden_file.h"
#include "iadvize/iadvize_form.h"

namespace opsync {
namespace {

MappingTables tables() {
  return MappingTables::from_config("iadvize",
                                    {{"support", "101"}, {"support-fr", "101"}, {"sales", "102"}},
                                    {}, {{"it", "en"}, {"pt-BR", "es"}});
}

CanonicalOperator op(std::string_view attributes, bool deleted = false) {
  CanonicalOperator out;
  out.id = "emp-00042";
  out.deleted = deleted;
  out.attributes = boost::json::parse(attributes).as_object();
  return out;
}

constexpr std::string_view kFull = R"({
  "given_name": "Jane", "family_name": "Doe", "display_name": "Jane D.",
  "email": "jane.doe@example.com", "phone": "+15551234567", "active": true, "role": "manager",
  "teams": ["support", "support-fr"], "languages": ["en", "fr"], "locale": "fr-BE",
  "timezone": "Europe/Brussels", "max_concurrent_chats": 4,
  "channels": {"chat": true, "voice": false, "video": true},
  "external_ids": {"iadvize": "42"}})";

boost::json::value golden_of(const MapResult& r) {
  if (!r.ok()) return boost::json::object{{"error", r.error}};
  return boost::json::object{{"fields", r.fields}};
}

TEST(IAdvizeMapping, FullRecord) {
  test::expect_golden("mapping/full.json", golden_of(iadvize::map_operator(op(kFull), tables())));
}

TEST(IAdvizeMapping, MinimalRecordSendsOnlyWhatIsSet) {
  test::expect_golden("mapping/minimal.json",
                      golden_of(iadvize::map_operator(op(R"({"email":"a@b.io"})"), tables())));
}

TEST(IAdvizeMapping, InactiveSwitchesEveryChannelOff) {
  test::expect_golden(
      "mapping/inactive.json",
      golden_of(iadvize::map_operator(
          op(R"({"email":"a@b.io","active":false,"channels":{"chat":true}})"), tables())));
}

TEST(IAdvizeMapping, DeletedSwitchesEveryChannelOff) {
  test::expect_golden("mapping/deleted.json",
                      golden_of(iadvize::map_operator(
                          op(R"({"email":"a@b.io","channels":{"chat":true}})", true), tables())));
}

TEST(IAdvizeMapping, DisplayNameWhenNoFamilyName) {
  test::expect_golden(
      "mapping/display_name.json",
      golden_of(iadvize::map_operator(op(R"({"display_name":"Support Bot","locale":"it-IT",
                                            "teams":["sales"],"role":"admin"})"),
                                      tables())));
}

TEST(IAdvizeMapping, LocaleFromTableThenLanguage) {
  auto admin = [](std::string_view locale) {
    auto r = iadvize::map_operator(op(std::string(R"({"locale":")") + std::string(locale) + "\"}"),
                                   tables());
    return r.ok() ? std::string(r.fields.at("language_admin").as_string()) : r.error;
  };
  EXPECT_EQ(admin("de-AT"), "de");
  EXPECT_EQ(admin("EN_gb"), "en");
  EXPECT_EQ(admin("pt-BR"), "es");  // exact locale entry
  EXPECT_EQ(admin("it-CH"), "en");  // language entry
  EXPECT_EQ(admin("nl-NL"),
            "iAdvize: locale 'nl-NL': iAdvize language_admin must be de, en, es or fr; map it in "
            "connectors.iadvize.languages");
}

TEST(IAdvizeMapping, RulesAreFailuresNamingTheRule) {
  auto error = [](std::string_view attributes) {
    return iadvize::map_operator(op(attributes), tables()).error;
  };
  EXPECT_EQ(error(R"({"email":"not-an-email"})"), "iAdvize: email must be a valid email address");
  EXPECT_EQ(error(R"({"role":"supervisor"})"),
            "iAdvize: roles must be operator, manager or admin (role 'supervisor')");
  EXPECT_EQ(error(R"({"max_concurrent_chats":-1})"),
            "iAdvize: chat_max_number must be an integer >= 0 (max_concurrent_chats)");
  EXPECT_EQ(error(R"({"languages":["en","eng"]})"),
            "iAdvize: language_list must be ISO 639-1 codes ('eng')");
  EXPECT_EQ(error(R"({"channels":{"chat":"yes"}})"),
            "iAdvize: chat_enabled must be a boolean (channels.chat)");
}

TEST(IAdvizeMapping, TeamTableErrors) {
  auto error = [](std::string_view attributes) {
    return iadvize::map_operator(op(attributes), tables()).error;
  };
  EXPECT_EQ(error(R"({"teams":["vip"]})"),
            "iAdvize: team 'vip' has no mapping in connectors.iadvize.teams");
  EXPECT_EQ(error(R"({"teams":["support","sales"]})"),
            "iAdvize: an operator has one group_id, but teams 'support' and 'sales' map to groups "
            "101 and 102");
  // Without a teams table group_id is not managed at all.
  auto none = iadvize::map_operator(op(R"({"teams":["vip"]})"), MappingTables{});
  ASSERT_TRUE(none.ok()) << none.error;
  EXPECT_FALSE(none.fields.contains("group_id"));
}

TEST(IAdvizeMapping, IsPure) {
  const auto a = iadvize::map_operator(op(kFull), tables());
  const auto b = iadvize::map_operator(op(kFull), tables());
  EXPECT_EQ(a.fields, b.fields);
}

TEST(IAdvizeForm, EncodesBooleansListsAndEscapes) {
  const boost::json::object fields{{"name", "O'Neil & Sons"},
                                   {"email", "a+b@example.com"},
                                   {"chat_enabled", true},
                                   {"call_enabled", false},
                                   {"chat_max_number", 3},
                                   {"roles", boost::json::array{"manager"}},
                                   {"language_list", boost::json::array{}},
                                   {"chat", boost::json::object{{"available", 1}}}};
  EXPECT_EQ(iadvize::encode_form(fields),
            "call_enabled=0&chat%5Bavailable%5D=1&chat_enabled=1&chat_max_number=3&email=a%2Bb%"
            "40example.com&language_list=&name=O%27Neil+%26+Sons&roles%5B%5D=manager");
}

TEST(IAdvizeForm, ClearsIAdvizeCannotMakeAreDropped) {
  const boost::json::object changed{{"first_name", nullptr},    {"name", nullptr},
                                    {"language_list", nullptr}, {"group_id", nullptr},
                                    {"email", nullptr},         {"chat_max_number", 2}};
  EXPECT_EQ(iadvize::encode_form(iadvize::wire_fields(changed)),
            "chat_max_number=2&first_name=&language_list=&name=");
}

}  // namespace
}  // namespace opsync
