#include "admin/admin_routes.h"

#include <spdlog/spdlog.h>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <exception>
#include <vector>

#include "admin/bearer_auth.h"
#include "metrics/exposition.h"

namespace opsync::admin {

namespace http = boost::beast::http;

namespace {

Response text_response(http::status status, std::string body,
                       std::string_view content_type = "text/plain; charset=utf-8") {
  Response res{status, 11};
  res.set(http::field::content_type, content_type);
  res.body() = std::move(body);
  return res;
}

Response json_response(http::status status, const boost::json::value& body) {
  return text_response(status, boost::json::serialize(body) + "\n", "application/json");
}

Response method_not_allowed(std::string_view allow) {
  auto res = error_response(http::status::method_not_allowed, "method not allowed");
  res.set(http::field::allow, allow);
  return res;
}

struct Target {
  std::string_view route = route::unmatched;
  std::string operator_id;
  std::optional<std::string> connector;  ///< resync's ?connector=, or resume's path segment
  std::optional<std::string> bad_query;  ///< why the query is not acceptable
  std::string after;                     ///< dead-letters' ?after=
  std::size_t limit = 100;               ///< dead-letters' ?limit=
};

bool is_post(std::string_view r) {
  return r == route::resync || r == route::resume || r == route::bulk_resync ||
         r == route::dead_letters_retry;
}

// ?connector=NAME (required once), and for the dead-letter list also ?after= and ?limit=.
void parse_connector_query(const boost::urls::url_view& url, Target& target, bool listing) {
  for (auto param : url.params()) {
    if (listing && param.key == "after") {
      target.after = std::string(param.value);
    } else if (listing && param.key == "limit") {
      const std::string v(param.value);
      std::size_t n = 0;
      const bool digits =
          !v.empty() && v.size() <= 4 && v.find_first_not_of("0123456789") == std::string::npos;
      if (digits) n = std::stoul(v);
      if (!digits || n < 1 || n > 1000) {
        target.bad_query = "limit must be a number from 1 to 1000";
      } else {
        target.limit = n;
      }
    } else if (param.key != "connector") {
      target.bad_query = "unknown query parameter: " + std::string(param.key);
    } else if (!param.has_value || param.value.empty()) {
      target.bad_query = "connector needs a name: ?connector=NAME";
    } else if (target.connector) {
      target.bad_query = "connector given more than once";
    } else {
      target.connector = std::string(param.value);
    }
  }
  if (!target.bad_query && !target.connector) {
    target.bad_query = "connector is required: ?connector=NAME";
  }
}

/// Matches the decoded path segments against the routes.
std::optional<Target> parse_target(std::string_view raw) {
  auto parsed = boost::urls::parse_origin_form(raw);
  if (!parsed) return std::nullopt;
  const boost::urls::url_view url = *parsed;
  std::vector<std::string> segments;
  for (auto segment : url.segments()) segments.push_back(segment);

  Target target;
  if (segments.size() == 1) {
    if (segments[0] == "healthz") target.route = route::healthz;
    if (segments[0] == "readyz") target.route = route::readyz;
    if (segments[0] == "metrics") target.route = route::metrics;
    if (segments[0] == "status") target.route = route::status;
    if (segments[0] == "dead-letters") target.route = route::dead_letters;
  } else if (segments.size() == 2 && segments[0] == "dead-letters" && segments[1] == "retry") {
    target.route = route::dead_letters_retry;
  } else if (segments.size() >= 2 && segments.size() <= 3 && segments[0] == "operators" &&
             !segments[1].empty()) {
    target.operator_id = std::move(segments[1]);
    if (segments.size() == 2) {
      target.route = route::operator_view;
    } else if (segments[2] == "resync") {
      target.route = route::resync;
    }
  } else if (segments.size() == 3 && segments[0] == "connectors" && !segments[1].empty() &&
             (segments[2] == "resume" || segments[2] == "resync")) {
    target.route = segments[2] == "resume" ? route::resume : route::bulk_resync;
    target.connector = std::move(segments[1]);
  } else if (segments.size() == 3 && segments[0] == "connectors" && !segments[1].empty() &&
             segments[2] == "reconcile") {
    target.route = route::reconcile;
    target.connector = std::move(segments[1]);
  }
  if (target.route == route::reconcile && !url.params().empty()) {
    target.bad_query = "unknown query parameter: " + std::string((*url.params().begin()).key);
  }
  if (target.route == route::dead_letters || target.route == route::dead_letters_retry) {
    parse_connector_query(url, target, target.route == route::dead_letters);
  }
  if ((target.route == route::resume || target.route == route::bulk_resync) &&
      !url.params().empty()) {
    target.bad_query = "unknown query parameter: " + std::string((*url.params().begin()).key);
  }
  if (target.route == route::resync) {
    for (auto param : url.params()) {
      if (param.key != "connector") {
        target.bad_query = "unknown query parameter: " + std::string(param.key);
      } else if (!param.has_value || param.value.empty()) {
        target.bad_query = "connector needs a name: ?connector=NAME";
      } else if (target.connector) {
        target.bad_query = "connector given more than once";
      } else {
        target.connector = std::string(param.value);
      }
    }
  }
  return target;
}

/// POST and GET /connectors/{name}/reconcile.
Response answer_reconcile(const Request& request, const Target& target, AdminBackend& backend) {
  const auto method = request.method();
  if (method != http::verb::post && method != http::verb::get) {
    return method_not_allowed("GET, POST");
  }
  if (target.bad_query) return error_response(http::status::bad_request, *target.bad_query);
  if (method == http::verb::get) {
    auto view = backend.reconcile_view(*target.connector);
    if (!view) return error_response(http::status::not_found, "unknown connector");
    return json_response(http::status::ok, *view);
  }
  switch (backend.start_reconcile(*target.connector)) {
    case ReconcileStatus::started:
      return json_response(http::status::accepted,
                           boost::json::object{{"connector", *target.connector}});
    case ReconcileStatus::unknown_connector:
      return error_response(http::status::not_found, "unknown connector");
    case ReconcileStatus::already_running:
      return error_response(http::status::conflict, "a reconcile pass is running");
    case ReconcileStatus::unavailable:
      break;
  }
  return error_response(http::status::service_unavailable,
                        "a reload or shutdown is under way; try again");
}

Response answer(const Request& request, const Target& target, AdminBackend& backend) {
  if (target.route == route::reconcile) return answer_reconcile(request, target, backend);
  const auto method = request.method();
  const bool is_post_route = is_post(target.route);
  if (is_post_route ? method != http::verb::post : method != http::verb::get) {
    return method_not_allowed(is_post_route ? "POST" : "GET");
  }

  if (target.route == route::healthz) return text_response(http::status::ok, "ok\n");
  if (target.route == route::readyz) {
    std::string why_not;
    if (backend.ready(why_not)) return text_response(http::status::ok, "ready\n");
    return text_response(http::status::service_unavailable, "not ready: " + why_not + "\n");
  }
  if (target.route == route::metrics) {
    return text_response(http::status::ok, backend.metrics(), metrics::kExpositionContentType);
  }
  if (target.route == route::status) return json_response(http::status::ok, backend.status());
  if (target.route == route::operator_view) {
    auto view = backend.operator_view(target.operator_id);
    if (!view) return error_response(http::status::not_found, "unknown operator");
    return json_response(http::status::ok, *view);
  }
  if (target.route == route::resume) {
    if (target.bad_query) return error_response(http::status::bad_request, *target.bad_query);
    switch (backend.resume(*target.connector)) {
      case ResumeStatus::resumed:
        return json_response(http::status::accepted,
                             boost::json::object{{"connector", *target.connector}});
      case ResumeStatus::unknown_connector:
        return error_response(http::status::not_found, "unknown connector");
      case ResumeStatus::not_paused:
        return error_response(http::status::conflict, "connector is not paused");
    }
  }
  if (target.route == route::bulk_resync) {
    if (target.bad_query) return error_response(http::status::bad_request, *target.bad_query);
    BulkResyncAnswer a = backend.bulk_resync(*target.connector);
    switch (a.status) {
      case BulkResyncAnswer::Status::started:
        return json_response(http::status::accepted, a.progress);
      case BulkResyncAnswer::Status::unknown_connector:
        return error_response(http::status::not_found, "unknown connector");
      case BulkResyncAnswer::Status::already_running: {
        boost::json::object body = a.progress;
        body["error"] = "a bulk resync of this connector is still queueing";
        return json_response(http::status::conflict, body);
      }
    }
  }
  if (target.route == route::dead_letters || target.route == route::dead_letters_retry) {
    if (target.bad_query) return error_response(http::status::bad_request, *target.bad_query);
    std::optional<boost::json::object> body =
        target.route == route::dead_letters
            ? backend.dead_letters({*target.connector, target.after, target.limit})
            : backend.retry_dead_letters(*target.connector);
    if (!body) return error_response(http::status::not_found, "unknown connector");
    return json_response(
        target.route == route::dead_letters ? http::status::ok : http::status::accepted, *body);
  }
  // resync
  if (target.bad_query) return error_response(http::status::bad_request, *target.bad_query);
  const ResyncResult result = backend.resync(target.operator_id, target.connector);
  switch (result.status) {
    case ResyncResult::Status::accepted: {
      boost::json::array connectors;
      for (const auto& c : result.connectors) connectors.emplace_back(c);
      return json_response(http::status::accepted, boost::json::object{
                                                       {"operator_id", target.operator_id},
                                                       {"connectors", std::move(connectors)},
                                                   });
    }
    case ResyncResult::Status::unknown_operator:
      return error_response(http::status::not_found, "unknown operator");
    case ResyncResult::Status::rejected:
      break;
  }
  return error_response(http::status::bad_request, result.message);
}

}  // namespace

Response error_response(http::status status, std::string_view message) {
  return json_response(status, boost::json::object{{"error", message}});
}

Routed route_request(const Request& request, AdminBackend& backend,
                     const std::optional<std::string>& bearer_token) {
  const auto target = parse_target(request.target());
  Routed routed{{}, target ? target->route : route::unmatched};
  if (bearer_token && !bearer_token_matches(request[http::field::authorization], *bearer_token)) {
    routed.response = error_response(http::status::unauthorized, "a bearer token is required");
    routed.response.set(http::field::www_authenticate, "Bearer realm=\"opsync-admin\"");
  } else if (!target) {
    routed.response = error_response(http::status::bad_request, "malformed request target");
  } else if (target->route == route::unmatched) {
    routed.response = error_response(http::status::not_found, "no such endpoint");
  } else {
    try {
      routed.response = answer(request, *target, backend);
    } catch (const std::exception& e) {
      spdlog::error("event=admin_request_failed route={} error=\"{}\"", routed.route, e.what());
      routed.response = error_response(http::status::internal_server_error, "internal error");
    }
  }
  // The admin API shows personal data: nothing here is to be cached.
  routed.response.set(http::field::cache_control, "no-store");
  routed.response.prepare_payload();
  return routed;
}

}  // namespace opsync::admin
