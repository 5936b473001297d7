// CommPeak. Source: seeds/004 (update user) and vendors.md "CommPeak".
#include <algorithm>
#include <boost/json/serialize.hpp>
#include <utility>
#include <vector>

#include "vendorsim/record_store.h"
#include "vendorsim/vendors.h"

namespace opsync::vendorsim {
namespace {

enum class Kind { number, flag, string };  // flag: a number that is 0 or 1

struct Field {
  std::string_view name;
  Kind kind;
  std::vector<std::string_view> allowed = {};  // for enumerated strings
};

// The seed's body parameters with their documented types.
const std::vector<Field>& fields() {
  static const std::vector<Field> kFields{
      {"id", Kind::number},
      {"username", Kind::string},
      {"email", Kind::string},
      {"is_active", Kind::flag},
      {"sip_uri", Kind::string},
      {"is_deleted", Kind::flag},
      {"use_extended_ip_acl", Kind::flag},
      {"user_route_caller_id", Kind::number},
      {"predictive_dynamic_extension", Kind::string},
      {"timezone_id", Kind::number},
      {"first_name", Kind::string},
      {"last_name", Kind::string},
      {"virtual_extension", Kind::string},
      {"default_language", Kind::string, {"en_US", "es_ES", "pt_BR", "ru_RU"}},
      {"max_session_time", Kind::string},
      {"max_concurrent_sessions", Kind::string},
      {"twofa_type", Kind::string, {"default", "disabled", "email", "google"}},
      {"member_all_skill_groups", Kind::string},
      {"member_all_desks", Kind::string},
      {"registration_password", Kind::string},
      {"is_clockedin", Kind::string},
      {"is_predictive_clockedin", Kind::string},
      {"use_webrtc", Kind::flag},
  };
  return kFields;
}

// GET answers carry every value as a string (vendors.md); null stays null.
json::object stringified(const json::object& record) {
  json::object out;
  for (const auto& [key, value] : record) {
    if (key == "registration_password") continue;  // a secret, never returned
    if (value.is_string() || value.is_null())
      out[key] = value;
    else if (value.is_bool())
      out[key] = value.as_bool() ? "1" : "0";
    else
      out[key] = json::serialize(value);
  }
  return out;
}

class CommPeakSim final : public VendorSim {
 public:
  CommPeakSim(CommPeakOptions options, SimContext context)
      : options_(std::move(options)), context_(std::move(context)) {}

  // Order of checks: Basic auth (401), route (404), method (405), user (404), body (400/422).
  HttpResponse handle(const HttpRequest& req) override {
    auto credentials = basic_credentials(req);
    if (!credentials || credentials->first != options_.username ||
        credentials->second != options_.password) {
      HttpResponse res = error(req, http::status::unauthorized, "Unauthorized");
      res.set(http::field::www_authenticate, "Basic realm=\"CommPeak\"");
      return res;
    }
    auto target = parse_target(req.target());
    if (!target) return error(req, http::status::not_found, "Not found");
    const auto& seg = target->segments;
    const bool list_path = target->path_is({"api", "users"});
    const bool user_path = target->path_is({"api", "users", ""});
    const bool hook_path = target->path_is({"integrations", "adapters", "hook", "users", ""});
    if ((!list_path && !user_path && !hook_path) || (list_path && !options_.list_users))
      return error(req, http::status::not_found, "Not found");
    const auto method = req.method();
    std::string_view allow = list_path ? "GET" : user_path ? "GET, PUT" : "PUT";
    bool allowed =
        (method == http::verb::get && !hook_path) || (method == http::verb::put && !list_path);
    if (!allowed) {
      HttpResponse res = error(req, http::status::method_not_allowed, "Method not allowed");
      res.set(http::field::allow, allow);
      return res;
    }
    if (list_path) {
      json::array users;
      for (const auto& r : store_.all()) users.push_back(stringified(r));
      return json_response(req, http::status::ok, {{"users", std::move(users)}});
    }
    const std::string& id = seg.back();
    json::object* record = store_.find(id);
    if (!record) return error(req, http::status::not_found, "User not found");
    if (method == http::verb::get)
      return json_response(req, http::status::ok, stringified(*record));
    return update(req, *record);
  }

  HttpResponse error(const HttpRequest& req, http::status status,
                     std::string_view message) const override {
    return json_response(req, status, {{"status", "error"}, {"message", message}});
  }

  json::array records() const override {
    json::array out;
    for (const auto& r : store_.all()) out.push_back(control_view(r));
    return out;
  }

  // The record as the control API shows it: the secret masked.
  json::object control_view(const json::object& record) const {
    json::object copy = record;
    if (copy.contains("registration_password")) copy["registration_password"] = "***";
    return copy;
  }

  // CommPeak documents no create: seeding is how users come to exist.
  SeedResult seed(json::object given) override {
    std::int64_t id = next_id_;
    if (auto v = given.if_contains("id")) {
      auto n = json_int(*v);
      if (!n || *n < 1) return {{}, "CommPeak user ids are positive integers"};
      id = *n;
    }
    next_id_ = std::max(next_id_, id + 1);
    json::object record{{"id", id},
                        {"username", "user" + std::to_string(id)},
                        {"email", ""},
                        {"is_active", 1},
                        {"sip_uri", ""},
                        {"is_deleted", 0},
                        {"use_extended_ip_acl", 0},
                        {"user_route_caller_id", 0},
                        {"predictive_dynamic_extension", ""},
                        {"timezone_id", 1},
                        {"first_name", ""},
                        {"last_name", ""},
                        {"virtual_extension", ""},
                        {"default_language", "en_US"},
                        {"max_session_time", "0"},
                        {"max_concurrent_sessions", "1"},
                        {"twofa_type", "default"},
                        {"member_all_skill_groups", "0"},
                        {"member_all_desks", "0"},
                        {"is_clockedin", "0"},
                        {"is_predictive_clockedin", "0"},
                        {"use_webrtc", 0}};
    for (const auto& [key, value] : given) record[key] = value;
    record["id"] = id;
    return {control_view(store_.put(std::move(record))), {}};
  }

  SeedResult edit(std::string_view id, const json::object& changes) override {
    json::object* record = store_.edit(id, changes);
    if (record == nullptr) return {{}, "no record with id '" + std::string(id) + "'"};

    return {control_view(*record), {}};
  }

  bool erase(std::string_view id) override { return store_.erase(id); }

  void reset() override {
    store_.clear();
    next_id_ = 1;
  }

 private:
  // Both update paths take "the fields to update": a partial update.
  HttpResponse update(const HttpRequest& req, json::object& record) {
    auto body = parse_object(req.body());
    if (!body) return error(req, http::status::bad_request, "Body must be a JSON object");
    json::object errors;
    for (const auto& [key, value] : *body) {
      auto field = std::find_if(fields().begin(), fields().end(),
                                [&](const Field& f) { return f.name == key; });
      if (field == fields().end()) {
        if (context_.reject_unknown_fields) errors[key] = "is not a known field";
        continue;
      }
      auto n = json_int(value);
      switch (field->kind) {
        case Kind::number:
          if (!n) errors[key] = "must be a number";
          break;
        case Kind::flag:
          if (!n || (*n != 0 && *n != 1)) errors[key] = "must be 0 or 1";
          break;
        case Kind::string:
          if (!value.is_string()) {
            errors[key] = "must be a string";
          } else if (!field->allowed.empty() &&
                     std::find(field->allowed.begin(), field->allowed.end(),
                               std::string_view(value.as_string())) == field->allowed.end()) {
            std::string list;
            for (auto a : field->allowed) list += (list.empty() ? "" : ", ") + std::string(a);
            errors[key] = "must be one of " + list;
          } else if (key == "email" && !value.as_string().empty() && !is_email(value.as_string())) {
            errors[key] = "must be a valid email address";
          }
          break;
      }
    }
    if (auto id = body->if_contains("id");
        id && !errors.contains("id") && json_int(*id) != json_int(record.at("id")))
      errors["id"] = "does not match the user id in the URL";
    if (!errors.empty())
      return json_response(
          req, http::status::unprocessable_entity,
          {{"status", "error"}, {"message", "Validation failed"}, {"errors", std::move(errors)}});
    for (const auto& [key, value] : *body)  // unknown fields (when allowed) are ignored
      if (key != "id" && std::any_of(fields().begin(), fields().end(),
                                     [&](const Field& f) { return f.name == key; }))
        record[key] = value;
    return json_response(req, http::status::ok, stringified(record));
  }

  CommPeakOptions options_;
  SimContext context_;
  RecordStore store_;
  std::int64_t next_id_ = 1;
};

}  // namespace

constexpr std::string_view kCommPeakClearable[] = {"sip_uri"};

const VendorEntry kCommPeakVendor = {
    .name = "commpeak",
    .make = make_simulator<CommPeakSim, &Options::commpeak>,
    .credentials = "username: opsync\n    password: opsync-commpeak-password",
    .sample_settings =
        "    time_zones: {Europe/Lisbon: 42, America/Sao_Paulo: 12, Europe/Berlin: 44, "
        "America/New_York: 7, Asia/Tokyo: 88, Europe/Paris: 43}\n"
        "    languages: {en: en_US, pt: pt_BR, es: es_ES, fr: en_US, de: en_US}\n",
    .clearable_fields = kCommPeakClearable,
    .unknown_id = "999999",
    .seeded_operator =
        [](std::int64_t n, const std::string& key) {
          return SeededOperator{{{"id", n + 1}, {"email", key + "@example.com"}, {"is_active", 1}},
                                std::to_string(n + 1)};
        },
    // CommPeak has no create call: its users exist before opsync, found by e-mail.
    .precreated_operator =
        [](const std::string& email) {
          return json::object{{"email", email}, {"is_active", 0}};
        },
};

}  // namespace opsync::vendorsim
