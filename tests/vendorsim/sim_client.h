// A blocking HTTP/1.1 client for the simulator tests: one connection per call.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <string>
#include <utility>
#include <vector>

#include "vendorsim/http_util.h"

namespace opsync::vendorsim::testing {

struct Answer {
  unsigned status = 0;
  HttpResponse response;
  std::string body;
  /// The body parsed as JSON (null when it is not JSON).
  json::value json;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

/// Sends one request to 127.0.0.1:`port` and reads the answer; throws on network errors.
inline Answer call(std::uint16_t port, http::verb method, const std::string& target,
                   const Headers& headers = {}, const std::string& body = {}) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  HttpRequest req{method, target, 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = body;
  req.prepare_payload();
  http::write(socket, req);
  boost::beast::flat_buffer buffer;
  Answer answer;
  http::read(socket, buffer, answer.response);
  answer.status = answer.response.result_int();
  answer.body = answer.response.body();
  boost::system::error_code ec;
  answer.json = json::parse(answer.body, ec);
  if (ec) answer.json = nullptr;
  boost::system::error_code ignored;
  socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  return answer;
}

}  // namespace opsync::vendorsim::testing
