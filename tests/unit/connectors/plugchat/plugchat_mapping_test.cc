// The Plug Chat mapping against golden/mapping.json: fields, order-independent values, and every
// rule that refuses a record before it is sent.
#include "plugchat/plugchat_mapping.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "support/recording_transport.h"

namespace opsync {
namespace {

MappingTables tables() {
  return MappingTables::from_config(
      "plugchat_br",
      {{"support", "dep-support"}, {"sales", "dep-sales"}, {"helpdesk", "dep-support"}}, {}, {});
}

TEST(PlugChatMapping, GoldenCases) {
  const auto cases = test::read_json_file(PLUGCHAT_GOLDEN_DIR "/mapping.json").as_array();
  ASSERT_FALSE(cases.empty());
  for (const auto& c : cases) {
    const auto& tc = c.as_object();
    SCOPED_TRACE(boost::json::serialize(tc.at("case")));
    CanonicalOperator op;
    op.id = "emp-1";
    op.attributes = tc.at("attributes").as_object();
    if (const auto* d = tc.if_contains("deleted")) op.deleted = d->as_bool();
    MapResult result = map_plugchat_operator(op, tables());
    if (const auto* error = tc.if_contains("error")) {
      EXPECT_FALSE(result.ok());
      EXPECT_EQ(result.error, error->as_string());
    } else {
      ASSERT_TRUE(result.ok()) << result.error;
      EXPECT_EQ(boost::json::serialize(result.fields), boost::json::serialize(tc.at("fields")));
    }
  }
}

TEST(PlugChatMapping, IsDeterministic) {
  CanonicalOperator op;
  op.attributes = {{"display_name", "Jane"}, {"teams", {"sales", "support"}}};
  EXPECT_EQ(boost::json::serialize(map_plugchat_operator(op, tables()).fields),
            boost::json::serialize(map_plugchat_operator(op, tables()).fields));
}

}  // namespace
}  // namespace opsync
