#include "events/event_decoder.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace opsync {
namespace {

namespace json = boost::json;

constexpr std::string_view kKey = "emp-00042";

/// A structured-mode event with `data` replaced by `data` (operator_id defaults to kKey).
json::object event(std::string_view type, json::object data) {
  if (!data.contains("operator_id")) data["operator_id"] = kKey;
  json::object e;
  e["specversion"] = "1.0";
  e["id"] = "0f8e-1";
  e["source"] = "hr/workday";
  e["type"] = type;
  e["time"] = "2026-11-22T10:15:00Z";
  e["subject"] = kKey;
  e["data"] = std::move(data);
  return e;
}

json::object attrs(std::string_view attributes_json) {
  json::object data;
  data["attributes"] = json::parse(attributes_json);
  return data;
}

class EventDecoderTest : public ::testing::Test {
 protected:
  DecodeOutcome decode(std::string_view value, std::string_view key = kKey,
                       const std::vector<MessageHeader>& headers = {}) const {
    return decoder_.decode(key, value, headers);
  }
  DecodeOutcome decode(const json::object& e, std::string_view key = kKey,
                       const std::vector<MessageHeader>& headers = {}) const {
    return decode(json::serialize(e), key, headers);
  }
  /// The reason code `e` is rejected with; fails the test if it is accepted.
  std::string reason(const json::object& e, std::string_view key = kKey) const {
    const DecodeOutcome out = decode(e, key);
    EXPECT_FALSE(out.ok()) << json::serialize(e);
    EXPECT_FALSE(out.error.detail.empty());
    return out.error.reason;
  }

  EventDecoder decoder_{DecoderLimits{}};
};

TEST(EventTypeNames, ToString) {
  EXPECT_EQ(to_string(EventType::created), "operator.created");
  EXPECT_EQ(to_string(EventType::updated), "operator.updated");
  EXPECT_EQ(to_string(EventType::deleted), "operator.deleted");
  EXPECT_EQ(to_string(EventMode::patch), "patch");
  EXPECT_EQ(to_string(EventMode::snapshot), "snapshot");
}

TEST_F(EventDecoderTest, DesignBriefExample) {
  const DecodeOutcome out = decode(R"({
    "specversion": "1.0", "id": "0f8e-unique-per-source", "source": "hr/workday",
    "type": "operator.updated", "time": "2026-11-22T10:15:00Z", "subject": "emp-00042",
    "data": {"operator_id": "emp-00042", "revision": 17, "mode": "patch",
             "attributes": {"email": "jane.doe@example.com", "phone": "+15551234567",
                            "active": true}}})");
  ASSERT_TRUE(out.ok()) << out.error.reason << ": " << out.error.detail;
  const OperatorEvent& e = *out.event;
  EXPECT_EQ(e.event_id, "0f8e-unique-per-source");
  EXPECT_EQ(e.source, "hr/workday");
  EXPECT_EQ(e.type, EventType::updated);
  EXPECT_EQ(e.mode, EventMode::patch);
  EXPECT_EQ(e.operator_id, "emp-00042");
  EXPECT_EQ(e.revision, 17);
  EXPECT_EQ(e.time_ms, 1795342500000);
  EXPECT_EQ(e.attributes, json::parse(R"({"email": "jane.doe@example.com",
                                          "phone": "+15551234567", "active": true})"));
  EXPECT_TRUE(out.error.reason.empty());
}

TEST_F(EventDecoderTest, CreatedDefaultsToSnapshot) {
  const DecodeOutcome out = decode(event("operator.created", attrs(R"({"given_name": "Jane"})")));
  ASSERT_TRUE(out.ok()) << out.error.detail;
  EXPECT_EQ(out.event->type, EventType::created);
  EXPECT_EQ(out.event->mode, EventMode::snapshot);
}

TEST_F(EventDecoderTest, UpdatedDefaultsToPatch) {
  const DecodeOutcome out = decode(event("operator.updated", attrs(R"({"given_name": "Jane"})")));
  ASSERT_TRUE(out.ok()) << out.error.detail;
  EXPECT_EQ(out.event->type, EventType::updated);
  EXPECT_EQ(out.event->mode, EventMode::patch);
}

TEST_F(EventDecoderTest, ExplicitModeWins) {
  auto data = attrs(R"({"given_name": "Jane"})");
  data["mode"] = "patch";
  DecodeOutcome out = decode(event("operator.created", data));
  ASSERT_TRUE(out.ok()) << out.error.detail;
  EXPECT_EQ(out.event->mode, EventMode::patch);
  data["mode"] = "snapshot";
  out = decode(event("operator.updated", data));
  ASSERT_TRUE(out.ok()) << out.error.detail;
  EXPECT_EQ(out.event->mode, EventMode::snapshot);
  data["mode"] = nullptr;  // null: the default
  out = decode(event("operator.updated", data));
  ASSERT_TRUE(out.ok()) << out.error.detail;
  EXPECT_EQ(out.event->mode, EventMode::patch);
}

TEST_F(EventDecoderTest, DeletedNeedsNoAttributes) {
  const DecodeOutcome out = decode(event("operator.deleted", {}));
  ASSERT_TRUE(out.ok()) << out.error.detail;
  EXPECT_EQ(out.event->type, EventType::deleted);
  EXPECT_EQ(out.event->mode, EventMode::patch);
  EXPECT_TRUE(out.event->attributes.empty());
}

TEST_F(EventDecoderTest, DeletedMayCarryValidatedAttributes) {
  DecodeOutcome out = decode(event("operator.deleted", attrs(R"({"active": false})")));
  ASSERT_TRUE(out.ok()) << out.error.detail;
  EXPECT_EQ(out.event->attributes, json::parse(R"({"active": false})"));
  EXPECT_EQ(reason(event("operator.deleted", attrs(R"({"active": "no"})"))), "wrong_type");
}

TEST_F(EventDecoderTest, OptionalFieldsMayBeAbsentOrNull) {
  auto e = event("operator.updated", attrs("{}"));
  e.erase("time");
  e.erase("subject");
  DecodeOutcome out = decode(e);
  ASSERT_TRUE(out.ok()) << out.error.detail;
  EXPECT_FALSE(out.event->time_ms);
  EXPECT_FALSE(out.event->revision);
  e["time"] = nullptr;
  e["subject"] = nullptr;
  e["data"].as_object()["revision"] = nullptr;
  out = decode(e);
  ASSERT_TRUE(out.ok()) << out.error.detail;
  EXPECT_FALSE(out.event->time_ms);
  EXPECT_FALSE(out.event->revision);
}

TEST_F(EventDecoderTest, RevisionRange) {
  auto data = attrs("{}");
  data["revision"] = 0;
  DecodeOutcome out = decode(event("operator.updated", data));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out.event->revision, 0);
  out = decode(R"({"specversion":"1.0","id":"1","source":"s","type":"operator.updated",
    "data":{"operator_id":"emp-00042","revision":9223372036854775807,"attributes":{}}})");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out.event->revision, INT64_MAX);
  out = decode(R"({"specversion":"1.0","id":"1","source":"s","type":"operator.updated",
    "data":{"operator_id":"emp-00042","revision":9223372036854775808,"attributes":{}}})");
  EXPECT_EQ(out.error.reason, "invalid_field");
  data["revision"] = -1;
  EXPECT_EQ(reason(event("operator.updated", data)), "invalid_field");
  data["revision"] = 1.5;
  EXPECT_EQ(reason(event("operator.updated", data)), "wrong_type");
  data["revision"] = "17";
  EXPECT_EQ(reason(event("operator.updated", data)), "wrong_type");
}

TEST_F(EventDecoderTest, TimeWithOffsetAndFraction) {
  auto e = event("operator.updated", attrs("{}"));
  e["time"] = "2026-11-22T12:15:00.250+02:00";
  const DecodeOutcome out = decode(e);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out.event->time_ms, 1795342500250);
  e["time"] = "22/11/2026 10:15";
  EXPECT_EQ(reason(e), "invalid_time");
  e["time"] = 1795342500;
  EXPECT_EQ(reason(e), "wrong_type");
}

TEST_F(EventDecoderTest, NullClearsInPatch) {
  const DecodeOutcome out =
      decode(event("operator.updated", attrs(R"({"phone": null, "teams": null, "active": true})")));
  ASSERT_TRUE(out.ok()) << out.error.detail;
  EXPECT_EQ(out.event->attributes,
            json::parse(R"({"phone": null, "teams": null, "active": true})"));
}

TEST_F(EventDecoderTest, SnapshotDropsNulls) {
  const DecodeOutcome out =
      decode(event("operator.created", attrs(R"({"phone": null, "active": true})")));
  ASSERT_TRUE(out.ok()) << out.error.detail;
  EXPECT_EQ(out.event->mode, EventMode::snapshot);
  EXPECT_EQ(out.event->attributes, json::parse(R"({"active": true})"));
}

TEST_F(EventDecoderTest, AttributesAreNormalised) {
  const DecodeOutcome out = decode(event(
      "operator.updated",
      attrs(R"({"phone": "+1 (555) 123-4567", "email": "J@EXAMPLE.COM", "locale": "en_us"})")));
  ASSERT_TRUE(out.ok()) << out.error.detail;
  EXPECT_EQ(out.event->attributes, json::parse(R"({"phone": "+15551234567",
                                                   "email": "J@example.com", "locale": "en-US"})"));
}

TEST_F(EventDecoderTest, ExtensionAttributesAndDataschemaAreIgnored) {
  auto e = event("operator.updated", attrs("{}"));
  e["traceparent"] = "00-abc-def-01";
  e["dataschema"] = "https://example.com/schema";
  e["datacontenttype"] = "application/json";
  EXPECT_TRUE(decode(e).ok());
}

// ---------------------------------------------------------------------------------------------
// Binary mode

std::vector<MessageHeader> binary_headers(std::string_view prefix = "ce_",
                                          std::string_view type = "operator.updated") {
  const std::string p(prefix);
  return {{p + "specversion", "1.0"},           {p + "id", "bin-1"},
          {p + "source", "idp/okta"},           {p + "type", std::string(type)},
          {p + "time", "2026-11-22T10:15:00Z"}, {"content-type", "application/json"}};
}

constexpr std::string_view kBinaryData =
    R"({"operator_id": "emp-00042", "revision": 3, "attributes": {"role": "admin"}})";

TEST_F(EventDecoderTest, BinaryMode) {
  const DecodeOutcome out = decode(kBinaryData, kKey, binary_headers());
  ASSERT_TRUE(out.ok()) << out.error.reason << ": " << out.error.detail;
  EXPECT_EQ(out.event->event_id, "bin-1");
  EXPECT_EQ(out.event->source, "idp/okta");
  EXPECT_EQ(out.event->type, EventType::updated);
  EXPECT_EQ(out.event->mode, EventMode::patch);
  EXPECT_EQ(out.event->revision, 3);
  EXPECT_EQ(out.event->time_ms, 1795342500000);
  EXPECT_EQ(out.event->attributes, json::parse(R"({"role": "admin"})"));
}

TEST_F(EventDecoderTest, BinaryModeDashPrefixAndCreatedDefault) {
  const DecodeOutcome out = decode(kBinaryData, kKey, binary_headers("ce-", "operator.created"));
  ASSERT_TRUE(out.ok()) << out.error.detail;
  EXPECT_EQ(out.event->mode, EventMode::snapshot);
}

TEST_F(EventDecoderTest, BinaryModeErrorsNameTheHeader) {
  auto headers = binary_headers();
  headers[3].value = "operator.renamed";
  DecodeOutcome out = decode(kBinaryData, kKey, headers);
  EXPECT_EQ(out.error.reason, "unknown_type");
  EXPECT_NE(out.error.detail.find("ce_type header"), std::string::npos) << out.error.detail;

  headers = binary_headers();
  headers.erase(headers.begin() + 1);  // ce_id
  EXPECT_EQ(decode(kBinaryData, kKey, headers).error.reason, "missing_id");

  headers = binary_headers();
  headers[1].value = std::string("id\xff\xfe", 4);  // header bytes are not checked by a parser
  EXPECT_EQ(decode(kBinaryData, kKey, headers).error.reason, "invalid_field");

  headers = binary_headers();
  headers[0].value = "0.3";
  EXPECT_EQ(decode(kBinaryData, kKey, headers).error.reason, "unsupported_specversion");

  headers = binary_headers();
  headers[5].value = "application/avro";
  EXPECT_EQ(decode(kBinaryData, kKey, headers).error.reason, "unsupported_content_type");

  EXPECT_EQ(decode("[1,2]", kKey, binary_headers()).error.reason, "wrong_type");
  EXPECT_EQ(decode("not json", kKey, binary_headers()).error.reason, "invalid_json");
}

TEST_F(EventDecoderTest, BinaryModeWithoutContentType) {
  auto headers = binary_headers();
  headers.pop_back();
  EXPECT_TRUE(decode(kBinaryData, kKey, headers).ok());
}

TEST_F(EventDecoderTest, CloudEventsContentTypeMeansStructuredEvenWithCeHeaders) {
  auto headers = binary_headers();
  headers.back().value = "application/cloudevents+json; charset=UTF-8";
  const DecodeOutcome out = decode(event("operator.updated", attrs("{}")), kKey, headers);
  ASSERT_TRUE(out.ok()) << out.error.detail;
  EXPECT_EQ(out.event->event_id, "0f8e-1");  // from the JSON, not from ce_id
}

TEST_F(EventDecoderTest, ContentTypes) {
  const auto e = event("operator.updated", attrs("{}"));
  EXPECT_TRUE(decode(e, kKey, {{"content-type", "application/cloudevents+json"}}).ok());
  EXPECT_TRUE(decode(e, kKey, {{"Content-Type", "application/json"}}).ok());
  EXPECT_EQ(decode(e, kKey, {{"content-type", "application/cloudevents-batch+json"}}).error.reason,
            "unsupported_content_type");
  EXPECT_EQ(decode(e, kKey, {{"content-type", "text/plain"}}).error.reason,
            "unsupported_content_type");
  auto with_base64 = e;
  with_base64.erase("data");
  with_base64["data_base64"] = "e30=";
  EXPECT_EQ(reason(with_base64), "unsupported_content_type");
  auto xml = e;
  xml["datacontenttype"] = "application/xml";
  EXPECT_EQ(reason(xml), "unsupported_content_type");
}

// ---------------------------------------------------------------------------------------------
// Reason codes

TEST_F(EventDecoderTest, TooLargeIsCheckedBeforeParsing) {
  const EventDecoder small(DecoderLimits{.max_message_bytes = 64});
  const std::string garbage(65, '\xff');
  const DecodeOutcome out = small.decode(kKey, garbage, {});
  EXPECT_EQ(out.error.reason, "too_large");
  EXPECT_EQ(out.error.detail, "value: 65 bytes, the limit is 64");
  EXPECT_EQ(decoder_.decode(kKey, std::string((1 << 20) + 1, ' '), {}).error.reason, "too_large");
}

TEST_F(EventDecoderTest, MissingKey) {
  EXPECT_EQ(reason(event("operator.updated", attrs("{}")), ""), "missing_key");
}

TEST_F(EventDecoderTest, KeyMismatch) {
  const DecodeOutcome out = decode(event("operator.updated", attrs("{}")), "emp-00043");
  EXPECT_EQ(out.error.reason, "key_mismatch");
  EXPECT_EQ(out.error.detail, R"(key: "emp-00043" differs from data.operator_id "emp-00042")");
}

TEST_F(EventDecoderTest, InvalidJson) {
  for (const std::string_view value :
       {"", "{", "not json", "{\"a\":1,}", "{\"a\":1} trailing", "\xff\xfe\x00", "nul",
        "{\"id\": \"\xc3\x28\"}" /* invalid UTF-8 in a string */, "// comment\n{}"}) {
    EXPECT_EQ(decode(value).error.reason, "invalid_json") << value;
  }
}

TEST_F(EventDecoderTest, DeepNestingIsInvalidJson) {
  const std::string deep = std::string(10000, '[') + std::string(10000, ']');
  EXPECT_EQ(decode(deep).error.reason, "invalid_json");
  auto e = event("operator.updated", attrs("{}"));
  e["ext"] = json::parse(std::string(20, '[') + std::string(20, ']'));
  EXPECT_EQ(reason(e), "invalid_json");
}

TEST_F(EventDecoderTest, TopLevelMustBeObject) {
  for (const std::string_view value : {"[]", "1", "\"event\"", "null", "true"}) {
    const DecodeOutcome out = decode(value);
    EXPECT_EQ(out.error.reason, "wrong_type") << value;
    EXPECT_EQ(out.error.detail.rfind("event: expected object", 0), 0u) << out.error.detail;
  }
}

TEST_F(EventDecoderTest, EnvelopeReasons) {
  const auto ok = event("operator.updated", attrs("{}"));
  auto e = ok;
  e.erase("specversion");
  EXPECT_EQ(reason(e), "missing_field");
  e["specversion"] = "0.3";
  EXPECT_EQ(reason(e), "unsupported_specversion");
  e["specversion"] = 1.0;
  EXPECT_EQ(reason(e), "wrong_type");

  e = ok;
  e.erase("id");
  EXPECT_EQ(reason(e), "missing_id");
  e["id"] = "";
  EXPECT_EQ(reason(e), "missing_id");
  e["id"] = nullptr;
  EXPECT_EQ(reason(e), "missing_id");
  e["id"] = 42;
  EXPECT_EQ(reason(e), "wrong_type");
  e["id"] = std::string(256, 'i');
  EXPECT_EQ(reason(e), "too_long");
  e["id"] = "a\tb";
  EXPECT_EQ(reason(e), "invalid_field");

  e = ok;
  e.erase("source");
  EXPECT_EQ(reason(e), "missing_field");

  e = ok;
  e.erase("type");
  EXPECT_EQ(reason(e), "missing_field");
  e["type"] = "operator.renamed";
  EXPECT_EQ(reason(e), "unknown_type");
  e["type"] = "OPERATOR.UPDATED";
  EXPECT_EQ(reason(e), "unknown_type");

  e = ok;
  e["subject"] = std::string(1000, 's');
  EXPECT_EQ(reason(e), "too_long");

  e = ok;
  e.erase("data");
  EXPECT_EQ(reason(e), "missing_field");
  e["data"] = "emp-00042";
  EXPECT_EQ(reason(e), "wrong_type");
}

TEST_F(EventDecoderTest, DataReasons) {
  json::object data = attrs("{}");
  data["operator_id"] = 42;
  EXPECT_EQ(reason(event("operator.updated", data)), "wrong_type");
  data["operator_id"] = "";
  EXPECT_EQ(reason(event("operator.updated", data)), "missing_field");
  data["operator_id"] = "emp\n42";
  EXPECT_EQ(reason(event("operator.updated", data), "emp\n42"), "invalid_field");

  data = attrs("{}");
  data["mode"] = "merge";
  EXPECT_EQ(reason(event("operator.updated", data)), "invalid_enum");
  data["mode"] = true;
  EXPECT_EQ(reason(event("operator.updated", data)), "wrong_type");

  data = attrs("{}");
  data["revison"] = 3;  // a typo must not pass silently
  const DecodeOutcome out = decode(event("operator.updated", data));
  EXPECT_EQ(out.error.reason, "unknown_field");
  EXPECT_EQ(out.error.detail.rfind("data.revison: ", 0), 0u) << out.error.detail;

  data = {};
  EXPECT_EQ(reason(event("operator.updated", data)), "missing_field");
  EXPECT_EQ(reason(event("operator.created", data)), "missing_field");
  data["attributes"] = json::array();
  EXPECT_EQ(reason(event("operator.updated", data)), "wrong_type");
}

TEST_F(EventDecoderTest, AttributeReasonsComeThrough) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {R"({"email": "nope"})", "invalid_email"},
      {R"({"phone": "12345"})", "invalid_phone"},
      {R"({"timezone": "Mars/Olympus"})", "invalid_timezone"},
      {R"({"languages": ["xx"]})", "invalid_language"},
      {R"({"locale": "english"})", "invalid_locale"},
      {R"({"role": "root"})", "invalid_enum"},
      {R"({"given_name": ""})", "invalid_attribute"},
      {R"({"nickname": "JD"})", "unknown_attribute"},
      {R"({"active": 1})", "wrong_type"},
  };
  for (const auto& [attributes, code] : cases) {
    const DecodeOutcome out = decode(event("operator.updated", attrs(attributes)));
    EXPECT_EQ(out.error.reason, code) << attributes;
    EXPECT_FALSE(out.event);
  }
}

TEST_F(EventDecoderTest, DetailNeverEchoesHugeValues) {
  const std::string huge(100000, '7');
  for (const std::string_view name : {"phone", "email", "timezone", "locale", "role"}) {
    const DecodeOutcome out = decode(
        event("operator.updated", attrs("{\"" + std::string(name) + "\": \"" + huge + "\"}")));
    EXPECT_FALSE(out.ok());
    EXPECT_LT(out.error.detail.size(), 200u) << name << ": " << out.error.detail;
  }
  const DecodeOutcome mismatch = decode(event("operator.updated", attrs("{}")), huge);
  EXPECT_EQ(mismatch.error.reason, "key_mismatch");
  EXPECT_LT(mismatch.error.detail.size(), 200u);
}

TEST_F(EventDecoderTest, DetailEscapesControlBytes) {
  auto e = event("operator.updated", attrs("{}"));
  e["type"] = std::string("x\x01\n\"y", 5);
  const DecodeOutcome out = decode(e);
  EXPECT_EQ(out.error.reason, "unknown_type");
  EXPECT_NE(out.error.detail.find(R"("x\x01\x0a\"y")"), std::string::npos) << out.error.detail;
}

// ---------------------------------------------------------------------------------------------
// Hostile input: never throws, never crashes (ASan/UBSan build), always a reason.

TEST_F(EventDecoderTest, GarbageBytes) {
  std::mt19937 rng(20261122);
  std::uniform_int_distribution<int> byte(0, 255), len(0, 512);
  for (int i = 0; i < 2000; ++i) {
    std::string value(static_cast<std::size_t>(len(rng)), '\0');
    for (auto& c : value) c = static_cast<char>(byte(rng));
    const DecodeOutcome out = decode(value, value.substr(0, value.size() / 8));
    ASSERT_FALSE(out.ok());
    ASSERT_FALSE(out.error.reason.empty());
  }
}

TEST_F(EventDecoderTest, EveryTruncationAndByteFlipOfAValidEventIsHandled) {
  const std::string valid = json::serialize(
      event("operator.created",
            attrs(R"({"given_name": "Jane", "email": "j@example.com", "phone": "+15551234567",
                "teams": ["A"], "languages": ["en"], "locale": "en-US", "timezone": "UTC",
                "channels": {"chat": true}, "external_ids": {"glia": "1"},
                "max_concurrent_chats": 2, "sip_uri": "sip:j@example.com"})")));
  ASSERT_TRUE(decode(valid).ok());
  for (std::size_t n = 0; n < valid.size(); ++n) {
    EXPECT_FALSE(decode(valid.substr(0, n)).ok()) << n;
  }
  std::size_t accepted = 0;
  for (std::size_t i = 0; i < valid.size(); ++i) {
    for (const char flip : {'\0', '"', '\\', '{', '\xff', 'x', '9'}) {
      std::string mutated = valid;
      mutated[i] = flip;
      const DecodeOutcome out = decode(mutated);
      if (out.ok()) {
        ++accepted;  // e.g. a changed letter inside a name
      } else {
        ASSERT_FALSE(out.error.reason.empty());
      }
    }
  }
  EXPECT_GT(accepted, 0u);
}

// ---------------------------------------------------------------------------------------------
// Duplicate keys: two readers of the same bytes must not see two different events, so a member
// name repeated in one object, at any depth, is refused rather than resolved last-wins.

constexpr std::string_view kHead =
    R"("specversion": "1.0", "source": "hr/workday", "type": "operator.updated")";

std::string structured(std::string_view members) {
  return "{" + std::string(kHead) + ", " + std::string(members) + "}";
}

TEST_F(EventDecoderTest, DuplicateKeysAreRefusedAtEveryLevel) {
  const struct {
    std::string value;
    std::string path;
  } cases[] = {
      {structured(
           R"("id": "a", "id": "b", "data": {"operator_id": "emp-00042", "attributes": {}})"),
       "id"},
      {structured(R"("id": "a", "data": {"operator_id": "emp-1", "operator_id": "emp-00042",)"
                  R"( "attributes": {}})"),
       "data.operator_id"},
      {structured(R"("id": "a", "data": {"operator_id": "emp-00042", "attributes":)"
                  R"( {"email": "a@example.com", "role": "admin", "email": "b@example.com"}})"),
       "data.attributes.email"},
      {structured(R"("id": "a", "data": {"operator_id": "emp-00042", "attributes":)"
                  R"( {"channels": {"chat": true, "chat": false}}})"),
       "data.attributes.channels.chat"},
      // An ignored extension attribute is no exception, nor is an object inside an array.
      {structured(R"("id": "a", "ext": [1, {"x": 1, "x": 2}], "data": {"operator_id":)"
                  R"( "emp-00042", "attributes": {}})"),
       "ext[1].x"},
      // The same name spelled with an escape is the same key.
      {structured(R"("id": "a", "data": {"operator_id": "emp-00042", "attributes":)"
                  R"( {"role": "admin", "r\u006fle": "operator"}})"),
       "data.attributes.role"},
  };
  for (const auto& c : cases) {
    const DecodeOutcome out = decode(c.value);
    EXPECT_FALSE(out.ok()) << c.value;
    EXPECT_EQ(out.error.reason, "duplicate_key") << c.value;
    EXPECT_EQ(out.error.detail.substr(0, c.path.size() + 1), c.path + ":")
        << c.value << " -> " << out.error.detail;
  }
}

TEST_F(EventDecoderTest, DuplicateKeysAreRefusedInBinaryMode) {
  const std::string data =
      R"({"operator_id": "emp-00042", "revision": 3, "revision": 9, "attributes": {}})";
  const DecodeOutcome out = decode(data, kKey, binary_headers());
  EXPECT_EQ(out.error.reason, "duplicate_key");
  EXPECT_EQ(out.error.detail.rfind("data.revision:", 0), 0u) << out.error.detail;
}

TEST_F(EventDecoderTest, SameKeyInDifferentObjectsIsFine) {
  const std::string value = structured(
      R"("id": "a", "x": {"id": 1, "a": {"id": 2}}, "y": [{"id": 1}, {"id": 1}],)"
      R"( "data": {"operator_id": "emp-00042", "attributes": {"channels": {"chat": true},)"
      R"( "external_ids": {"chat": "1"}}})");
  const DecodeOutcome out = decode(value);
  EXPECT_TRUE(out.ok()) << out.error.reason << ": " << out.error.detail;
}

TEST_F(EventDecoderTest, InvalidJsonWinsOverADuplicateKey) {
  EXPECT_EQ(decode(R"({"id": "a", "id": "b", )").error.reason, "invalid_json");
}

TEST_F(EventDecoderTest, DuplicateKeyInALargeObjectIsFound) {
  std::string ext = R"({"k0": 0)";
  for (int i = 1; i < 20000; ++i) ext += ", \"k" + std::to_string(i) + "\": 0";
  const std::string accepted =
      structured(R"("id": "a", "ext": )" + ext +
                 R"(}, "data": {"operator_id": "emp-00042", "attributes": {}})");
  EXPECT_TRUE(decode(accepted).ok());
  const std::string refused = structured(R"("id": "a", "ext": )" + ext +
                                         R"(, "k12345": 1}, "data": {"operator_id": "emp-00042",)"
                                         R"( "attributes": {}})");
  const DecodeOutcome out = decode(refused);
  EXPECT_EQ(out.error.reason, "duplicate_key");
  EXPECT_EQ(out.error.detail.rfind("ext.k12345:", 0), 0u) << out.error.detail;
}

}  // namespace
}  // namespace opsync
