#include "events/event_decoder.h"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "events/attribute_rules.h"
#include "events/field_paths.h"
#include "events/rfc3339.h"
#include "events/strict_json.h"
#include "events/utf8_text.h"

namespace opsync {
namespace {

namespace json = boost::json;
namespace reason = decode_reason;

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

bool iends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && iequals(s.substr(s.size() - suffix.size()), suffix);
}

/// "application/json; charset=utf-8" -> "application/json".
std::string_view media_type(std::string_view content_type) {
  content_type = content_type.substr(0, content_type.find(';'));
  const auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (!content_type.empty() && blank(content_type.front())) content_type.remove_prefix(1);
  while (!content_type.empty() && blank(content_type.back())) content_type.remove_suffix(1);
  return content_type;
}

bool is_json_media(std::string_view media) {
  return iequals(media, "application/json") || iequals(media, "text/json") ||
         (media.size() > 5 && iends_with(media, "+json"));
}

std::string_view view(const json::string& s) {
  return {s.data(), s.size()};
}

DecodeOutcome fail(std::string_view code, std::string detail) {
  DecodeOutcome outcome;
  outcome.error.reason = code;
  outcome.error.detail = std::move(detail);
  return outcome;
}

DecodeOutcome wrong_type(std::string_view path, std::string_view expected, const json::value& got) {
  return fail(reason::kWrongType, std::string(path) + ": expected " + std::string(expected) +
                                      ", got " + std::string(json_kind_name(got)));
}

// The CloudEvents context attributes opsync reads, from JSON members or from ce_ headers.
enum Attr { kSpecversion, kId, kSource, kType, kTime, kSubject, kDataContentType, kAttrCount };
constexpr std::string_view kAttrNames[kAttrCount] = {
    "specversion", "id", "source", "type", "time", "subject", "datacontenttype"};

struct Envelope {
  bool binary = false;
  std::optional<std::string_view> attr[kAttrCount];
  const json::object* data = nullptr;

  /// How a detail names the attribute: "id" or "ce_id header".
  std::string path(Attr a) const {
    return binary ? "ce_" + std::string(kAttrNames[a]) + " header" : std::string(kAttrNames[a]);
  }
};

struct HeaderScan {
  const MessageHeader* content_type = nullptr;
  std::optional<std::string_view> ce[kAttrCount];
};

HeaderScan scan_headers(std::span<const MessageHeader> headers) {
  HeaderScan scan;
  for (const MessageHeader& h : headers) {
    const std::string_view name = h.name;
    if (iequals(name, "content-type")) {
      scan.content_type = &h;
    } else if (name.size() > 3 && lower(name[0]) == 'c' && lower(name[1]) == 'e' &&
               (name[2] == '_' || name[2] == '-')) {
      const std::string_view attr = name.substr(3);
      for (int a = 0; a < kAttrCount; ++a) {
        if (iequals(attr, kAttrNames[a])) scan.ce[a] = h.value;
      }
    }
  }
  return scan;
}

/// An identifier-like text field (id, source, subject, operator_id).
std::optional<DecodeOutcome> check_ident(std::string_view text, std::string_view path,
                                         std::size_t max_chars) {
  const TextScan scan = scan_text(text);
  if (!scan.valid_utf8) return fail(reason::kInvalidField, std::string(path) + ": not valid UTF-8");
  if (scan.only_whitespace) {
    return fail(reason::kInvalidField, std::string(path) + ": must not be empty or blank");
  }
  if (scan.has_control) {
    return fail(reason::kInvalidField, std::string(path) + ": must not contain control characters");
  }
  if (scan.code_points > max_chars) {
    return fail(reason::kTooLong,
                std::string(path) + ": longer than " + std::to_string(max_chars) + " characters");
  }
  return std::nullopt;
}

std::optional<EventType> parse_type(std::string_view type) {
  if (type == "operator.created") return EventType::created;
  if (type == "operator.updated") return EventType::updated;
  if (type == "operator.deleted") return EventType::deleted;
  return std::nullopt;
}

/// Reads the context attributes and `data` of a structured-mode event.
std::optional<DecodeOutcome> read_structured(const json::object& event, Envelope& env) {
  for (const auto& member : event) {
    const std::string_view key = member.key();
    const json::value& v = member.value();
    int attr = kAttrCount;
    for (int a = 0; a < kAttrCount; ++a) {
      if (key == kAttrNames[a]) attr = a;
    }
    if (attr != kAttrCount) {
      if (v.is_null()) continue;  // CloudEvents JSON: a null attribute is an absent one
      const json::string* s = v.if_string();
      if (s == nullptr) return wrong_type(key, "string", v);
      env.attr[attr] = view(*s);
    } else if (key == "data") {
      if (v.is_null()) continue;
      env.data = v.if_object();
      if (env.data == nullptr) return wrong_type("data", "object", v);
    } else if (key == "data_base64") {
      return fail(reason::kUnsupportedContentType,
                  "data_base64: opsync needs `data` as a JSON object");
    }
    // Anything else is `dataschema` or a CloudEvents extension attribute: allowed, not used.
  }
  return std::nullopt;
}

struct DataFields {
  std::optional<std::string_view> operator_id;
  std::optional<std::int64_t> revision;
  std::optional<EventMode> mode;
  const json::object* attributes = nullptr;
};

std::optional<DecodeOutcome> read_data(const json::object& data, DataFields& out) {
  for (const auto& member : data) {
    const std::string_view key = member.key();
    const json::value& v = member.value();
    if (key == "operator_id") {
      const json::string* s = v.if_string();
      if (s == nullptr) return wrong_type("data.operator_id", "string", v);
      out.operator_id = view(*s);
    } else if (key == "revision") {
      if (v.is_null()) continue;
      if (const auto* i = v.if_int64()) {
        if (*i < 0) {
          return fail(reason::kInvalidField,
                      "data.revision: must not be negative, got " + std::to_string(*i));
        }
        out.revision = *i;
      } else if (const auto* u = v.if_uint64()) {
        if (*u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
          return fail(reason::kInvalidField, "data.revision: larger than 2^63-1");
        }
        out.revision = static_cast<std::int64_t>(*u);
      } else {
        return wrong_type("data.revision", "non-negative integer", v);
      }
    } else if (key == "mode") {
      if (v.is_null()) continue;
      const json::string* s = v.if_string();
      if (s == nullptr) return wrong_type("data.mode", "string", v);
      if (*s == "patch") {
        out.mode = EventMode::patch;
      } else if (*s == "snapshot") {
        out.mode = EventMode::snapshot;
      } else {
        return fail(reason::kInvalidEnum,
                    "data.mode: " + excerpt(view(*s)) + " is not patch or snapshot");
      }
    } else if (key == "attributes") {
      if (v.is_null()) continue;
      out.attributes = v.if_object();
      if (out.attributes == nullptr) return wrong_type("data.attributes", "object", v);
    } else {
      return fail(reason::kUnknownField,
                  "data." + path_segment(key) +
                      ": not a field of data (operator_id, revision, mode, attributes)");
    }
  }
  return std::nullopt;
}

}  // namespace

EventDecoder::EventDecoder(DecoderLimits limits) : limits_(limits) {}

DecodeOutcome EventDecoder::decode(std::string_view key, std::string_view value,
                                   std::span<const MessageHeader> headers) const {
  if (value.size() > limits_.max_message_bytes) {
    return fail(reason::kTooLarge, "value: " + std::to_string(value.size()) +
                                       " bytes, the limit is " +
                                       std::to_string(limits_.max_message_bytes));
  }
  if (key.empty()) {
    return fail(reason::kMissingKey, "key: missing; the Kafka key must be the operator id");
  }

  // Mode per the CloudEvents Kafka binding: a cloudevents content-type means structured,
  // otherwise a ce_specversion header means binary; with neither, structured (contract v1).
  const HeaderScan hs = scan_headers(headers);
  const std::string_view media = hs.content_type ? media_type(hs.content_type->value) : "";
  Envelope env;
  if (istarts_with(media, "application/cloudevents")) {
    if (!iequals(media, "application/cloudevents+json")) {
      return fail(reason::kUnsupportedContentType,
                  "content-type header: " + excerpt(media) +
                      " is not supported; use application/cloudevents+json (no batches)");
    }
  } else {
    env.binary = hs.ce[kSpecversion].has_value();
    if (!media.empty() && !is_json_media(media)) {
      return fail(reason::kUnsupportedContentType,
                  "content-type header: " + excerpt(media) + " is not a JSON media type");
    }
  }

  // Parsed values live in a stack buffer (spilling to the heap only for large events); the
  // event copies what it keeps into default storage.
  alignas(std::max_align_t) unsigned char buffer[4096];
  json::monotonic_resource resource(buffer, sizeof buffer);
  json::parse_options options;
  options.max_depth = limits_.max_json_depth;
  const std::string_view root_path = env.binary ? "data" : "event";
  StrictParse parsed = parse_strict(value, &resource, options, env.binary ? "data" : "");
  if (parsed.error) {
    return fail(reason::kInvalidJson, std::string(root_path) + ": " + parsed.error.message());
  }
  if (parsed.duplicate) {
    return fail(
        reason::kDuplicateKey,
        parsed.duplicate_path + ": duplicate key; a member name may appear only once in an object");
  }
  const json::value root = std::move(parsed.value);
  const json::object* root_object = root.if_object();
  if (root_object == nullptr) return wrong_type(root_path, "object", root);

  if (env.binary) {
    for (int a = 0; a < kAttrCount; ++a) env.attr[a] = hs.ce[a];
    env.data = root_object;
  } else if (auto failure = read_structured(*root_object, env)) {
    return std::move(*failure);
  }

  // Context attributes.
  const auto& attr = env.attr;
  if (!attr[kSpecversion]) {
    return fail(reason::kMissingField, env.path(kSpecversion) + ": required");
  }
  if (*attr[kSpecversion] != "1.0") {
    return fail(reason::kUnsupportedSpecversion,
                env.path(kSpecversion) + ": " + excerpt(*attr[kSpecversion]) + " is not 1.0");
  }
  if (!attr[kId] || attr[kId]->empty()) {
    return fail(reason::kMissingId, env.path(kId) + ": required");
  }
  if (auto failure = check_ident(*attr[kId], env.path(kId), limits_.max_id_chars)) {
    return std::move(*failure);
  }
  if (!attr[kSource] || attr[kSource]->empty()) {
    return fail(reason::kMissingField, env.path(kSource) + ": required");
  }
  if (auto failure = check_ident(*attr[kSource], env.path(kSource), limits_.max_id_chars)) {
    return std::move(*failure);
  }
  if (!attr[kType]) return fail(reason::kMissingField, env.path(kType) + ": required");
  const std::optional<EventType> type = parse_type(*attr[kType]);
  if (!type) {
    return fail(reason::kUnknownType,
                env.path(kType) + ": " + excerpt(*attr[kType]) +
                    " is not operator.created, operator.updated or operator.deleted");
  }
  std::optional<std::int64_t> time_ms;
  if (attr[kTime]) {
    time_ms = parse_rfc3339_ms(*attr[kTime]);
    if (!time_ms) {
      return fail(reason::kInvalidTime,
                  env.path(kTime) + ": " + excerpt(*attr[kTime]) + " is not an RFC 3339 time");
    }
  }
  if (attr[kSubject]) {
    if (auto failure = check_ident(*attr[kSubject], env.path(kSubject), limits_.max_id_chars)) {
      return std::move(*failure);
    }
  }
  if (attr[kDataContentType] && !is_json_media(media_type(*attr[kDataContentType]))) {
    return fail(reason::kUnsupportedContentType, env.path(kDataContentType) + ": " +
                                                     excerpt(*attr[kDataContentType]) +
                                                     " is not a JSON media type");
  }
  if (env.data == nullptr) return fail(reason::kMissingField, "data: required");

  // data.
  DataFields fields;
  if (auto failure = read_data(*env.data, fields)) return std::move(*failure);
  if (!fields.operator_id || fields.operator_id->empty()) {
    return fail(reason::kMissingField, "data.operator_id: required");
  }
  if (auto failure = check_ident(*fields.operator_id, "data.operator_id", limits_.max_id_chars)) {
    return std::move(*failure);
  }
  if (key != *fields.operator_id) {
    return fail(reason::kKeyMismatch, "key: " + excerpt(key) + " differs from data.operator_id " +
                                          excerpt(*fields.operator_id));
  }
  if (fields.attributes == nullptr && *type != EventType::deleted) {
    return fail(reason::kMissingField,
                "data.attributes: required for operator.created and operator.updated");
  }

  OperatorEvent event;
  event.event_id = *attr[kId];
  event.source = *attr[kSource];
  event.type = *type;
  event.mode =
      fields.mode.value_or(*type == EventType::created ? EventMode::snapshot : EventMode::patch);
  event.operator_id = *fields.operator_id;
  event.revision = fields.revision;
  event.time_ms = time_ms;
  if (fields.attributes != nullptr) {
    if (auto problem =
            validate_attributes(*fields.attributes, event.mode, limits_, event.attributes)) {
      DecodeOutcome outcome;
      outcome.error = std::move(*problem);
      return outcome;
    }
  }
  DecodeOutcome outcome;
  outcome.event.emplace(std::move(event));
  return outcome;
}

}  // namespace opsync
