#include "support/receipt_server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <charconv>
#include <chrono>
#include <string_view>

namespace opsync::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

std::int64_t wall_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {

std::int64_t parse_number_after(std::string_view text, std::string_view marker) {
  const auto at = text.find(marker);
  if (at == std::string_view::npos) return -1;
  const char* begin = text.data() + at + marker.size();
  std::int64_t value = -1;
  auto [ptr, ec] = std::from_chars(begin, text.data() + text.size(), value);
  (void)ptr;
  return ec == std::errc{} ? value : -1;
}

}  // namespace

struct ReceiptServer::Impl {
  explicit Impl(ReceiptServer& owner) : server(owner), acceptor(io) {}

  ReceiptServer& server;
  asio::io_context io;
  tcp::acceptor acceptor;

  Receipt classify(std::string_view target, std::string_view body) const {
    Receipt r;
    r.received_us = wall_us();
    // "/<vendor>/operators/<id>"
    if (target.size() > 1 && target[0] == '/') {
      const auto slash = target.find('/', 1);
      const std::string_view vendor =
          target.substr(1, slash == target.npos ? target.npos : slash - 1);
      for (std::size_t i = 0; i < server.vendors_.size(); ++i) {
        if (server.vendors_[i] == vendor) r.vendor = static_cast<std::int32_t>(i);
      }
      if (slash != target.npos) r.op_index = parse_number_after(target.substr(slash), "/op-");
    }
    r.seq = parse_number_after(body, "\"ev-");
    return r;
  }

  static asio::awaitable<void> serve(std::shared_ptr<Impl> self, tcp::socket socket) {
    socket.set_option(tcp::no_delay(true));
    beast::flat_buffer buffer;
    http::response<http::string_body> res{http::status::ok, 11};
    res.set(http::field::content_type, "application/json");
    res.body() = "{\"ok\":true}";
    res.prepare_payload();
    std::vector<Receipt> local;
    for (;;) {
      http::request<http::string_body> req;
      auto [ec, n] = co_await http::async_read(socket, buffer, req, kNoThrow);
      if (ec) break;
      Receipt r = self->classify(req.target(), req.body());
      {
        std::lock_guard lock(self->server.mutex_);
        self->server.receipts_.push_back(r);
      }
      self->server.count_.fetch_add(1, std::memory_order_relaxed);
      res.keep_alive(req.keep_alive());
      auto [wec, wn] = co_await http::async_write(socket, res, kNoThrow);
      if (wec || !req.keep_alive()) break;
    }
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
  }

  static asio::awaitable<void> accept_loop(std::shared_ptr<Impl> self) {
    for (;;) {
      auto [ec, socket] = co_await self->acceptor.async_accept(kNoThrow);
      if (ec) co_return;
      asio::co_spawn(self->io, serve(self, std::move(socket)), asio::detached);
    }
  }
};

ReceiptServer::ReceiptServer(std::vector<std::string> vendors, int threads)
    : vendors_(std::move(vendors)), impl_(std::make_shared<Impl>(*this)) {
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen(asio::socket_base::max_listen_connections);
  port_ = impl_->acceptor.local_endpoint().port();
  receipts_.reserve(1 << 20);
  asio::co_spawn(impl_->io, Impl::accept_loop(impl_), asio::detached);
  for (int i = 0; i < threads; ++i) threads_.emplace_back([impl = impl_] { impl->io.run(); });
}

ReceiptServer::~ReceiptServer() {
  stop();
}

std::vector<Receipt> ReceiptServer::take() {
  std::lock_guard lock(mutex_);
  std::vector<Receipt> out;
  out.swap(receipts_);
  return out;
}

void ReceiptServer::stop() {
  impl_->io.stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

}  // namespace opsync::bench
