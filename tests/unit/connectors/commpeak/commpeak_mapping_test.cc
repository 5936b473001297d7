// The CommPeak mapping against golden/mapping.json: fields, types (numbers, 0/1 flags, strings)
// and every rule that refuses a record before it is sent.
#include "commpeak/commpeak_mapping.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "commpeak/commpeak_settings.h"
#include "support/recording_transport.h"

namespace opsync {
namespace {

MappingTables tables() {
  CommPeakSettings s;
  s.time_zones = {{"Europe/Lisbon", 42}, {"America/New_York", 7}};
  s.languages = {{"es", "es_ES"}};
  return s.tables("commpeak_eu");
}

TEST(CommPeakMapping, GoldenCases) {
  const auto cases = test::read_json_file(COMMPEAK_GOLDEN_DIR "/mapping.json").as_array();
  ASSERT_FALSE(cases.empty());
  for (const auto& c : cases) {
    const auto& tc = c.as_object();
    SCOPED_TRACE(boost::json::serialize(tc.at("case")));
    CanonicalOperator op;
    op.id = "emp-1";
    op.attributes = tc.at("attributes").as_object();
    if (const auto* d = tc.if_contains("deleted")) op.deleted = d->as_bool();
    MapResult result = map_commpeak_user(op, tables());
    if (const auto* error = tc.if_contains("error")) {
      EXPECT_FALSE(result.ok());
      EXPECT_EQ(result.error, error->as_string());
    } else {
      ASSERT_TRUE(result.ok()) << result.error;
      EXPECT_EQ(boost::json::serialize(result.fields), boost::json::serialize(tc.at("fields")));
    }
  }
}

TEST(CommPeakMapping, LanguageWithoutTable) {
  MappingTables none = CommPeakSettings{}.tables("c");
  EXPECT_EQ(commpeak_language("en-US", none).value, "en_US");
  EXPECT_EQ(commpeak_language("pt_BR", none).value, "pt_BR");
  EXPECT_FALSE(commpeak_language("en", none).ok());
  EXPECT_FALSE(commpeak_language("en-GB", none).ok());
}

}  // namespace
}  // namespace opsync
