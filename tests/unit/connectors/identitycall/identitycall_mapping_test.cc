// Golden mapping tests: golden/mapping_*.json hold a canonical record ("deleted", "attributes")
// and the IdentityCall fields it maps to ("fields") or the rule it breaks ("error").
#include "identitycall/identitycall_mapping.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <filesystem>

#include "support/fake_transport.h"

namespace opsync {
namespace {

namespace json = boost::json;

CanonicalOperator record(const json::object& attributes, bool deleted = false) {
  CanonicalOperator op;
  op.id = "emp-1";
  op.attributes = attributes;
  op.deleted = deleted;
  return op;
}

TEST(IdentityCallMapping, GoldenFiles) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(IDENTITYCALL_GOLDEN_DIR)) {
    if (e.path().filename().string().rfind("mapping_", 0) == 0) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 4U);
  for (const auto& path : files) {
    SCOPED_TRACE(path.string());
    json::object golden = json::parse(test::read_text(path.string())).as_object();
    const bool deleted = golden.contains("deleted") && golden.at("deleted").as_bool();
    MapResult r = map_identitycall_operator(record(golden.at("attributes").as_object(), deleted));
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

TEST(IdentityCallMapping, Rules) {
  EXPECT_EQ(map_identitycall_operator(record({{"given_name", "Jo"}, {"family_name", "Li"}}))
                .fields.at("name"),
            "Jo Li");
  EXPECT_EQ(map_identitycall_operator(record({})).fields.at("active"), true);
  EXPECT_EQ(map_identitycall_operator(record({{"active", false}})).fields.at("active"), false);
  EXPECT_EQ(map_identitycall_operator(record({}, true)).fields.at("active"), false);
  EXPECT_TRUE(is_identitycall_phone("+15551234567"));
  EXPECT_FALSE(is_identitycall_phone("5551234567"));
  EXPECT_FALSE(is_identitycall_phone("+1555"));
  EXPECT_NE(map_identitycall_operator(record({{"phone", "12"}})).error.find("E.164"),
            std::string::npos);
}

}  // namespace
}  // namespace opsync
