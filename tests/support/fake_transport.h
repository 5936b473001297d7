#pragma once
// A scripted HttpTransport for connector tests: records every request and answers from a
// handler, with no network. Also a runner for one coroutine and golden-file helpers.

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "common/http_transport.h"
#include "common/redact.h"

namespace opsync::test {

class FakeTransport final : public HttpTransport {
 public:
  using Handler = std::function<HttpResult(const HttpRequest&)>;

  boost::asio::awaitable<HttpResult> request(HttpRequest request) override {
    requests.push_back(request);
    co_return handler ? handler(request) : respond(200, "{}");
  }

  static HttpResult respond(unsigned status, std::string body, HttpHeaders headers = {}) {
    HttpResult r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    return r;
  }

  /// The recorded requests as JSON, credentials replaced by "***".
  boost::json::array redacted() const {
    boost::json::array out;
    for (const auto& raw : requests) {
      HttpRequest r = redact_request(raw);
      boost::json::object headers;
      for (const auto& h : r.headers) headers[h.name] = h.value;
      boost::json::value body = nullptr;
      if (!r.body.empty()) body = boost::json::parse(r.body);
      out.push_back(boost::json::object{
          {"method", r.method}, {"target", r.target}, {"headers", headers}, {"body", body}});
    }
    return out;
  }

  Handler handler;
  std::vector<HttpRequest> requests;
};

/// Runs one coroutine to completion on a fresh io_context and returns its value.
template <class T>
T run(boost::asio::awaitable<T> work) {
  boost::asio::io_context io;
  std::optional<T> out;
  std::exception_ptr error;
  boost::asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, T value) {
    error = e;
    if (!e) out = std::move(value);
  });
  io.run();
  if (error) std::rethrow_exception(error);
  return std::move(*out);
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Compares `actual` with the golden file (OPSYNC_UPDATE_GOLDEN=1 rewrites it instead).
inline void expect_golden(const std::string& path, const boost::json::value& actual) {
  if (const char* update = std::getenv("OPSYNC_UPDATE_GOLDEN"); update && *update == '1') {
    std::ofstream(path) << boost::json::serialize(actual) << "\n";
    return;
  }
  const std::string text = read_text(path);
  ASSERT_FALSE(text.empty()) << "missing golden file " << path;
  EXPECT_EQ(boost::json::parse(text), actual)
      << "golden " << path << "\nactual: " << boost::json::serialize(actual);
}

}  // namespace opsync::test
