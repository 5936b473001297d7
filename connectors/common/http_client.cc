#include "common/http_client.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "common/http_connection.h"

namespace opsync {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using boost::system::error_code;
using http_detail::Clock;
using http_detail::Connection;

namespace {

constexpr auto kToken = asio::as_tuple(asio::use_awaitable);

/// RFC 9110 9.2.2: a request the server may receive twice with the effect of once. POST and
/// PATCH are not: a create re-sent after the server read it (and perhaps acted) makes a second
/// record, so their unknown outcome goes back to the caller instead.
bool idempotent_method(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "PUT" ||
         method == "DELETE" || method == "TRACE";
}

/// What acquire() hands out: a slot in the pool, with an idle connection to reuse or none (the
/// caller connects a new one in that slot).
struct Slot {
  error_code error;
  std::unique_ptr<Connection> connection;
};

}  // namespace

class HttpClient::Impl {
 public:
  Impl(asio::io_context& io, Options options)
      : io_(io),
        options_(std::move(options)),
        endpoint_(http_detail::parse_base_url(options_.base_url)) {
    if (options_.max_connections == 0) {
      throw std::invalid_argument("http client: max_connections must be at least 1");
    }
    if (options_.connect_timeout.count() <= 0 || options_.request_timeout.count() <= 0) {
      throw std::invalid_argument("http client: timeouts must be positive");
    }
    if (endpoint_.tls) {
      tls_.emplace(ssl::context::tls_client);
      tls_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
      if (options_.verify_tls) {
        boost::system::error_code ec;
        tls_->set_default_verify_paths(ec);
        if (ec) throw std::runtime_error("http client: no system trust store: " + ec.message());
        if (options_.ca_file) {
          tls_->load_verify_file(*options_.ca_file, ec);
          if (ec) {
            throw std::runtime_error("http client: cannot load ca_file " + *options_.ca_file +
                                     ": " + ec.message());
          }
        }
        tls_->set_verify_mode(ssl::verify_peer);
      } else {
        tls_->set_verify_mode(ssl::verify_none);
      }
    }
  }

  static asio::awaitable<HttpResult> run(std::shared_ptr<Impl> self, HttpRequest request);
  void shutdown();
  Stats stats() const {
    Stats s = stats_;
    s.open_connections = open_;
    s.idle_connections = idle_.size();
    s.queued = waiters_.size();
    return s;
  }
  const Options& options() const { return options_; }

 private:
  /// A caller queued for a slot. Lives in the caller's coroutine frame.
  struct Waiter {
    explicit Waiter(Impl& pool, Clock::time_point deadline)
        : pool(pool), timer(pool.io_, deadline) {}
    ~Waiter() {
      std::erase(pool.waiters_, this);
      // Handed a slot but never resumed (the frame is being destroyed): give the slot up.
      if (connection || granted) pool.abandon(std::move(connection));
    }
    Impl& pool;
    asio::steady_timer timer;
    std::unique_ptr<Connection> connection;  // an idle connection handed over
    bool granted = false;                    // a slot to connect in
  };

  asio::awaitable<Slot> acquire(Clock::time_point deadline);
  std::unique_ptr<Connection> take_idle();
  void release(std::unique_ptr<Connection> connection, bool reusable);
  void abandon(std::unique_ptr<Connection> connection);
  std::unique_ptr<Connection> make_connection() {
    return std::make_unique<Connection>(io_.get_executor(), tls_ ? &*tls_ : nullptr,
                                        options_.verify_tls, ++next_id_);
  }
  void track(Connection* c) { busy_.push_back(c); }
  void untrack(Connection* c) { std::erase(busy_, c); }

  asio::io_context& io_;
  Options options_;
  http_detail::Endpoint endpoint_;
  std::optional<ssl::context> tls_;
  std::vector<std::unique_ptr<Connection>> idle_;  // back() is the most recently used
  std::vector<Connection*> busy_;                  // in use, so shutdown() can close them
  std::deque<Waiter*> waiters_;
  std::size_t open_ = 0;  // slots taken: idle + busy + connecting
  std::uint64_t next_id_ = 0;
  bool shut_down_ = false;
  Stats stats_;
};

std::unique_ptr<Connection> HttpClient::Impl::take_idle() {
  const auto now = Clock::now();
  while (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    if (now - c->idle_since < options_.idle_timeout && !c->unusable_when_idle()) return c;
    c->close();
    --open_;
  }
  return nullptr;
}

asio::awaitable<Slot> HttpClient::Impl::acquire(Clock::time_point deadline) {
  if (auto c = take_idle()) co_return Slot{{}, std::move(c)};
  if (open_ < options_.max_connections) {
    ++open_;
    co_return Slot{};
  }
  Waiter waiter(*this, deadline);
  waiters_.push_back(&waiter);
  co_await waiter.timer.async_wait(kToken);  // woken by cancel() on hand-over, or the deadline
  if (shut_down_) {
    if (waiter.connection || waiter.granted) {
      waiter.granted = false;
      release(std::move(waiter.connection), false);
    }
    co_return Slot{make_error_code(HttpError::shut_down), nullptr};
  }
  if (waiter.connection || waiter.granted) {
    waiter.granted = false;
    if (Clock::now() < deadline) co_return Slot{{}, std::move(waiter.connection)};
    // Handed over just as the deadline passed: pass it on rather than use it late.
    const bool reusable = waiter.connection != nullptr;
    release(std::move(waiter.connection), reusable);
    co_return Slot{make_error_code(HttpError::timeout), nullptr};
  }
  // ~Waiter removes it from the queue.
  if (Clock::now() >= deadline) co_return Slot{make_error_code(HttpError::timeout), nullptr};
  co_return Slot{asio::error::operation_aborted, nullptr};  // the caller was cancelled
}

void HttpClient::Impl::release(std::unique_ptr<Connection> connection, bool reusable) {
  if (connection) untrack(connection.get());
  if (shut_down_) reusable = false;
  if (!reusable && connection) {
    connection->close();
    connection.reset();
  }
  if (!waiters_.empty() && !shut_down_) {
    Waiter* next = waiters_.front();
    waiters_.pop_front();
    next->connection = std::move(connection);  // null: the slot itself, to connect in
    next->granted = true;
    next->timer.cancel();
    return;
  }
  if (connection) {
    connection->idle_since = Clock::now();
    idle_.push_back(std::move(connection));
  } else {
    --open_;
  }
}

void HttpClient::Impl::abandon(std::unique_ptr<Connection> connection) {
  // Teardown path (a coroutine frame destroyed mid-request): free the slot without waking
  // anyone, since timers may already be unusable.
  if (connection) untrack(connection.get());
  if (open_ > 0) --open_;
}

void HttpClient::Impl::shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  for (auto& c : idle_) c->close();
  open_ -= idle_.size();
  idle_.clear();
  for (Connection* c : busy_) c->close();
  for (Waiter* w : waiters_) w->timer.cancel();
  waiters_.clear();
}

asio::awaitable<HttpResult> HttpClient::Impl::run(std::shared_ptr<Impl> self, HttpRequest request) {
  Impl& pool = *self;
  ++pool.stats_.requests;
  HttpResult failed;
  if (pool.shut_down_) {
    failed.error = HttpError::shut_down;
    co_return failed;
  }
  http_detail::BeastRequest wire;
  if (auto ec =
          http_detail::build_request(pool.endpoint_, request, pool.options_.user_agent, wire)) {
    failed.error = ec;
    co_return failed;
  }
  const auto deadline = Clock::now() + request.timeout.value_or(pool.options_.request_timeout);
  const auto fail = [&](error_code ec) {
    if (pool.shut_down_ && ec == asio::error::operation_aborted) ec = HttpError::shut_down;
    if (ec == HttpError::timeout) ++pool.stats_.timeouts;
    failed.error = ec;
    return failed;
  };

  Slot slot = co_await pool.acquire(deadline);
  if (slot.error) co_return fail(slot.error);
  // From here this request holds a slot; every path below gives it back exactly once.
  struct SlotGuard {
    Impl& pool;
    Connection* tracked = nullptr;
    bool held = true;
    ~SlotGuard() {
      if (held) pool.abandon(nullptr);
      if (tracked) pool.untrack(tracked);
    }
  } guard{pool};

  std::unique_ptr<Connection> connection = std::move(slot.connection);
  bool reused = connection != nullptr;
  if (reused) ++pool.stats_.reused;
  for (bool may_resend = idempotent_method(request.method);;) {
    if (!connection) {
      connection = pool.make_connection();
      pool.track(connection.get());
      guard.tracked = connection.get();
      const auto connect_deadline =
          std::min(deadline, Clock::now() + pool.options_.connect_timeout);
      const error_code ec = co_await connection->connect(pool.endpoint_, connect_deadline);
      if (ec) {
        ++pool.stats_.connect_failures;
        guard.held = false;
        guard.tracked = nullptr;
        pool.release(std::move(connection), false);
        co_return fail(ec);
      }
      ++pool.stats_.connections_opened;
    } else {
      pool.track(connection.get());
      guard.tracked = connection.get();
    }

    http_detail::Exchange exchange = co_await connection->exchange(
        wire, deadline, {pool.options_.max_response_bytes, pool.options_.max_header_bytes});
    if (!exchange.error) {
      const bool reusable = exchange.keep_alive && connection->clean();
      guard.held = false;
      guard.tracked = nullptr;
      pool.release(std::move(connection), reusable);
      co_return std::move(exchange.result);
    }
    // A pooled connection the server had already closed: re-send an idempotent request once on
    // a fresh one, in the same slot, as long as nothing of a response arrived and time remains.
    // The server may have read the request before closing, so a POST or PATCH is never re-sent.
    const bool stale = reused && may_resend && exchange.nothing_received && !pool.shut_down_ &&
                       exchange.error != HttpError::timeout &&
                       exchange.error != asio::error::operation_aborted && Clock::now() < deadline;
    if (!stale) {
      guard.held = false;
      guard.tracked = nullptr;
      pool.release(std::move(connection), false);
      co_return fail(exchange.error);
    }
    ++pool.stats_.stale_retries;
    pool.untrack(connection.get());
    guard.tracked = nullptr;
    connection->close();
    connection.reset();
    may_resend = false;
    reused = false;
  }
}

HttpClient::HttpClient(asio::io_context& io, Options options)
    : impl_(std::make_shared<Impl>(io, std::move(options))) {}

HttpClient::~HttpClient() {
  impl_->shutdown();
}

asio::awaitable<HttpResult> HttpClient::request(HttpRequest request) {
  // A static coroutine holding the Impl alive, so the client may be destroyed mid-request.
  return Impl::run(impl_, std::move(request));
}

void HttpClient::shutdown() {
  impl_->shutdown();
}

HttpClient::Stats HttpClient::stats() const {
  return impl_->stats();
}

const HttpClient::Options& HttpClient::options() const {
  return impl_->options();
}

}  // namespace opsync
