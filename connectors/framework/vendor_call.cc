#include "framework/vendor_call.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <utility>

namespace opsync {

namespace {

HttpResult from_auth_failure(const AuthResult& auth) {
  HttpResult out;
  if (auth.retryable() || auth.status == 0) {
    out.error = auth.error;
  } else {
    out.status = auth.status;
  }
  out.body = auth.message;
  return out;
}

}  // namespace

boost::asio::awaitable<HttpResult> send_with_auth(HttpTransport& transport, AuthProvider& auth,
                                                  HttpRequest& request) {
  for (int attempt = 0;; ++attempt) {
    AuthResult credentials = co_await auth.apply(request);
    if (!credentials.ok()) co_return from_auth_failure(credentials);
    HttpResult result = co_await transport.request(request);
    if (result.error || result.status != 401 || attempt > 0) co_return result;
    auth.invalidate();
  }
}

HttpRequest json_request(std::string method, std::string target, const boost::json::object* body,
                         std::string_view accept) {
  HttpRequest request;
  request.method = std::move(method);
  request.target = std::move(target);
  set_header(request.headers, "Accept", accept);
  if (body != nullptr) {
    set_header(request.headers, "Content-Type", "application/json");
    request.body = boost::json::serialize(*body);
  }
  return request;
}

std::optional<boost::json::object> parse_json_object(std::string_view body) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

std::string raw_error_message(unsigned status, std::string_view body, std::size_t max) {
  if (body.empty()) return "HTTP " + std::to_string(status);
  return std::string(body.substr(0, max));
}

boost::json::object without_nulls(const boost::json::object& fields) {
  boost::json::object out;
  for (const auto& [key, value] : fields) {
    if (!value.is_null()) out[key] = value;
  }
  return out;
}

boost::json::object without_clears_of(const boost::json::object& changed,
                                      std::initializer_list<std::string_view> not_clearable) {
  boost::json::object out;
  for (const auto& [key, value] : changed) {
    const bool keep = !value.is_null() || std::find(not_clearable.begin(), not_clearable.end(),
                                                    std::string_view(key)) == not_clearable.end();
    if (keep) out[key] = value;
  }
  return out;
}

}  // namespace opsync
