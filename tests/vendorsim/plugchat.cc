// Plug Chat integrator API. Source: seeds/001 (update operator) and vendors.md "Plug Chat".
#include <algorithm>
#include <utility>
#include <vector>

#include "vendorsim/record_store.h"
#include "vendorsim/vendors.h"

namespace opsync::vendorsim {
namespace {

std::string base64url(Rng& rng, std::size_t n) {
  return random_string(rng, n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
}

class PlugChatSim final : public VendorSim {
 public:
  PlugChatSim(PlugChatOptions options, SimContext context)
      : options_(std::move(options)), context_(std::move(context)), rng_(context_.seed ^ 0x9c4a7) {}

  // Order of checks: route (404), method (405), Content-Type (415), token (401), account (404),
  // body (400), operator (404).
  HttpResponse handle(const HttpRequest& req) override {
    auto target = parse_target(req.target());
    if (!target) return error(req, http::status::bad_request, "Malformed request target");
    // The seed shows /api/integrator/..., vendors.md the current /integrator/...: serve both.
    std::vector<std::string> seg = target->segments;
    if (!seg.empty() && seg.front() == "api") seg.erase(seg.begin());
    if (seg.size() != 4 || seg[0] != "integrator" || seg[1] != "account" || seg[3] != "operators")
      return error(req, http::status::not_found, "Rota não encontrada");
    const auto method = req.method();
    if (method != http::verb::get && method != http::verb::post && method != http::verb::put) {
      HttpResponse res = error(req, http::status::method_not_allowed, "Método não permitido");
      res.set(http::field::allow, "GET, POST, PUT");
      return res;
    }
    if (!has_media_type(req, "application/json"))
      return error(req, http::status::unsupported_media_type,
                   "Content-Type deve ser application/json");
    auto token = bearer_token(req);
    if (!token || *token != options_.integrator_token)
      return error(req, http::status::unauthorized, "Token de integrador inválido");
    if (seg[2] != options_.account_id)
      return error(req, http::status::not_found, "Conta não encontrada");
    if (method == http::verb::get) return list(req);

    auto body = parse_object(req.body());
    if (!body) return error(req, http::status::bad_request, "O corpo deve ser um objeto JSON");
    std::vector<std::string> problems = validate(*body, method == http::verb::put);
    if (!problems.empty()) return invalid(req, problems);
    return method == http::verb::put ? update(req, *body) : create(req, *body);
  }

  HttpResponse error(const HttpRequest& req, http::status status,
                     std::string_view message) const override {
    return json_response(req, status, {{"success", false}, {"message", message}});
  }

  json::array records() const override {
    json::array out;
    for (const auto& r : store_.all()) out.push_back(control_view(r));
    return out;
  }

  // The record as the control API shows it: the secret masked.
  json::object control_view(const json::object& record) const {
    json::object copy = record;
    if (copy.contains("password")) copy["password"] = "***";
    return copy;
  }

  SeedResult seed(json::object given) override {
    if (auto it = given.find("id"); it != given.end() && !it->value().is_string())
      return {{}, "Plug Chat operator ids are strings"};
    json::object record{{"id", random_uuid(rng_)},
                        {"name", ""},
                        {"active", true},
                        {"departments", json::array()},
                        {"accessToken", access_token()},
                        {"createdAt", iso8601(std::chrono::system_clock::now())}};
    for (const auto& [key, value] : given) record[key] = value;
    return {control_view(store_.put(std::move(record))), {}};
  }

  SeedResult edit(std::string_view id, const json::object& changes) override {
    json::object* record = store_.edit(id, changes);
    if (record == nullptr) return {{}, "no record with id '" + std::string(id) + "'"};

    return {control_view(*record), {}};
  }

  bool erase(std::string_view id) override { return store_.erase(id); }

  void reset() override { store_.clear(); }

 private:
  // A JWT-shaped secret, as in the seed's example answer.
  std::string access_token() {
    return "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + base64url(rng_, 96) + "." +
           base64url(rng_, 43);
  }

  // Required on update: id, name, active, departments. Create: name and departments.
  std::vector<std::string> validate(const json::object& body, bool is_update) const {
    std::vector<std::string> problems;
    if (context_.reject_unknown_fields)
      for (const auto& key : unknown_keys(
               body, {"id", "name", "active", "departments", "login", "password", "isAdmin"}))
        problems.push_back("Atributo desconhecido: " + key);
    auto required = [&](std::string_view key, bool needed) -> const json::value* {
      auto v = body.if_contains(key);
      if (!v && needed) problems.push_back("O atributo '" + std::string(key) + "' é obrigatório");
      return v;
    };
    if (auto v = required("id", is_update);
        is_update && v && (!v->is_string() || v->as_string().empty()))
      problems.emplace_back("'id' deve ser uma string");
    if (auto v = required("name", true);
        v && (!v->is_string() || v->as_string().find_first_not_of(' ') == json::string::npos))
      problems.emplace_back("'name' deve ser uma string não vazia");
    if (auto v = required("active", is_update); v && !v->is_bool())
      problems.emplace_back("'active' deve ser boolean");
    if (auto v = required("departments", true)) {
      bool ok = v->is_array() && std::all_of(v->as_array().begin(), v->as_array().end(),
                                             [](const json::value& d) { return d.is_string(); });
      if (!ok) problems.emplace_back("'departments' deve ser uma lista de strings (string[])");
    }
    for (std::string_view key : {"login", "password"})
      if (auto v = body.if_contains(key); v && !v->is_string())
        problems.push_back("'" + std::string(key) + "' deve ser uma string");
    // isAdmin: documented as string on update and boolean on create (vendors.md).
    if (auto v = body.if_contains("isAdmin")) {
      bool ok = v->is_bool() || (is_update && v->is_string() &&
                                 (v->as_string() == "true" || v->as_string() == "false"));
      if (!ok)
        problems.emplace_back(is_update ? "'isAdmin' deve ser boolean ou \"true\"/\"false\""
                                        : "'isAdmin' deve ser boolean");
    }
    return problems;
  }

  HttpResponse invalid(const HttpRequest& req, const std::vector<std::string>& problems) const {
    json::array list;
    for (const auto& p : problems) list.emplace_back(p);
    return json_response(
        req, http::status::bad_request,
        {{"success", false}, {"message", problems.front()}, {"errors", std::move(list)}});
  }

  static void apply(json::object& record, const json::object& body) {
    for (const auto& [key, value] : body) {
      if (key == "isAdmin" && value.is_string())
        record[key] = value.as_string() == "true";
      else if (key != "id")
        record[key] = value;
    }
  }

  HttpResponse update(const HttpRequest& req, const json::object& body) {
    json::object* record = store_.find(body.at("id").as_string());
    if (!record) return error(req, http::status::not_found, "Operador não encontrado");
    apply(*record, body);
    return json_response(
        req, http::status::ok,
        {{"success", true}, {"id", record->at("id")}, {"accessToken", record->at("accessToken")}});
  }

  HttpResponse create(const HttpRequest& req, const json::object& body) {
    json::object record{{"id", random_uuid(rng_)},
                        {"active", true},
                        {"accessToken", access_token()},
                        {"createdAt", iso8601(std::chrono::system_clock::now())}};
    apply(record, body);
    const json::object& stored = store_.put(std::move(record));
    return json_response(
        req, http::status::ok,
        {{"success", true}, {"id", stored.at("id")}, {"accessToken", stored.at("accessToken")}});
  }

  // A bare array, no paging, no email (vendors.md).
  HttpResponse list(const HttpRequest& req) const {
    json::array out;
    for (const auto& r : store_.all()) {
      json::object item;
      for (std::string_view key :
           {"id", "name", "active", "departments", "accessToken", "createdAt"})
        if (auto v = r.if_contains(key)) item[key] = *v;
      out.push_back(std::move(item));
    }
    return json_response(req, http::status::ok, out);
  }

  PlugChatOptions options_;
  SimContext context_;
  Rng rng_;
  RecordStore store_;
};

}  // namespace

const VendorEntry kPlugChatVendor = {
    .name = "plugchat",
    .make = make_simulator<PlugChatSim, &Options::plugchat>,
    .credentials = "integrator_token: opsync-plugchat-integrator-token",
    .settings = "    account_id: opsync-account\n",
    .sample_settings =
        "    create_missing: true\n"
        "    teams: {support: dep-support, sales: dep-sales, billing: dep-billing, "
        "retention: dep-retention, vip: dep-vip, onboarding: dep-onboarding}\n",
    .unknown_id = "no-such-operator",
    .seeded_operator =
        [](std::int64_t, const std::string& key) {
          return SeededOperator{
              {{"id", key}, {"name", "Seed " + key}, {"departments", json::array{}}}, key};
        },
};

}  // namespace opsync::vendorsim
