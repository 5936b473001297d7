// Glia (ex-SaleMove). Source: seeds/000 (update operator) and vendors.md "Glia".
#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "vendorsim/glia_rules.h"
#include "vendorsim/record_store.h"
#include "vendorsim/vendors.h"

namespace opsync::vendorsim {
namespace {

using glia::FieldErrors;

constexpr std::string_view kMediaType = "application/vnd.salemove.v1+json";
constexpr std::size_t kDefaultPerPage = 30;
constexpr std::size_t kMaxPerPage = 100;

class GliaSim final : public VendorSim {
 public:
  GliaSim(GliaOptions options, SimContext context)
      : options_(std::move(options)), context_(std::move(context)), rng_(context_.seed ^ 0x61a1) {}

  HttpResponse handle(const HttpRequest& req) override {
    auto target = parse_target(req.target());
    if (!target) return error(req, http::status::bad_request, "Malformed request target");
    if (header(req, "Accept").find(kMediaType) == std::string_view::npos)
      return error(req, http::status::not_acceptable,
                   "The Accept header must be application/vnd.salemove.v1+json");
    if (target->path_is({"operator_authentication", "tokens"})) {
      if (req.method() != http::verb::post) return not_allowed(req, "POST");
      return create_token(req);
    }
    const auto& seg = target->segments;
    if (seg.empty() || seg.size() > 2 || seg[0] != "operators")
      return error(req, http::status::not_found, "Not found");
    const bool collection = seg.size() == 1;
    const auto method = req.method();
    if (collection && method != http::verb::get && method != http::verb::post)
      return not_allowed(req, "GET, POST");
    if (!collection && method != http::verb::get && method != http::verb::post &&
        method != http::verb::delete_)
      return not_allowed(req, "GET, POST, DELETE");
    if (!authorised(req))
      return error(req, http::status::unauthorized, "Missing, unknown or expired access token");
    if (collection) return method == http::verb::get ? list(req, *target) : create(req);

    json::object* record = store_.find(seg[1]);
    if (!record) return error(req, http::status::not_found, "Operator not found");
    if (method == http::verb::get)
      return json_response(req, http::status::ok, present(req, *record));
    if (method == http::verb::delete_) {  // soft delete: the operator is disabled
      (*record)["enabled"] = false;
      (*record)["available"] = false;
      return empty_response(req, http::status::no_content);
    }
    return update(req, *record);
  }

  HttpResponse error(const HttpRequest& req, http::status status,
                     std::string_view message) const override {
    return json_response(req, status,
                         {{"error", http::obsolete_reason(status)}, {"message", message}});
  }

  json::array records() const override {
    json::array out;
    for (const auto& r : store_.all()) out.push_back(r);
    return out;
  }

  SeedResult seed(json::object given) override {
    if (auto it = given.find("id"); it != given.end() && !it->value().is_string())
      return {{}, "Glia operator ids are strings"};
    json::object record = defaults(given.contains("id") ? std::string(given.at("id").as_string())
                                                        : random_uuid(rng_));
    for (const auto& [key, value] : given) record[key] = value;
    if (record.at("email").is_string() && email_taken(record.at("email").as_string(), record))
      return {{}, "email is already taken by another operator"};
    derive_teams(record);
    return {store_.put(std::move(record)), {}};
  }

  SeedResult edit(std::string_view id, const json::object& changes) override {
    json::object* record = store_.edit(id, changes);
    if (record == nullptr) return {{}, "no record with id '" + std::string(id) + "'"};
    derive_teams(*record);
    return {*record, {}};
  }

  bool erase(std::string_view id) override { return store_.erase(id); }

  std::size_t revoke_tokens() override { return std::exchange(tokens_, {}).size(); }

  void reset() override {
    store_.clear();
    tokens_.clear();
  }

 private:
  HttpResponse not_allowed(const HttpRequest& req, std::string_view allow) const {
    HttpResponse res = error(req, http::status::method_not_allowed, "Method not allowed");
    res.set(http::field::allow, allow);
    return res;
  }

  HttpResponse create_token(const HttpRequest& req) {
    auto body = parse_object(req.body());
    if (!body) return error(req, http::status::bad_request, "The body must be a JSON object");
    auto id = body->if_contains("api_key_id");
    auto secret = body->if_contains("api_key_secret");
    if (!id || !secret || !id->is_string() || !secret->is_string())
      return error(req, http::status::bad_request, "api_key_id and api_key_secret are required");
    if (id->as_string() != options_.api_key_id || secret->as_string() != options_.api_key_secret)
      return error(req, http::status::unauthorized, "Invalid API key");
    auto now = context_.now();
    std::erase_if(tokens_, [&](const auto& entry) { return entry.second <= now; });
    std::string token = random_alnum(rng_, 48);
    tokens_[token] = now + options_.token_lifetime;
    return json_response(req, http::status::ok, {{"token", token}});
  }

  bool authorised(const HttpRequest& req) const {
    auto token = bearer_token(req);
    if (!token) return false;
    auto it = tokens_.find(*token);
    return it != tokens_.end() && context_.now() < it->second;
  }

  HttpResponse list(const HttpRequest& req, const Target& target) const {
    auto number = [&](std::string_view key, std::size_t fallback, std::size_t max) -> long {
      auto text = target.param(key);
      if (!text) return static_cast<long>(fallback);
      char* end = nullptr;
      long n = std::strtol(text->c_str(), &end, 10);
      return (text->empty() || *end != '\0' || n < 1 || static_cast<std::size_t>(n) > max) ? -1 : n;
    };
    long page = number("page", 1, 1'000'000);
    long per_page = number("per_page", kDefaultPerPage, kMaxPerPage);
    if (page < 0) return error(req, http::status::bad_request, "page must be a positive integer");
    if (per_page < 0)
      return error(req, http::status::bad_request, "per_page must be an integer in [1, 100]");
    auto include_disabled = target.param("include_disabled");
    bool with_disabled =
        include_disabled && (*include_disabled == "true" || *include_disabled == "1");
    auto ids_of = [&](std::string_view key) {
      std::vector<std::string> out;
      for (const auto& [k, v] : target.query) {
        if (k != key && k != std::string(key) + "[]") continue;
        for (std::size_t start = 0; start <= v.size();) {
          auto comma = std::min(v.find(',', start), v.size());
          if (comma > start) out.push_back(v.substr(start, comma - start));
          start = comma + 1;
        }
      }
      return out;
    };
    auto sites = ids_of("site_ids");
    auto teams = ids_of("team_ids");
    auto matches = [&](const json::object& r) {
      if (!with_disabled && r.at("enabled") == false) return false;
      if (sites.empty() && teams.empty()) return true;
      for (const auto& a : r.at("assignments").as_array()) {
        if (!a.is_object()) continue;
        auto site = a.as_object().if_contains("site_id");
        if (site && site->is_string() && std::count(sites.begin(), sites.end(), site->as_string()))
          return true;
        if (auto ids = a.as_object().if_contains("team_ids"); ids && ids->is_array())
          for (const auto& t : ids->as_array())
            if (t.is_string() && std::count(teams.begin(), teams.end(), t.as_string())) return true;
      }
      return false;
    };
    std::vector<const json::object*> selected;
    for (const auto& r : store_.all())
      if (matches(r)) selected.push_back(&r);
    const auto size = static_cast<std::size_t>(per_page);
    const std::size_t last = std::max<std::size_t>(1, (selected.size() + size - 1) / size);
    json::array operators;
    for (std::size_t i = (page - 1) * size; i < selected.size() && i < page * size; ++i)
      operators.push_back(present(req, *selected[i]));
    return json_response(
        req, http::status::ok,
        {{"operators", std::move(operators)},
         {"next_page", static_cast<std::size_t>(page) < last ? json::value(page_url(req, page + 1))
                                                             : json::value(nullptr)},
         {"last_page", page_url(req, static_cast<long>(last))}});
  }

  // The same list URL (on this simulator's host) with another page number.
  static std::string page_url(const HttpRequest& req, long page) {
    std::string_view target = req.target();
    auto q = target.find('?');
    std::string query;
    if (q != std::string_view::npos) {
      std::string_view rest = target.substr(q + 1);
      while (!rest.empty()) {
        std::string_view pair = rest.substr(0, rest.find('&'));
        rest.remove_prefix(std::min(rest.size(), pair.size() + 1));
        if (pair.empty() || pair.substr(0, pair.find('=')) == "page") continue;
        query.append(pair).append("&");
      }
    }
    return "http://" + std::string(header(req, "Host")) + "/operators?" + query +
           "page=" + std::to_string(page);
  }

  HttpResponse create(const HttpRequest& req) {
    auto body = parse_object(req.body());
    if (!body) return error(req, http::status::bad_request, "The body must be a JSON object");
    FieldErrors errors;
    for (std::string_view key : {"name", "email"})
      if (!body->contains(key)) errors[std::string(key)].push_back("can't be blank");
    validate(*body, nullptr, errors);
    if (!errors.empty()) return invalid(req, errors);
    json::object record = defaults(random_uuid(rng_));
    apply(record, *body);
    return json_response(req, http::status::created, present(req, store_.put(std::move(record))));
  }

  HttpResponse update(const HttpRequest& req, json::object& record) {
    auto body = parse_object(req.body());
    if (!body) return error(req, http::status::bad_request, "The body must be a JSON object");
    FieldErrors errors;
    validate(*body, &record, errors);
    if (!errors.empty()) return invalid(req, errors);
    apply(record, *body);
    return json_response(req, http::status::ok, present(req, record));
  }

  HttpResponse invalid(const HttpRequest& req, const FieldErrors& errors) const {
    json::object fields;
    for (const auto& [field, messages] : errors) {
      json::array list;
      for (const auto& m : messages) list.emplace_back(m);
      fields[field] = std::move(list);
    }
    return json_response(req, http::status::unprocessable_entity,
                         {{"error", "Unprocessable Entity"},
                          {"message", "Validation failed"},
                          {"errors", std::move(fields)}});
  }

  bool email_taken(std::string_view email, const json::object& self) const {
    return glia::email_taken(store_, email, self.at("id"));
  }

  void validate(const json::object& body, const json::object* existing, FieldErrors& errors) const {
    glia::validate(body, existing, store_, context_.reject_unknown_fields, errors);
  }

  static void apply(json::object& record, const json::object& body) {
    for (const auto& [key, value] : body) record[key] = value;
    derive_teams(record);
  }

  static void derive_teams(json::object& record) {
    json::array teams;
    if (auto a = record.if_contains("assignments"); a && a->is_array())
      for (const auto& assignment : a->as_array())
        if (auto o = assignment.if_object();
            o && o->contains("team_ids") && o->at("team_ids").is_array())
          for (const auto& team : o->at("team_ids").as_array())
            teams.push_back(
                json::object{{"id", team}, {"name", team}, {"site_id", o->at("site_id")}});
    record["teams"] = std::move(teams);
  }

  static json::object defaults(std::string id) {
    return {{"id", std::move(id)},
            {"name", ""},
            {"email", nullptr},
            {"role", "operator"},
            {"available", false},
            {"enabled", true},
            {"reactive_enabled", true},
            {"proactive_enabled", true},
            {"observation_enabled", true},
            {"available_media_types", json::array()},
            {"max_engagement_count", nullptr},
            {"multi_engagement_default_availability", nullptr},
            {"visible_in_operator_editor", true},
            {"engagements", json::array()},
            {"engagement_requests", json::array()},
            {"picture", nullptr},
            {"audio_source", "computer"},
            {"phone", nullptr},
            {"phone_extension", nullptr},
            {"sip_domain_id", nullptr},
            {"sip_extension", nullptr},
            {"teams", json::array()},
            {"assignments", json::array()}};
  }

  static json::object present(const HttpRequest& req, const json::object& record) {
    json::object out = record;
    out["href"] = "http://" + std::string(header(req, "Host")) + "/operators/" +
                  std::string(record.at("id").as_string());
    return out;
  }

  GliaOptions options_;
  SimContext context_;
  Rng rng_;
  RecordStore store_;
  std::map<std::string, std::chrono::steady_clock::time_point> tokens_;
};

}  // namespace

constexpr std::string_view kGliaClearable[] = {"phone", "phone_extension", "max_engagement_count"};

const VendorEntry kGliaVendor = {
    .name = "glia",
    .make = make_simulator<GliaSim, &Options::glia>,
    .credentials = "api_key_id: opsync-glia-key-id\n    api_key_secret: opsync-glia-key-secret",
    .sample_settings =
        "    create_missing: true\n    site_id: 5a1e0000-0000-4000-8000-000000000001\n"
        "    teams:\n      support: 7e000000-0000-4000-8000-000000000001\n"
        "      sales: 7e000000-0000-4000-8000-000000000002\n"
        "      billing: 7e000000-0000-4000-8000-000000000003\n"
        "      retention: 7e000000-0000-4000-8000-000000000004\n"
        "      vip: 7e000000-0000-4000-8000-000000000005\n"
        "      onboarding: 7e000000-0000-4000-8000-000000000006\n",
    .clearable_fields = kGliaClearable,
    .unknown_id = "00000000-0000-4000-8000-00000000dead",
    .seeded_operator =
        [](std::int64_t, const std::string& key) {
          return SeededOperator{
              {{"id", key}, {"name", "Seed " + key}, {"email", key + "@example.com"}}, key};
        },
};

}  // namespace opsync::vendorsim
