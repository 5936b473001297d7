#include "framework/diff.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace opsync {
namespace {

namespace json = boost::json;

json::object obj(std::string_view text) {
  return json::parse(text).as_object();
}

TEST(Diff, OnlyChangedFields) {
  auto changed =
      diff_fields(obj(R"({"email":"a@x","name":"A","teams":[1,2]})"),
                  obj(R"({"email":"a@x","name":"B","teams":[1,2]})"), ClearStyle::null_value);
  EXPECT_EQ(changed, obj(R"({"name":"A"})"));
}

TEST(Diff, NothingChangedIsEmpty) {
  auto same = obj(R"({"email":"a@x","channels":{"chat":true}})");
  EXPECT_TRUE(diff_fields(same, same, ClearStyle::null_value).empty());
}

TEST(Diff, NestedValuesCompareDeeply) {
  auto changed =
      diff_fields(obj(R"({"channels":{"chat":true,"voice":false}})"),
                  obj(R"({"channels":{"chat":true,"voice":true}})"), ClearStyle::null_value);
  EXPECT_EQ(changed, obj(R"({"channels":{"chat":true,"voice":false}})"));
}

TEST(Diff, NewFieldAgainstEmptyShadow) {
  auto desired = obj(R"({"email":"a@x","active":true})");
  EXPECT_EQ(diff_fields(desired, {}, ClearStyle::null_value), desired);
}

TEST(Diff, ClearsAsNull) {
  auto changed = diff_fields(obj(R"({"email":"a@x"})"), obj(R"({"email":"a@x","phone":"+1"})"),
                             ClearStyle::null_value);
  EXPECT_EQ(changed, obj(R"({"phone":null})"));
}

TEST(Diff, ClearsAsEmptyString) {
  auto changed = diff_fields(obj(R"({})"), obj(R"({"phone":"+1"})"), ClearStyle::empty_string);
  EXPECT_EQ(changed, obj(R"({"phone":""})"));
}

TEST(Diff, NoClearWhenUnsupported) {
  EXPECT_TRUE(diff_fields(obj(R"({})"), obj(R"({"phone":"+1"})"), ClearStyle::unsupported).empty());
}

TEST(Diff, RequiredFieldsJoinANonEmptyDiff) {
  auto desired = obj(R"({"id":"7","name":"A","active":true,"email":"new@x"})");
  auto changed = obj(R"({"email":"new@x"})");
  add_required_fields(changed, desired, {"id", "name", "active", "departments"});
  EXPECT_EQ(changed, obj(R"({"email":"new@x","id":"7","name":"A","active":true})"));
}

TEST(Diff, RequiredFieldsDoNotCreateARequest) {
  json::object changed;
  add_required_fields(changed, obj(R"({"id":"7"})"), {"id"});
  EXPECT_TRUE(changed.empty());
}

TEST(Diff, MergeIntoShadowAppliesAcknowledgedAndDropsClears) {
  auto shadow = obj(R"({"email":"old@x","phone":"+1","name":"A"})");
  auto desired = obj(R"({"email":"new@x","name":"A"})");
  auto merged = merge_into_shadow(shadow, obj(R"({"email":"new@x","phone":null})"), desired);
  EXPECT_EQ(merged, obj(R"({"email":"new@x","name":"A"})"));
  // An empty-string clear is dropped from the shadow too (the field is absent from desired).
  merged = merge_into_shadow(obj(R"({"phone":"+1"})"), obj(R"({"phone":""})"), obj("{}"));
  EXPECT_TRUE(merged.empty());
  // After the merge, the diff is empty: nothing is sent again.
  EXPECT_TRUE(
      diff_fields(
          desired,
          merge_into_shadow(shadow, diff_fields(desired, shadow, ClearStyle::null_value), desired),
          ClearStyle::null_value)
          .empty());
}

}  // namespace
}  // namespace opsync
