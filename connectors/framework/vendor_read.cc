#include "framework/vendor_read.h"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <utility>
#include <vector>

namespace opsync {

namespace {

namespace json = boost::json;

std::string sort_key(const json::value& v) {
  return v.is_string() ? std::string(v.as_string()) : json::serialize(v);
}

}  // namespace

ReadResult failed_read(PushResult failure, bool refusal_is_unsupported) {
  ReadResult out;
  const bool answered = failure.status != 0 && !failure.vendor_failure;
  if (refusal_is_unsupported && answered && (failure.status == 404 || failure.status == 405)) {
    out.status = ReadResult::Status::unsupported;
  } else {
    out.status = ReadResult::Status::failed;
  }
  out.failure = std::move(failure);
  return out;
}

ReadResult not_found_read(PushResult answer) {
  ReadResult out;
  out.status = ReadResult::Status::not_found;
  out.failure = std::move(answer);
  return out;
}

ReadResult one_record_read(std::optional<VendorRecord> record, PushResult answer,
                           std::string malformed) {
  if (!record) {
    answer.outcome = PushOutcome::permanent;
    answer.message = std::move(malformed);
    return failed_read(std::move(answer));
  }
  ReadResult out;
  out.records.push_back(std::move(*record));
  return out;
}

bool same_email(const json::value& vendor, const json::value& desired) {
  return iequal_strings(vendor, desired) || vendor == desired;
}

json::array sorted_set(const json::array& items) {
  std::vector<std::pair<std::string, const json::value*>> keyed;
  keyed.reserve(items.size());
  for (const json::value& v : items) keyed.emplace_back(sort_key(v), &v);
  std::sort(keyed.begin(), keyed.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  keyed.erase(std::unique(keyed.begin(), keyed.end(),
                          [](const auto& a, const auto& b) { return a.first == b.first; }),
              keyed.end());
  json::array out;
  out.reserve(keyed.size());
  for (const auto& [key, v] : keyed) out.push_back(*v);
  return out;
}

bool same_set(const json::value& a, const json::value& b) {
  if (!a.is_array() || !b.is_array()) return false;
  return sorted_set(a.as_array()) == sorted_set(b.as_array());
}

std::string e164_form(std::string_view s) {
  std::string out;
  for (char c : s) {
    if ((c >= '0' && c <= '9') || (c == '+' && out.empty())) {
      out += c;
    } else if (c != ' ' && c != '.' && c != '-' && c != '(' && c != ')') {
      return std::string(s);
    }
  }
  return out;
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool iequal_strings(const json::value& a, const json::value& b) {
  return a.is_string() && b.is_string() && ascii_lower(a.as_string()) == ascii_lower(b.as_string());
}

}  // namespace opsync
