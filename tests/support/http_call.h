#pragma once
// A blocking HTTP/1.1 call to 127.0.0.1:port made on another thread while the caller keeps
// running its io_context (the server under test lives on it).

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <future>

#include "support/wait.h"

namespace opsync::testing {

struct HttpAnswer {
  unsigned status = 0;
  std::string body;
};

inline HttpAnswer http_call_blocking(unsigned short port, const std::string& method,
                                     const std::string& target) {
  namespace http = boost::beast::http;
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket socket(ioc);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.prepare_payload();
  http::write(socket, req);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(socket, buffer, res);
  return {res.result_int(), res.body()};
}

inline HttpAnswer http_call(boost::asio::io_context& io, unsigned short port,
                            const std::string& method, const std::string& target) {
  auto fut =
      std::async(std::launch::async, [=] { return http_call_blocking(port, method, target); });
  run_until(
      io, [&] { return fut.wait_for(std::chrono::seconds(0)) == std::future_status::ready; },
      std::chrono::seconds(20));
  return fut.get();
}

}  // namespace opsync::testing
