#pragma once
// A fake HttpTransport for connector tests: records every request and answers from a script
// (one scripted HttpResult per request, in order; 200 "{}" once the script is used up).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <deque>
#include <exception>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "common/http_transport.h"
#include "common/redact.h"

namespace opsync::test {

struct RecordingLog {
  std::vector<HttpRequest> requests;
  std::deque<HttpResult> script;
};

class RecordingTransport final : public HttpTransport {
 public:
  explicit RecordingTransport(std::shared_ptr<RecordingLog> log) : log_(std::move(log)) {}

  boost::asio::awaitable<HttpResult> request(HttpRequest request) override {
    log_->requests.push_back(std::move(request));
    if (log_->script.empty()) co_return HttpResult{{}, 200, {}, "{}"};
    HttpResult next = std::move(log_->script.front());
    log_->script.pop_front();
    co_return next;
  }

 private:
  std::shared_ptr<RecordingLog> log_;
};

inline HttpResult answer(unsigned status, std::string body) {
  HttpResult r;
  r.status = status;
  r.headers.push_back({"Content-Type", "application/json"});
  r.body = std::move(body);
  return r;
}

/// Runs one awaitable to completion on `io` and returns its value.
template <class T>
T run(boost::asio::io_context& io, boost::asio::awaitable<T> work) {
  T out{};
  std::exception_ptr error;
  io.restart();
  boost::asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, T value) {
    error = e;
    out = std::move(value);
  });
  io.run();
  if (error) std::rethrow_exception(error);
  return out;
}

/// A request as golden files hold it: method, target, headers (secrets as ***), JSON body. The
/// body is left as sent: redact_json would also hide fields whose names merely contain "session"
/// (CommPeak's max_concurrent_sessions), and these bodies carry no credentials.
inline boost::json::object golden_view(const HttpRequest& request) {
  boost::json::object headers;
  for (const auto& h : redact_headers(request.headers)) headers[h.name] = h.value;
  boost::json::object out{
      {"method", request.method}, {"target", request.target}, {"headers", std::move(headers)}};
  out["body"] =
      request.body.empty() ? boost::json::value(nullptr) : boost::json::parse(request.body);
  return out;
}

inline boost::json::value read_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return boost::json::parse(text.str());
}

}  // namespace opsync::test
