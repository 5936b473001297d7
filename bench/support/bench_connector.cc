#include "support/bench_connector.h"

#include <boost/json/serialize.hpp>

namespace opsync::bench {

BenchConnector::BenchConnector(boost::asio::io_context& io, std::string name,
                               const std::string& base_url, DeliveryLimits limits)
    : name_(std::move(name)), limits_(limits) {
  HttpClient::Options options;
  options.base_url = base_url + "/" + name_;
  options.max_connections = limits.concurrency;
  options.request_timeout = std::chrono::seconds(10);
  client_ = std::make_unique<HttpClient>(io, std::move(options));
}

BenchConnector::~BenchConnector() = default;

MapResult BenchConnector::map(const CanonicalOperator& op) const {
  MapResult out;
  const auto& a = op.attributes;
  auto copy = [&](const char* from, const char* to) {
    if (const auto* v = a.if_contains(from)) out.fields[to] = *v;
  };
  copy("display_name", "name");
  copy("email", "email");
  copy("max_concurrent_chats", "max_chats");
  copy("teams", "teams");
  out.fields["active"] = !op.deleted && (a.contains("active") ? a.at("active").as_bool() : true);
  return out;
}

boost::asio::awaitable<PushResult> BenchConnector::push(PushContext context) {
  HttpRequest request;
  request.method = "POST";
  request.target = "/operators/" + context.operator_id;
  request.headers.push_back({"Content-Type", "application/json"});
  request.body = boost::json::serialize(context.changed);
  HttpResult result = co_await client_->request(request);
  co_return push_result_from_http(result, request, std::chrono::system_clock::now(),
                                  limits_.backoff);
}

}  // namespace opsync::bench
