#include "vendorsim/duplicates.h"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <map>
#include <string>
#include <vector>

namespace opsync::vendorsim {

namespace {

std::string text(const json::object& record, std::string_view field) {
  const json::value* v = record.if_contains(field);
  if (v == nullptr || v->is_null()) return {};
  if (v->is_string()) return std::string(v->as_string());
  return json::serialize(*v);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return s;
}

// The natural keys of one record (none when it has no value to be told apart by).
std::vector<std::string> keys_of(Vendor vendor, const json::object& record) {
  std::vector<std::string> keys;
  const std::string email = lower(text(record, "email"));
  if (vendor == Vendor::plugchat) {
    if (const std::string name = text(record, "name"); !name.empty())
      keys.push_back("name:" + name);
  } else if (vendor == Vendor::identitycall) {
    if (!email.empty()) {
      keys.push_back("email:" + email);
    } else if (const std::string name = text(record, "name"); !name.empty()) {
      keys.push_back("name+phone:" + name + "|" + text(record, "phone_number"));
    }
  } else {
    if (!email.empty()) keys.push_back("email:" + email);
    if (vendor == Vendor::iadvize) {
      if (const std::string ext = text(record, "external_id"); !ext.empty()) {
        keys.push_back("external_id:" + ext);
      }
    }
  }
  return keys;
}

}  // namespace

json::array find_duplicates(Vendor vendor, const json::array& records) {
  std::map<std::string, json::array> by_key;
  for (const json::value& r : records) {
    const json::object* record = r.if_object();
    if (record == nullptr) continue;
    const json::value* id = record->if_contains("id");
    for (const std::string& key : keys_of(vendor, *record)) {
      by_key[key].push_back(id != nullptr ? *id : json::value(nullptr));
    }
  }
  json::array out;
  for (auto& [key, ids] : by_key) {
    if (ids.size() > 1) out.push_back(json::object{{"key", key}, {"ids", std::move(ids)}});
  }
  return out;
}

}  // namespace opsync::vendorsim
