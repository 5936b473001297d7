// iAdvize REST v2 (deprecated in favour of GraphQL). Source: seeds/003 and vendors.md "iAdvize".
#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "vendorsim/iadvize_fields.h"
#include "vendorsim/record_store.h"
#include "vendorsim/vendors.h"

namespace opsync::vendorsim {
namespace {

constexpr std::int64_t kDefaultLimit = 20;
constexpr std::int64_t kMaxLimit = 100;

struct Live {
  bool connected = false;
  bool chat = false;
  bool call = false;
  bool video = false;
};

json::object success(json::value data) {
  return {{"meta", {{"status", "success"}}}, {"data", std::move(data)}};
}

class IAdvizeSim final : public VendorSim {
 public:
  IAdvizeSim(IAdvizeOptions options, SimContext context)
      : options_(std::move(options)), context_(std::move(context)), rng_(context_.seed ^ 0x1ad5) {}

  // Order of checks: route (404), method (405), X-API-Key (401), body (400/415), operator (404).
  HttpResponse handle(const HttpRequest& req) override {
    auto target = parse_target(req.target());
    if (!target) return error(req, http::status::bad_request, "Malformed request target");
    const auto& seg = target->segments;
    if (seg.size() < 3 || seg.size() > 5 || seg[0] != "api" || seg[1] != "2" ||
        seg[2] != "operator")
      return error(req, http::status::not_found, "Resource not found");
    const auto method = req.method();
    using http::verb;
    const bool collection = seg.size() == 3;
    const bool live_list = seg.size() == 4 && seg[3] == "live";
    const bool live_one = seg.size() == 5 && seg[4] == "live";
    if (seg.size() == 5 && !live_one)
      return error(req, http::status::not_found, "Resource not found");
    std::string_view allow = collection  ? "GET, POST"
                             : live_list ? "GET"
                             : live_one  ? "GET, PUT"
                                         : "GET, PUT, DELETE";
    bool allowed = method == verb::get || (method == verb::post && collection) ||
                   (method == verb::put && !collection && !live_list) ||
                   (method == verb::delete_ && seg.size() == 4 && !live_list);
    if (!allowed) {
      HttpResponse res = error(req, http::status::method_not_allowed, "Method not allowed");
      res.set(http::field::allow, allow);
      return res;
    }
    if (header(req, "X-API-Key") != options_.api_key)
      return error(req, http::status::unauthorized, "Invalid or missing API key (X-API-Key)");

    if (collection) return method == verb::get ? list(req, *target) : create(req);
    if (live_list) return live_all(req);
    json::object* record = store_.find(seg[3]);
    if (!record) return error(req, http::status::not_found, "Operator not found");
    const std::string id = seg[3];
    if (live_one && method == verb::get)
      return json_response(req, http::status::ok, success(live_view(*record)));
    if (live_one) return set_live(req, id);
    if (method == verb::get) return json_response(req, http::status::ok, success(present(*record)));
    if (method == verb::delete_) {
      store_.erase(id);
      live_.erase(id);
      return json_response(req, http::status::ok, {{"meta", {{"status", "success"}}}});
    }
    return update(req, *record);
  }

  // JSend-style: "fail" for a problem with the request (4xx), "error" for the server's (5xx).
  HttpResponse error(const HttpRequest& req, http::status status,
                     std::string_view message) const override {
    const char* kind = static_cast<unsigned>(status) >= 500 ? "error" : "fail";
    return json_response(req, status, {{"meta", {{"status", kind}, {"message", message}}}});
  }

  json::array records() const override {
    json::array out;
    for (const auto& r : store_.all()) out.push_back(control_view(r));
    return out;
  }

  // The record as the control API shows it: the secret masked, live state added.
  json::object control_view(const json::object& record) const {
    json::object copy = record;
    if (copy.contains("password")) copy["password"] = "***";
    copy["live"] = live_view(record);
    return copy;
  }

  SeedResult seed(json::object given) override {
    std::int64_t id = next_id_;
    if (auto v = given.if_contains("id")) {
      auto n = json_int(*v);
      if (!n || *n < 1) return {{}, "iAdvize operator ids are positive integers"};
      id = *n;
    }
    next_id_ = std::max(next_id_, id + 1);
    json::object record = defaults(id);
    for (const auto& [key, value] : given)
      if (key != "live") record[key] = value;
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
    live_.clear();
    next_id_ = 1;
  }

 private:
  json::object defaults(std::int64_t id) {
    return {{"id", id},
            {"name", ""},
            {"first_name", ""},
            {"pseudo", nullptr},
            {"email", ""},
            {"external_id", nullptr},
            {"role", "operator"},
            {"roles", json::array{"operator"}},
            {"chat_enabled", true},
            {"call_enabled", false},
            {"video_enabled", false},
            {"chat_max_number", 3},
            {"chat_and_call", false},
            {"chat_to_video", false},
            {"chat_priority", 0},
            {"call_priority", 0},
            {"video_priority", 0},
            {"language_list", json::array()},
            {"language_admin", "en"},
            {"group_id", nullptr},
            {"website_list", json::array()},
            {"skill_list", json::array()},
            {"sso_key", random_alnum(rng_, 32)},
            {"call_config",
             {{"type", "ANSWER_FROM_DESK"},
              {"ask_phone_number_at_every_connection", false},
              {"phone_number", nullptr}}}};
  }

  static json::object present(const json::object& record) {
    json::object out = record;
    out.erase("password");
    return out;
  }

  json::object live_view(const json::object& record) const {
    Live live;
    if (auto it = live_.find(RecordStore::key_of(record.at("id"))); it != live_.end())
      live = it->second;
    auto channel = [&](std::string_view enabled_key, std::string_view max_key, bool available) {
      auto enabled = record.if_contains(enabled_key);
      auto max = max_key.empty() ? nullptr : record.if_contains(max_key);
      return json::object{{"enabled", enabled ? *enabled : json::value(false)},
                          {"slot_number", 0},
                          {"slot_max_number", max ? *max : json::value(1)},
                          {"busy", false},
                          {"available", available}};
    };
    return {{"id", record.at("id")},
            {"connected", live.connected},
            {"chat", channel("chat_enabled", "chat_max_number", live.chat)},
            {"call", channel("call_enabled", "", live.call)},
            {"video", channel("video_enabled", "", live.video)}};
  }

  HttpResponse invalid(const HttpRequest& req, const std::vector<std::string>& problems) const {
    std::string message;
    for (const auto& p : problems) message += (message.empty() ? "" : "; ") + p;
    return error(req, http::status::bad_request, message);
  }

  HttpResponse list(const HttpRequest& req, const Target& target) const {
    std::int64_t page = 1;
    std::int64_t limit = kDefaultLimit;
    std::map<std::string, std::string> filters;
    for (const auto& [key, value] : target.query) {
      auto number = [&]() -> std::int64_t {
        char* end = nullptr;
        long long n = std::strtoll(value.c_str(), &end, 10);
        return value.empty() || *end != '\0' ? -1 : n;
      };
      if (key == "page") {
        if ((page = number()) < 1)
          return error(req, http::status::bad_request, "page must be >= 1");
      } else if (key == "limit") {
        if ((limit = number()) < 1 || limit > kMaxLimit)
          return error(req, http::status::bad_request, "limit must be between 1 and 100");
      } else if (key.rfind("filters[", 0) == 0 && key.back() == ']') {
        std::string name = key.substr(8, key.size() - 9);
        static const std::vector<std::string> kFilters{"id",           "group_id", "website_id",
                                                       "website_list", "skill_id", "name",
                                                       "external_id",  "email"};
        if (std::find(kFilters.begin(), kFilters.end(), name) == kFilters.end())
          return error(req, http::status::bad_request, "Unknown filter '" + name + "'");
        filters[name] = value;
      }
    }
    auto contains_id = [](const json::value& list, std::string_view id) {
      return list.is_array() &&
             std::any_of(list.as_array().begin(), list.as_array().end(),
                         [&](const json::value& v) { return RecordStore::key_of(v) == id; });
    };
    auto matches = [&](const json::object& r) {
      for (const auto& [name, want] : filters) {
        auto text = [&](std::string_view field) {
          auto v = r.if_contains(field);
          return v && v->is_string() ? std::string(v->as_string()) : std::string();
        };
        bool ok = true;
        if (name == "id") ok = RecordStore::key_of(r.at("id")) == want;
        if (name == "group_id")
          ok = r.contains("group_id") && RecordStore::key_of(r.at("group_id")) == want;
        if (name == "email") ok = iequals(text("email"), want);
        if (name == "external_id") ok = text("external_id") == want;
        if (name == "name") ok = to_lower(text("name")).find(to_lower(want)) != std::string::npos;
        if (name == "skill_id") ok = contains_id(r.at("skill_list"), want);
        if (name == "website_id") ok = contains_id(r.at("website_list"), want);
        if (name == "website_list") {
          ok = false;
          for (std::size_t s = 0; s <= want.size();) {
            auto e = std::min(want.find(',', s), want.size());
            ok = ok || contains_id(r.at("website_list"), std::string_view(want).substr(s, e - s));
            s = e + 1;
          }
        }
        if (!ok) return false;
      }
      return true;
    };
    json::array data;
    std::int64_t total = 0;
    for (const auto& r : store_.all()) {
      if (!matches(r)) continue;
      if (total >= (page - 1) * limit && total < page * limit) data.push_back(present(r));
      ++total;
    }
    return json_response(
        req, http::status::ok,
        {{"meta", {{"status", "success"}, {"page", page}, {"limit", limit}, {"total", total}}},
         {"data", std::move(data)}});
  }

  HttpResponse create(const HttpRequest& req) {
    std::string decode_error;
    auto body = iadvize::decode_body(req, decode_error);
    if (!body) return error(req, http::status::unsupported_media_type, decode_error);
    json::object changes;
    auto problems = iadvize::operator_changes(*body, context_.reject_unknown_fields, changes);
    if (!changes.contains("email") && !body->contains("email"))
      problems.emplace_back("email is required");
    if (!problems.empty()) return invalid(req, problems);
    json::object record = defaults(next_id_++);
    for (const auto& [k, v] : changes) record[k] = v;
    return json_response(req, http::status::created,
                         success(present(store_.put(std::move(record)))));
  }

  HttpResponse update(const HttpRequest& req, json::object& record) {
    std::string decode_error;
    auto body = iadvize::decode_body(req, decode_error);
    if (!body) return error(req, http::status::unsupported_media_type, decode_error);
    json::object changes;
    auto problems = iadvize::operator_changes(*body, context_.reject_unknown_fields, changes);
    if (!problems.empty()) return invalid(req, problems);
    for (const auto& [k, v] : changes) record[k] = v;  // only the fields sent change
    return json_response(req, http::status::ok, success(present(record)));
  }

  HttpResponse live_all(const HttpRequest& req) const {
    json::array data;
    for (const auto& r : store_.all()) data.push_back(live_view(r));
    return json_response(req, http::status::ok, success(std::move(data)));
  }

  HttpResponse set_live(const HttpRequest& req, const std::string& id) {
    std::string decode_error;
    auto body = iadvize::decode_body(req, decode_error);
    if (!body) return error(req, http::status::unsupported_media_type, decode_error);
    json::object changes;
    auto problems = iadvize::live_changes(*body, context_.reject_unknown_fields, changes);
    if (!problems.empty()) return invalid(req, problems);
    Live& live = live_[id];
    std::string message;
    auto say = [&](std::string text) { message += (message.empty() ? "" : " ") + text; };
    if (changes.contains("connected")) {
      live = Live{};
      say("Operator is now disconnected.");
    }
    for (auto [name, slot] : {std::pair{"chat", &live.chat}, std::pair{"call", &live.call},
                              std::pair{"video", &live.video}}) {
      auto v = changes.if_contains(name);
      if (!v) continue;
      *slot = v->as_bool();
      if (*slot) live.connected = true;
      say(std::string("Operator is now ") + (*slot ? "available" : "unavailable") + " for " + name +
          " channel.");
    }
    return json_response(req, http::status::ok,
                         {{"meta", {{"status", "success"}, {"message", message}}}});
  }

  IAdvizeOptions options_;
  SimContext context_;
  Rng rng_;
  RecordStore store_;
  std::map<std::string, Live> live_;
  std::int64_t next_id_ = 1;
};

}  // namespace

const VendorEntry kIAdvizeVendor = {
    .name = "iadvize",
    .make = make_simulator<IAdvizeSim, &Options::iadvize>,
    .api_root = "/api/2",
    .credentials = "api_key: opsync-iadvize-rest-key",
    .sample_settings =
        "    create_missing: true\n"
        "    teams: {support: \"1201\", sales: \"1202\", billing: \"1203\", retention: \"1204\", "
        "vip: \"1205\", onboarding: \"1206\"}\n"
        "    languages: {pt: en}\n",
    .unknown_id = "999999",
    .seeded_operator =
        [](std::int64_t n, const std::string& key) {
          return SeededOperator{
              {{"id", n + 1}, {"email", key + "@example.com"}, {"external_id", key}},
              std::to_string(n + 1)};
        },
};

}  // namespace opsync::vendorsim
