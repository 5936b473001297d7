// The delivery engine end to end: Dispatcher -> a REST connector over the real HttpClient -> a
// scripted HTTP server on 127.0.0.1 port 0 that records every request with its arrival time.
// Assertions are on request counts and recorded timestamps, never on sleeps.

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <functional>
#include <memory>

#include "common/auth.h"
#include "common/http_client.h"
#include "dispatch/dispatcher.h"
#include "framework/connector.h"
#include "framework/vendor_call.h"
#include "store/state_store.h"
#include "support/temp_dir.h"
#include "unit/dispatch/run_loop.h"

namespace opsync {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

// ---- A scripted vendor ------------------------------------------------------------------------

struct Recorded {
  std::string method;
  std::string target;
  std::string body;
  Clock::time_point at;
};

struct Reply {
  unsigned status = 200;
  std::string body = "{}";
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds delay{0};
};

class VendorServer {
 public:
  using Script = std::function<Reply(const Recorded&)>;

  explicit VendorServer(asio::io_context& io) : io_(io), acceptor_(io) {
    asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(ep.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(io_, accept_loop(), asio::detached);
  }
  ~VendorServer() { stop(); }
  void stop() {
    boost::system::error_code ec;
    acceptor_.close(ec);
    for (auto& s : sockets_) {
      if (auto sp = s.lock()) sp->socket().close(ec);
    }
  }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  Script script = [](const Recorded&) { return Reply{}; };
  std::vector<Recorded> received;
  bool held = false;  ///< while true, requests are recorded but not answered

  std::vector<Recorded> for_target(std::string_view prefix) const {
    std::vector<Recorded> out;
    for (const auto& r : received) {
      if (r.target.starts_with(prefix)) out.push_back(r);
    }
    return out;
  }

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(kNoThrow);
      if (ec) co_return;
      auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
      sockets_.push_back(stream);
      asio::co_spawn(io_, session(stream), asio::detached);
    }
  }

  asio::awaitable<void> session(std::shared_ptr<beast::tcp_stream> stream) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> req;
      auto [ec, n] = co_await http::async_read(*stream, buffer, req, kNoThrow);
      if (ec) co_return;
      Recorded rec{std::string(req.method_string()), std::string(req.target()), req.body(),
                   Clock::now()};
      received.push_back(rec);
      Reply reply = script(rec);
      if (reply.delay.count() > 0) co_await test::pause(reply.delay);
      while (held) co_await test::pause(1ms);
      http::response<http::string_body> res{static_cast<http::status>(reply.status), 11};
      res.set(http::field::content_type, "application/json");
      for (const auto& [name, value] : reply.headers) res.set(name, value);
      res.body() = reply.body;
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      auto [wec, wn] = co_await http::async_write(*stream, res, kNoThrow);
      if (wec) co_return;
    }
  }

  asio::io_context& io_;
  asio::ip::tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::vector<std::weak_ptr<beast::tcp_stream>> sockets_;
};

// ---- A minimal REST connector ----------------------------------------------------------------
// POST /operators with the full record when the vendor id is unknown (the answer carries "id"),
// PATCH /operators/{id} with the changed fields otherwise.

class RestConnector final : public Connector {
 public:
  RestConnector(asio::io_context& io, std::string base_url, DeliveryLimits limits)
      : client_(io, {.base_url = std::move(base_url), .request_timeout = 5s}),
        auth_("s3cret-token"),
        limits_(limits) {}

  const std::string& name() const override { return name_; }
  std::string_view type() const override { return "rest"; }
  DeliveryLimits limits() const override { return limits_; }

  MapResult map(const CanonicalOperator& op) const override {
    MapResult out;
    for (const char* key : {"email", "display_name", "phone"}) {
      if (const auto* v = op.attributes.if_contains(key)) out.fields[key] = *v;
    }
    out.fields["active"] = !op.deleted;
    return out;
  }

  asio::awaitable<PushResult> push(PushContext ctx) override {
    started.push_back(std::chrono::steady_clock::now());
    HttpRequest request;
    request.headers.push_back({"Content-Type", "application/json"});
    if (ctx.vendor_id) {
      request.method = "PATCH";
      request.target = "/operators/" + *ctx.vendor_id;
      request.body = json::serialize(ctx.changed);
    } else {
      request.method = "POST";
      request.target = "/operators?ref=" + ctx.operator_id;
      request.body = json::serialize(ctx.desired);
    }
    HttpResult result = co_await send_with_auth(client_, auth_, request);
    PushResult out =
        push_result_from_http(result, request, std::chrono::system_clock::now(), limits_.backoff);
    if (out.outcome == PushOutcome::ok && !ctx.vendor_id) {
      boost::system::error_code ec;
      json::value v = json::parse(result.body, ec);
      if (!ec && v.is_object()) {
        if (const auto* id = v.as_object().if_contains("id"); id && id->is_string()) {
          out.vendor_id = std::string(id->as_string());
        }
      }
      out.acknowledged = ctx.desired;
    }
    co_return out;
  }

  /// When the dispatcher started each push (after its token was taken).
  std::vector<std::chrono::steady_clock::time_point> started;

 private:
  std::string name_ = "rest";
  HttpClient client_;
  StaticBearer auth_;
  DeliveryLimits limits_;
};

// ---- Fixture ---------------------------------------------------------------------------------

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The vendor id the server assigns: "/operators?ref=emp-1" -> "v-emp-1".
Reply created(const Recorded& r) {
  auto ref = r.target.find("ref=");
  Reply reply;
  if (ref != std::string::npos) reply.body = R"({"id":"v-)" + r.target.substr(ref + 4) + R"("})";
  return reply;
}

class DispatchTest : public ::testing::Test {
 protected:
  DispatchTest() {
    limits.backoff = {.base = 10ms, .cap = 50ms};
    limits.breaker.failure_threshold = 1000;
    server.script = created;
  }

  void put(const std::string& id, std::string_view attributes) {
    CanonicalOperator op;
    op.id = id;
    op.attributes = json::parse(attributes).as_object();
    Transaction tx(store);
    store.operators().save(op, wall_ms());
    store.outbox().upsert("rest", id, wall_ms());
    tx.commit();
  }

  void run(std::function<asio::awaitable<void>(Dispatcher&)> body) {
    connector = std::make_unique<RestConnector>(io, server.base_url(), limits);
    test::run_body(
        io,
        [&]() -> asio::awaitable<void> {
          Dispatcher dispatcher(io, store, {connector.get()});
          dispatcher.start();
          co_await body(dispatcher);
          co_await dispatcher.drain(Clock::now() + 2s);
        }(),
        60s);
  }

  asio::awaitable<void> until_delivered(const std::string& id) {
    co_await test::wait_until([&] { return !store.outbox().load_entry("rest", id); });
  }

  asio::io_context io;
  testing::TempDir dir;
  StateStore store{dir.str()};
  VendorServer server{io};
  DeliveryLimits limits;
  std::unique_ptr<RestConnector> connector;
};

TEST_F(DispatchTest, OnlyChangedFieldsAreSent) {
  put("emp-1", R"({"email":"a@x","display_name":"Ann","phone":"+15550001"})");
  run([&](Dispatcher& d) -> asio::awaitable<void> {
    co_await until_delivered("emp-1");
    put("emp-1", R"({"email":"a@x","display_name":"Annie"})");
    d.notify("rest", "emp-1");
    co_await until_delivered("emp-1");
  });
  ASSERT_EQ(server.received.size(), 2u);
  EXPECT_EQ(server.received[0].method, "POST");
  EXPECT_EQ(server.received[1].method, "PATCH");
  EXPECT_EQ(server.received[1].target, "/operators/v-emp-1");
  EXPECT_EQ(json::parse(server.received[1].body),
            json::parse(R"({"display_name":"Annie","phone":null})"));
}

TEST_F(DispatchTest, BurstToOneOperatorCoalesces) {
  put("emp-1", R"({"email":"v0@x"})");
  server.held = true;  // the first request stays in flight during the whole burst
  constexpr int kUpdates = 200;
  run([&](Dispatcher& d) -> asio::awaitable<void> {
    co_await test::wait_until([&] { return server.received.size() == 1; });
    for (int i = 1; i <= kUpdates; ++i) {
      put("emp-1", R"({"email":"v)" + std::to_string(i) + R"(@x"})");
      d.notify("rest", "emp-1");
      if (i % 20 == 0) co_await test::pause(1ms);  // let the event loop run mid-burst
    }
    server.held = false;
    co_await until_delivered("emp-1");
  });
  // One request in flight when the burst began, then one carrying the final values.
  ASSERT_EQ(server.received.size(), 2u);
  EXPECT_EQ(json::parse(server.received.back().body).at("email").as_string(),
            "v" + std::to_string(kUpdates) + "@x");
}

TEST_F(DispatchTest, LaneStuckOn503HoldsBackOnlyItsOperator) {
  server.script = [](const Recorded& r) {
    if (r.target.find("emp-bad") != std::string::npos) return Reply{.status = 503, .body = "down"};
    return created(r);
  };
  put("emp-bad", R"({"email":"bad@x"})");
  for (int i = 0; i < 10; ++i) put("emp-" + std::to_string(i), R"({"email":"ok@x"})");
  run([&](Dispatcher& d) -> asio::awaitable<void> {
    co_await test::wait_until([&] { return store.outbox().size("rest") == 1; });
    co_await test::wait_until(
        [&] { return server.for_target("/operators?ref=emp-bad").size() >= 3; });
    EXPECT_GE(d.counters("rest").pushes_retry, 2u);
  });
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(server.for_target("/operators?ref=emp-" + std::to_string(i)).size(), 1u);
  }
  auto entry = store.outbox().load_entry("rest", "emp-bad");
  ASSERT_TRUE(entry);
  EXPECT_GE(entry->attempts, 2);
  EXPECT_NE(entry->last_error.find("503"), std::string::npos);
}

TEST_F(DispatchTest, RetryAfterIsHonoured) {
  int calls = 0;
  server.script = [&](const Recorded& r) {
    if (calls++ == 0) return Reply{.status = 429, .headers = {{"Retry-After", "2"}}};
    return created(r);
  };
  put("emp-1", R"({"email":"a@x"})");
  run([&](Dispatcher&) -> asio::awaitable<void> { co_await until_delivered("emp-1"); });
  ASSERT_EQ(server.received.size(), 2u);
  EXPECT_GE(server.received[1].at - server.received[0].at, 2s);
}

// A 429 without Retry-After says the connector's quota is spent, not one operator's: the whole
// connector pauses for the backoff ceiling of that attempt, so another lane's push waits too.
TEST_F(DispatchTest, A429WithoutRetryAfterOnOneLaneDelaysTheOtherLanes) {
  limits.backoff = {.base = 1s, .cap = 1s};
  bool refused = false;
  server.script = [&](const Recorded& r) {
    if (!refused && r.target.find("emp-a") != std::string::npos) {
      refused = true;
      return Reply{.status = 429, .body = "slow down"};
    }
    return created(r);
  };
  put("emp-a", R"({"email":"a@x"})");
  run([&](Dispatcher& d) -> asio::awaitable<void> {
    co_await test::wait_until([&] {
      auto e = store.outbox().load_entry("rest", "emp-a");
      return e && e->attempts == 1;
    });
    put("emp-b", R"({"email":"b@x"})");
    d.notify("rest", "emp-b");
    co_await test::wait_until([&] { return store.outbox().size("rest") == 0; });
    EXPECT_EQ(d.counters("rest").pauses, 1u);
  });
  const auto refusal = server.for_target("/operators?ref=emp-a");
  const auto other = server.for_target("/operators?ref=emp-b");
  ASSERT_EQ(refusal.size(), 2u);
  ASSERT_EQ(other.size(), 1u);
  EXPECT_GE(other[0].at - refusal[0].at, 1s);
  EXPECT_GE(refusal[1].at - refusal[0].at, 1s);
}

TEST_F(DispatchTest, VendorRejectionReachesTheDeadLetterQueue) {
  server.script = [](const Recorded&) {
    return Reply{.status = 422, .body = R"({"error":"email is not allowed on this site"})"};
  };
  put("emp-1", R"({"email":"a@x"})");
  put("emp-2", R"({"email":"b@x"})");
  run([&](Dispatcher& d) -> asio::awaitable<void> {
    co_await test::wait_until([&] { return store.outbox().size("rest") == 0; });
    EXPECT_EQ(d.counters("rest").pushes_permanent, 2u);
  });
  EXPECT_EQ(server.received.size(), 2u);  // no retries
  auto letters = store.dead_letters().load(10);
  ASSERT_EQ(letters.size(), 2u);
  const auto& letter = letters[0].key == "emp-1" ? letters[0] : letters[1];
  EXPECT_EQ(letter.key, "emp-1");
  auto header = [&](std::string_view name) {
    for (const auto& h : letter.headers) {
      if (h.name == name) return h.value;
    }
    return std::string("<missing>");
  };
  EXPECT_EQ(header("opsync-dlq-reason"), "vendor_rejected");
  EXPECT_EQ(header("opsync-connector"), "rest");
  EXPECT_EQ(header("opsync-operator-id"), "emp-1");
  EXPECT_EQ(header("opsync-vendor-status"), "422");
  EXPECT_NE(letter.value.find("email is not allowed on this site"), std::string::npos);
  EXPECT_EQ(letter.value.find("s3cret-token"), std::string::npos) << letter.value;
  auto value = json::parse(letter.value).as_object();
  EXPECT_EQ(value.at("status"), 422);
  EXPECT_EQ(value.at("request").at("method"), "POST");
}

TEST_F(DispatchTest, RestartMidRetryResumesTheSchedule) {
  int calls = 0;
  server.script = [&](const Recorded& r) {
    if (calls++ == 0) return Reply{.status = 503, .headers = {{"Retry-After", "1"}}};
    return created(r);
  };
  put("emp-1", R"({"email":"a@x"})");
  connector = std::make_unique<RestConnector>(io, server.base_url(), limits);
  test::run_body(
      io,
      [&]() -> asio::awaitable<void> {
        {
          Dispatcher first(io, store, {connector.get()});
          first.start();
          co_await test::wait_until([&] {
            auto e = store.outbox().load_entry("rest", "emp-1");
            return e && e->attempts == 1;
          });
          co_await first.drain(Clock::now() + 1s);
        }
        EXPECT_EQ(server.received.size(), 1u);
        const auto scheduled = store.outbox().load_entry("rest", "emp-1")->next_attempt_ms;
        EXPECT_GE(scheduled - wall_ms(), 500);  // still about a second away
        Dispatcher second(io, store, {connector.get()});
        second.start();
        co_await until_delivered("emp-1");
        co_await second.drain(Clock::now() + 1s);
      }(),
      60s);
  ASSERT_EQ(server.received.size(), 2u);
  EXPECT_GE(server.received[1].at - server.received[0].at, 1s);
  EXPECT_EQ(store.shadows().load_vendor_id("rest", "emp-1"), "v-emp-1");
}

// A push that fails with a 503 may have been applied (the vendor's state is in doubt). If the
// record then changes back to what the shadow holds, a diff would send nothing and leave the
// vendor with the failed push's value: the next push sends every mapped field instead.
TEST_F(DispatchTest, AfterAFailedPushTheNextPushSendsEveryField) {
  int calls = 0;
  server.script = [&](const Recorded& r) {
    if (calls++ == 1) return Reply{.status = 503, .headers = {{"Retry-After", "1"}}};
    return created(r);
  };
  put("emp-1", R"({"email":"a@x","display_name":"Ann"})");
  run([&](Dispatcher& d) -> asio::awaitable<void> {
    co_await until_delivered("emp-1");
    put("emp-1", R"({"email":"a@x","display_name":"Bob"})");
    d.notify("rest", "emp-1");
    co_await test::wait_until([&] { return server.received.size() == 2; });
    put("emp-1", R"({"email":"a@x","display_name":"Ann"})");  // back to the shadow's value
    d.notify("rest", "emp-1");
    co_await until_delivered("emp-1");
  });
  ASSERT_EQ(server.received.size(), 3u);
  EXPECT_EQ(json::parse(server.received[1].body), json::parse(R"({"display_name":"Bob"})"));
  EXPECT_EQ(server.received[2].method, "PATCH");
  EXPECT_EQ(json::parse(server.received[2].body),
            json::parse(R"({"email":"a@x","display_name":"Ann","active":true})"));
}

// The daemon stopped (or was killed) with a push in flight: whatever was pending at start is in
// doubt, so the first push after a restart sends every mapped field.
TEST_F(DispatchTest, PendingPushesAfterARestartSendEveryField) {
  put("emp-1", R"({"email":"a@x","display_name":"Ann"})");
  connector = std::make_unique<RestConnector>(io, server.base_url(), limits);
  test::run_body(
      io,
      [&]() -> asio::awaitable<void> {
        {
          Dispatcher first(io, store, {connector.get()});
          first.start();
          co_await until_delivered("emp-1");
          server.held = true;  // the next request reaches the vendor but is never answered
          put("emp-1", R"({"email":"a@x","display_name":"Bob"})");
          first.notify("rest", "emp-1");
          co_await test::wait_until([&] { return server.received.size() == 2; });
          co_await first.drain(Clock::now() + 100ms);  // gives up on the push in flight
        }
        server.held = false;
        put("emp-1", R"({"email":"a@x","display_name":"Ann"})");
        Dispatcher second(io, store, {connector.get()});
        second.start();
        co_await until_delivered("emp-1");
        co_await second.drain(Clock::now() + 1s);
      }(),
      60s);
  ASSERT_GE(server.received.size(), 3u);
  EXPECT_EQ(json::parse(server.received.back().body),
            json::parse(R"({"email":"a@x","display_name":"Ann","active":true})"));
}

TEST_F(DispatchTest, ConfiguredRateIsNeverExceeded) {
  limits.rate_per_second = 40;
  limits.burst = 5;
  limits.concurrency = 16;
  constexpr int kOperators = 100;
  for (int i = 0; i < kOperators; ++i) put("emp-" + std::to_string(i), R"({"email":"a@x"})");
  run([&](Dispatcher&) -> asio::awaitable<void> {
    co_await test::wait_until([&] { return store.outbox().size("rest") == 0; });
  });
  ASSERT_EQ(server.received.size(), static_cast<std::size_t>(kOperators));
  // Over any window W the token bucket admits at most burst + W * rate pushes. Counted when the
  // dispatcher starts each push, not when the server receives it: arrival times also carry the
  // loopback and scheduling jitter of a busy machine, which can bunch two requests sent 25 ms
  // apart into one window.
  const auto& started = connector->started;
  ASSERT_EQ(started.size(), static_cast<std::size_t>(kOperators));
  for (auto window : {250ms, 1000ms}) {
    const auto allowed =
        limits.burst + static_cast<std::size_t>(limits.rate_per_second *
                                                std::chrono::duration<double>(window).count());
    for (std::size_t i = 0; i < started.size(); ++i) {
      std::size_t n = 0;
      for (std::size_t j = i; j < started.size(); ++j) {
        if (started[j] - started[i] < window) ++n;
      }
      EXPECT_LE(n, allowed) << "window " << window.count() << "ms starting at push " << i;
    }
  }
}

}  // namespace
}  // namespace opsync
