#include "events/attribute_rules.h"

#include <algorithm>
#include <array>
#include <bitset>
#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "events/field_paths.h"
#include "events/reference_tables.h"
#include "events/utf8_text.h"
#include "events/value_formats.h"

namespace opsync {
namespace {

namespace json = boost::json;
namespace reason = decode_reason;

enum class Kind {
  text,
  email,
  phone,
  phone_extension,
  sip_uri,
  boolean,
  role,
  teams,
  languages,
  locale,
  timezone,
  max_chats,
  channels,
  external_ids,
};

struct Spec {
  std::string_view name;
  Kind kind;
};

constexpr Spec kSpecs[] = {
    {"given_name", Kind::text},     {"family_name", Kind::text},
    {"display_name", Kind::text},   {"email", Kind::email},
    {"phone", Kind::phone},         {"phone_extension", Kind::phone_extension},
    {"sip_uri", Kind::sip_uri},     {"active", Kind::boolean},
    {"role", Kind::role},           {"teams", Kind::teams},
    {"languages", Kind::languages}, {"locale", Kind::locale},
    {"timezone", Kind::timezone},   {"max_concurrent_chats", Kind::max_chats},
    {"channels", Kind::channels},   {"external_ids", Kind::external_ids},
};

constexpr auto kNames = [] {
  std::array<std::string_view, std::size(kSpecs)> names{};
  for (std::size_t i = 0; i < names.size(); ++i) names[i] = kSpecs[i].name;
  return names;
}();

constexpr std::string_view kPrefix = "data.attributes.";
constexpr std::int64_t kMaxConcurrentChats = 1000;

const Spec* find_spec(std::string_view name) {
  for (const Spec& spec : kSpecs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::string_view view(const json::string& s) {
  return {s.data(), s.size()};
}

/// Builds errors for one attribute; the path is only assembled when something is wrong.
class Problem {
 public:
  explicit Problem(std::string_view name) : name_(name) {}

  DecodeError at(std::string_view reason, std::string_view message) const {
    return at_suffix(reason, {}, message);
  }
  DecodeError at_index(std::string_view reason, std::size_t index, std::string_view message) const {
    return at_suffix(reason, "[" + std::to_string(index) + "]", message);
  }
  DecodeError at_key(std::string_view reason, std::string_view key,
                     std::string_view message) const {
    return at_suffix(reason, "." + path_segment(key), message);
  }
  DecodeError wrong_type(std::string_view expected, const json::value& got) const {
    return at(reason::kWrongType, std::string("expected ") + std::string(expected) + ", got " +
                                      std::string(json_kind_name(got)));
  }

 private:
  DecodeError at_suffix(std::string_view reason, std::string_view suffix,
                        std::string_view message) const {
    DecodeError e;
    e.reason = reason;
    e.detail.reserve(kPrefix.size() + name_.size() + suffix.size() + 2 + message.size());
    e.detail.append(kPrefix).append(name_).append(suffix).append(": ").append(message);
    return e;
  }

  std::string_view name_;
};

/// Checks a free-text value. Empty or blank is invalid; length counts UTF-8 characters.
std::optional<std::string> text_problem(std::string_view text, std::size_t max_chars,
                                        std::string_view& reason_out) {
  const TextScan scan = scan_text(text);
  reason_out = reason::kInvalidAttribute;
  if (!scan.valid_utf8) return "is not valid UTF-8";
  if (scan.only_whitespace) return "must not be empty or blank";
  if (scan.has_control) return "must not contain control characters";
  if (scan.code_points > max_chars) {
    reason_out = reason::kTooLong;
    return "longer than " + std::to_string(max_chars) + " characters";
  }
  return std::nullopt;
}

class Validator {
 public:
  Validator(const DecoderLimits& limits, json::object& out) : limits_(limits), out_(out) {}

  std::optional<DecodeError> check(const Spec& spec, const json::value& v) {
    const Problem p(spec.name);
    switch (spec.kind) {
      case Kind::text:
        return text(p, spec.name, v);
      case Kind::email:
        return formatted(p, spec.name, v, reason::kInvalidEmail, normalise_email);
      case Kind::phone:
        return formatted(p, spec.name, v, reason::kInvalidPhone, normalise_phone);
      case Kind::locale:
        return formatted(p, spec.name, v, reason::kInvalidLocale, normalise_locale);
      case Kind::phone_extension:
        return phone_extension(p, spec.name, v);
      case Kind::sip_uri:
        return sip_uri(p, spec.name, v);
      case Kind::boolean:
        if (!v.is_bool()) return p.wrong_type("boolean", v);
        out_.emplace(spec.name, v.get_bool());
        return std::nullopt;
      case Kind::role:
        return role(p, spec.name, v);
      case Kind::teams:
        return teams(p, spec.name, v);
      case Kind::languages:
        return languages(p, spec.name, v);
      case Kind::timezone:
        return timezone(p, spec.name, v);
      case Kind::max_chats:
        return max_chats(p, spec.name, v);
      case Kind::channels:
        return channels(p, spec.name, v);
      case Kind::external_ids:
        return external_ids(p, spec.name, v);
    }
    return p.at(reason::kInvalidAttribute, "has no rule");
  }

 private:
  std::optional<DecodeError> text(const Problem& p, std::string_view name, const json::value& v) {
    const json::string* s = v.if_string();
    if (s == nullptr) return p.wrong_type("string", v);
    std::string_view code;
    if (auto why = text_problem(view(*s), limits_.max_text_chars, code)) return p.at(code, *why);
    out_.emplace(name, view(*s));
    return std::nullopt;
  }

  std::optional<DecodeError> formatted(const Problem& p, std::string_view name,
                                       const json::value& v, std::string_view code,
                                       FormatResult (*normalise)(std::string_view)) {
    const json::string* s = v.if_string();
    if (s == nullptr) return p.wrong_type("string", v);
    FormatResult r = normalise(view(*s));
    if (!r.ok()) return p.at(code, excerpt(view(*s)) + " " + std::string(r.problem));
    out_.emplace(name, std::string_view(r.value));
    return std::nullopt;
  }

  std::optional<DecodeError> phone_extension(const Problem& p, std::string_view name,
                                             const json::value& v) {
    const json::string* s = v.if_string();
    if (s == nullptr) return p.wrong_type("string of digits", v);
    if (!is_phone_extension(view(*s))) {
      return p.at(reason::kInvalidAttribute, excerpt(view(*s)) + " is not 1 to 7 digits");
    }
    out_.emplace(name, view(*s));
    return std::nullopt;
  }

  std::optional<DecodeError> sip_uri(const Problem& p, std::string_view name,
                                     const json::value& v) {
    const json::string* s = v.if_string();
    if (s == nullptr) return p.wrong_type("string", v);
    if (s->size() > limits_.max_text_chars) {  // the URI is ASCII: bytes are characters
      return p.at(reason::kTooLong,
                  "longer than " + std::to_string(limits_.max_text_chars) + " characters");
    }
    FormatResult r = normalise_sip_uri(view(*s), limits_.max_text_chars);
    if (!r.ok()) {
      return p.at(reason::kInvalidAttribute, excerpt(view(*s)) + " " + std::string(r.problem));
    }
    out_.emplace(name, std::string_view(r.value));
    return std::nullopt;
  }

  std::optional<DecodeError> role(const Problem& p, std::string_view name, const json::value& v) {
    const json::string* s = v.if_string();
    if (s == nullptr) return p.wrong_type("string", v);
    const std::string_view role = view(*s);
    if (role != "operator" && role != "manager" && role != "admin") {
      return p.at(reason::kInvalidEnum, excerpt(role) + " is not operator, manager or admin");
    }
    out_.emplace(name, role);
    return std::nullopt;
  }

  std::optional<DecodeError> teams(const Problem& p, std::string_view name, const json::value& v) {
    const json::array* items = v.if_array();
    if (items == nullptr) return p.wrong_type("array of strings", v);
    if (items->size() > limits_.max_list_items) {
      return p.at(reason::kTooLong,
                  "more than " + std::to_string(limits_.max_list_items) + " items");
    }
    std::vector<std::string_view> seen;
    seen.reserve(items->size());
    json::array result;
    result.reserve(items->size());
    for (std::size_t i = 0; i < items->size(); ++i) {
      const json::string* s = (*items)[i].if_string();
      if (s == nullptr) {
        return p.at_index(reason::kWrongType, i,
                          "expected string, got " + std::string(json_kind_name((*items)[i])));
      }
      std::string_view code;
      if (auto why = text_problem(view(*s), limits_.max_team_chars, code)) {
        return p.at_index(code, i, *why);
      }
      seen.push_back(view(*s));
      result.emplace_back(view(*s));
    }
    std::sort(seen.begin(), seen.end());
    if (const auto dup = std::adjacent_find(seen.begin(), seen.end()); dup != seen.end()) {
      return p.at(reason::kInvalidAttribute, "team " + excerpt(*dup) + " appears twice");
    }
    out_.emplace(name, std::move(result));
    return std::nullopt;
  }

  std::optional<DecodeError> languages(const Problem& p, std::string_view name,
                                       const json::value& v) {
    const json::array* items = v.if_array();
    if (items == nullptr) return p.wrong_type("array of strings", v);
    if (items->size() > limits_.max_list_items) {
      return p.at(reason::kTooLong,
                  "more than " + std::to_string(limits_.max_list_items) + " items");
    }
    std::bitset<26 * 26> seen;
    json::array result;
    result.reserve(items->size());
    for (std::size_t i = 0; i < items->size(); ++i) {
      const json::string* s = (*items)[i].if_string();
      if (s == nullptr) {
        return p.at_index(reason::kWrongType, i,
                          "expected string, got " + std::string(json_kind_name((*items)[i])));
      }
      char code[2] = {};
      if (s->size() == 2) {
        for (int k = 0; k < 2; ++k) {
          const char c = (*s)[k];
          code[k] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        }
      }
      const std::string_view lowered(code, 2);
      if (s->size() != 2 || !reference::is_iso639_1(lowered)) {
        return p.at_index(reason::kInvalidLanguage, i,
                          excerpt(view(*s)) + " is not an ISO 639-1 code");
      }
      const std::size_t bit = static_cast<std::size_t>((code[0] - 'a') * 26 + (code[1] - 'a'));
      if (seen.test(bit)) {
        return p.at_index(reason::kInvalidAttribute, i, excerpt(lowered) + " appears twice");
      }
      seen.set(bit);
      result.emplace_back(lowered);
    }
    out_.emplace(name, std::move(result));
    return std::nullopt;
  }

  std::optional<DecodeError> timezone(const Problem& p, std::string_view name,
                                      const json::value& v) {
    const json::string* s = v.if_string();
    if (s == nullptr) return p.wrong_type("string", v);
    const auto zone = reference::find_iana_zone(view(*s));
    if (!zone) {
      return p.at(reason::kInvalidTimezone, excerpt(view(*s)) + " is not an IANA time zone name");
    }
    out_.emplace(name, *zone);
    return std::nullopt;
  }

  std::optional<DecodeError> max_chats(const Problem& p, std::string_view name,
                                       const json::value& v) {
    std::int64_t n = -1;
    if (const auto* i = v.if_int64()) {
      n = *i;
    } else if (const auto* u = v.if_uint64()) {
      n = *u > static_cast<std::uint64_t>(kMaxConcurrentChats) ? kMaxConcurrentChats + 1
                                                               : static_cast<std::int64_t>(*u);
    } else {
      return p.wrong_type("integer", v);
    }
    if (n < 0 || n > kMaxConcurrentChats) {
      return p.at(reason::kInvalidAttribute, "must be an integer from 0 to 1000");
    }
    out_.emplace(name, n);
    return std::nullopt;
  }

  std::optional<DecodeError> channels(const Problem& p, std::string_view name,
                                      const json::value& v) {
    const json::object* in = v.if_object();
    if (in == nullptr) return p.wrong_type("object", v);
    json::object result;
    result.reserve(in->size());
    for (const auto& member : *in) {
      const std::string_view key = member.key();
      if (key != "chat" && key != "voice" && key != "video") {
        return p.at_key(reason::kUnknownAttribute, key, "channels are chat, voice and video");
      }
      if (!member.value().is_bool()) {
        return p.at_key(reason::kWrongType, key,
                        "expected boolean, got " + std::string(json_kind_name(member.value())));
      }
      result.emplace(key, member.value().get_bool());
    }
    out_.emplace(name, std::move(result));
    return std::nullopt;
  }

  std::optional<DecodeError> external_ids(const Problem& p, std::string_view name,
                                          const json::value& v) {
    const json::object* in = v.if_object();
    if (in == nullptr) return p.wrong_type("object", v);
    if (in->size() > limits_.max_list_items) {
      return p.at(reason::kTooLong,
                  "more than " + std::to_string(limits_.max_list_items) + " entries");
    }
    json::object result;
    result.reserve(in->size());
    for (const auto& member : *in) {
      const std::string_view key = member.key();
      if (!is_connector_name(key)) {
        return p.at_key(reason::kInvalidAttribute, key,
                        "a connector name is 1 to 64 of a-z, 0-9, _ and -");
      }
      const json::string* s = member.value().if_string();
      if (s == nullptr) {
        return p.at_key(reason::kWrongType, key,
                        "expected string, got " + std::string(json_kind_name(member.value())));
      }
      std::string_view code;
      if (auto why = text_problem(view(*s), limits_.max_text_chars, code)) {
        return p.at_key(code, key, *why);
      }
      result.emplace(key, view(*s));
    }
    out_.emplace(name, std::move(result));
    return std::nullopt;
  }

  const DecoderLimits& limits_;
  json::object& out_;
};

}  // namespace

std::span<const std::string_view> canonical_attribute_names() {
  return kNames;
}

std::optional<DecodeError> validate_attributes(const json::object& attributes, EventMode mode,
                                               const DecoderLimits& limits, json::object& out) {
  out.reserve(out.size() + attributes.size());
  Validator validator(limits, out);
  for (const auto& member : attributes) {
    const std::string_view name = member.key();
    const Spec* spec = find_spec(name);
    if (spec == nullptr) {
      DecodeError e;
      e.reason = reason::kUnknownAttribute;
      e.detail = std::string(kPrefix) + path_segment(name) + ": not a canonical attribute";
      return e;
    }
    if (member.value().is_null()) {
      if (mode == EventMode::patch) out.emplace(spec->name, nullptr);
      continue;
    }
    if (auto problem = validator.check(*spec, member.value())) return problem;
  }
  return std::nullopt;
}

}  // namespace opsync
