// IdentityCall public API. Source: seeds/002 (update operator) and vendors.md "IdentityCall".
#include <algorithm>
#include <cctype>
#include <utility>
#include <vector>

#include "vendorsim/record_store.h"
#include "vendorsim/vendors.h"

namespace opsync::vendorsim {
namespace {

bool is_key_format(std::string_view token) {
  return token.size() == 36 && token.substr(0, 4) == "idc_" &&
         std::all_of(token.begin() + 4, token.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
}

// "Auto-normalized to E.164": separators are dropped and a leading 00 becomes +. A number
// without a country code cannot be normalised and is invalid.
std::optional<std::string> normalize_phone(std::string_view raw) {
  std::string out;
  for (char c : raw) {
    if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')') continue;
    out.push_back(c);
  }
  if (out.rfind("00", 0) == 0) out = "+" + out.substr(2);
  if (!is_e164(out) || out.size() < 8) return std::nullopt;
  return out;
}

std::string initials(std::string_view name) {
  std::vector<std::string_view> words;
  for (std::size_t i = 0; i < name.size();) {
    auto start = name.find_first_not_of(' ', i);
    if (start == std::string_view::npos) break;
    auto end = std::min(name.find(' ', start), name.size());
    words.push_back(name.substr(start, end - start));
    i = end;
  }
  std::string out;
  if (words.size() == 1) out = words[0].substr(0, 2);
  if (words.size() > 1) out = {words.front()[0], words.back()[0]};
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

class IdentityCallSim final : public VendorSim {
 public:
  IdentityCallSim(IdentityCallOptions options, SimContext context)
      : options_(std::move(options)), context_(std::move(context)) {}

  // Order of checks: key (401), route (404/405), permission (403), scope (404), body (400/422).
  HttpResponse handle(const HttpRequest& req) override {
    auto token = bearer_token(req);
    const IdentityCallKey* key = nullptr;
    if (token && is_key_format(*token))
      for (const auto& k : options_.keys)
        if (k.token == *token) key = &k;
    if (!key) return error(req, http::status::unauthorized, "Invalid API key");

    auto target = parse_target(req.target());
    if (!target) return error(req, http::status::not_found, "Resource not found");
    const auto& seg = target->segments;
    bool base = seg.size() >= 4 && seg[0] == "api" && seg[1] == "v1" && seg[2] == "public" &&
                seg[3] == "operators";
    if (!base || seg.size() > 5) return error(req, http::status::not_found, "Resource not found");
    const bool collection = seg.size() == 4;
    const auto method = req.method();
    using http::verb;
    if (collection && method != verb::get && method != verb::post)
      return not_allowed(req, "GET, POST");
    if (!collection && method != verb::get && method != verb::patch && method != verb::delete_)
      return not_allowed(req, "GET, PATCH, DELETE");
    if (method == verb::get && !key->read)
      return error(req, http::status::forbidden, "Read permission required");
    if ((method == verb::post || method == verb::patch) && !key->write)
      return error(req, http::status::forbidden, "Write permission required");
    if (method == verb::delete_ && !key->remove)
      return error(req, http::status::forbidden, "Delete permission required");

    if (collection) return method == verb::get ? list(req, *key) : create(req, *key);
    json::object* record = store_.find(seg[4]);
    if (!record || !in_scope(*record, *key))
      return error(req, http::status::not_found, "Resource not found");
    if (method == verb::get)
      return json_response(req, http::status::ok, {{"data", present(*record)}});
    if (method == verb::delete_) {  // hard, irreversible delete
      store_.erase(seg[4]);
      return empty_response(req, http::status::no_content);
    }
    return update(req, *record);
  }

  HttpResponse error(const HttpRequest& req, http::status status,
                     std::string_view message) const override {
    return json_response(req, status, {{"error", message}});
  }

  json::array records() const override {
    json::array out;
    for (const auto& r : store_.all()) out.push_back(r);
    return out;
  }

  SeedResult seed(json::object given) override {
    std::int64_t id = next_id_;
    if (auto v = given.if_contains("id")) {
      auto n = json_int(*v);
      if (!n || *n < 1) return {{}, "IdentityCall operator ids are positive integers"};
      id = *n;
    }
    next_id_ = std::max(next_id_, id + 1);
    json::object record{{"id", id},
                        {"name", ""},
                        {"phone_number", ""},
                        {"email", nullptr},
                        {"active", true},
                        {"virtual_numbers", json::array()},
                        {"project_id", nullptr}};
    for (const auto& [key, value] : given) record[key] = value;
    if (record.at("name").is_string()) record["initials"] = initials(record.at("name").as_string());
    return {store_.put(std::move(record)), {}};
  }

  SeedResult edit(std::string_view id, const json::object& changes) override {
    json::object* record = store_.edit(id, changes);
    if (record == nullptr) return {{}, "no record with id '" + std::string(id) + "'"};

    return {*record, {}};
  }

  bool erase(std::string_view id) override { return store_.erase(id); }

  void reset() override {
    store_.clear();
    next_id_ = 1;
  }

 private:
  HttpResponse not_allowed(const HttpRequest& req, std::string_view allow) const {
    HttpResponse res = error(req, http::status::method_not_allowed, "Method not allowed");
    res.set(http::field::allow, allow);
    return res;
  }

  static bool in_scope(const json::object& record, const IdentityCallKey& key) {
    if (!key.project_id) return true;
    auto project = json_int(record.at("project_id"));
    return project && *project == *key.project_id;
  }

  // The API view: the internal project link is not part of the documented fields.
  static json::object present(const json::object& record) {
    json::object out = record;
    out.erase("project_id");
    return out;
  }

  HttpResponse list(const HttpRequest& req, const IdentityCallKey& key) const {
    json::array data;
    for (const auto& r : store_.all())
      if (in_scope(r, key)) data.push_back(present(r));
    return json_response(req, http::status::ok, {{"data", std::move(data)}});
  }

  // Validates `body` for create (record == nullptr) or update; on success fills `changes` with
  // the normalised values.
  std::vector<std::string> validate(const json::object& body, bool creating,
                                    json::object& changes) const {
    std::vector<std::string> errors;
    if (context_.reject_unknown_fields)
      for (const auto& key : unknown_keys(body, {"name", "phone_number", "email", "active"}))
        errors.push_back("Unknown attribute '" + key + "'");
    if (auto v = body.if_contains("name"); v || creating) {
      if (v && !v->is_string() && !v->is_null())
        errors.emplace_back("Name must be a string");
      else if (!v || v->is_null() || v->as_string().find_first_not_of(" \t") == json::string::npos)
        errors.emplace_back("Name can't be blank");
      else
        changes["name"] = *v;
    }
    if (auto v = body.if_contains("phone_number"); v || creating) {
      if (!v || v->is_null() || (v->is_string() && v->as_string().empty())) {
        errors.emplace_back("Phone number can't be blank");
      } else if (auto phone = v->is_string() ? normalize_phone(v->as_string()) : std::nullopt) {
        changes["phone_number"] = *phone;
      } else {
        errors.emplace_back("Phone number is invalid");
      }
    }
    if (auto v = body.if_contains("email")) {
      if (v->is_null())
        changes["email"] = nullptr;  // "Send null to clear"
      else if (!v->is_string() || !is_email(v->as_string()))
        errors.emplace_back("Email is invalid");
      else
        changes["email"] = *v;
    }
    if (auto v = body.if_contains("active")) {
      if (!v->is_bool())
        errors.emplace_back("Active must be true or false");
      else
        changes["active"] = *v;
    }
    return errors;
  }

  HttpResponse invalid(const HttpRequest& req, const std::vector<std::string>& errors) const {
    json::array list;
    for (const auto& e : errors) list.emplace_back(e);
    return json_response(req, http::status::unprocessable_entity, {{"errors", std::move(list)}});
  }

  HttpResponse create(const HttpRequest& req, const IdentityCallKey& key) {
    auto body = parse_object(req.body());
    if (!body) return error(req, http::status::bad_request, "Request body must be a JSON object");
    json::object changes;
    auto errors = validate(*body, true, changes);
    if (!errors.empty()) return invalid(req, errors);
    json::object record{{"id", next_id_++},
                        {"email", nullptr},
                        {"active", true},
                        {"virtual_numbers", json::array()},
                        {"project_id", key.project_id ? json::value(*key.project_id) : nullptr}};
    for (const auto& [k, v] : changes) record[k] = v;
    record["initials"] = initials(record.at("name").as_string());
    return json_response(req, http::status::created,
                         {{"data", present(store_.put(std::move(record)))}});
  }

  HttpResponse update(const HttpRequest& req, json::object& record) {
    auto body = parse_object(req.body());
    if (!body) return error(req, http::status::bad_request, "Request body must be a JSON object");
    json::object changes;
    auto errors = validate(*body, false, changes);
    if (!errors.empty()) return invalid(req, errors);
    for (const auto& [k, v] : changes) record[k] = v;  // partial: only the supplied fields
    if (record.at("name").is_string()) record["initials"] = initials(record.at("name").as_string());
    return json_response(req, http::status::ok, {{"data", present(record)}});
  }

  IdentityCallOptions options_;
  SimContext context_;
  RecordStore store_;
  std::int64_t next_id_ = 1;
};

}  // namespace

constexpr std::string_view kIdentityCallClearable[] = {"email"};

const VendorEntry kIdentityCallVendor = {
    .name = "identitycall",
    .make = make_simulator<IdentityCallSim, &Options::identitycall>,
    .api_root = "/api/v1/public",
    .credentials = "api_key: idc_opsyncsimfullaccess0000000000001",
    .sample_settings = "    create_missing: true\n",
    .clearable_fields = kIdentityCallClearable,
    .max_rate_per_second = 100,  // the schema's bound (documented 300 requests/minute on Pro)
    .max_burst = 300,
    .unknown_id = "999999",
    .seeded_operator =
        [](std::int64_t n, const std::string& key) {
          return SeededOperator{
              {{"id", n + 1}, {"name", "Seed " + key}, {"email", key + "@example.com"}},
              std::to_string(n + 1)};
        },
};

}  // namespace opsync::vendorsim
