#include "common/http_client.h"

#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <stdexcept>

#include "async_test.h"
#include "common/retry_policy.h"
#include "scripted_server.h"

namespace opsync {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::ReceivedRequest;
using test::ScriptedResponse;
using test::ScriptedServer;
using Action = ScriptedResponse::Action;

ScriptedResponse ok(std::string body = "{}") {
  ScriptedResponse r;
  r.headers = {{"Content-Type", "application/json"}};
  r.body = std::move(body);
  return r;
}

HttpRequest get(std::string target) {
  HttpRequest r;
  r.target = std::move(target);
  return r;
}

HttpClient::Options options_for(const ScriptedServer& server) {
  HttpClient::Options o;
  o.base_url = server.base_url();
  o.connect_timeout = 2s;
  o.request_timeout = 5s;
  return o;
}

class HttpClientTest : public ::testing::Test {
 protected:
  asio::io_context io;
};

TEST_F(HttpClientTest, KeepAliveReusesOneConnection) {
  ScriptedServer server(io, [](const ReceivedRequest& r) { return ok(r.target); });
  auto o = options_for(server);
  o.base_url += "/api/v1/";
  HttpClient client(io, o);
  auto body = [&]() -> asio::awaitable<void> {
    for (int i = 0; i < 5; ++i) {
      HttpResult r = co_await client.request(get("operators/" + std::to_string(i)));
      EXPECT_FALSE(r.error) << r.error.message();
      EXPECT_EQ(r.status, 200u);
      EXPECT_EQ(r.body, "/api/v1/operators/" + std::to_string(i));
      EXPECT_EQ(find_header(r.headers, "content-type"), "application/json");
    }
  };
  test::run_until_done(io, body());
  EXPECT_EQ(server.connections(), 1u);
  EXPECT_EQ(server.requests(), 5u);
  EXPECT_EQ(client.stats().connections_opened, 1u);
  EXPECT_EQ(client.stats().reused, 4u);
  EXPECT_EQ(client.stats().idle_connections, 1u);
}

TEST_F(HttpClientTest, SendsMethodHeadersAndBody) {
  ScriptedServer server(io, [](const ReceivedRequest&) {
    ScriptedResponse r;
    r.status = 503;
    r.headers = {{"Retry-After", "7"}};
    r.body = "busy";
    return r;
  });
  HttpClient client(io, options_for(server));
  auto body = [&]() -> asio::awaitable<void> {
    HttpRequest request;
    request.method = "PATCH";
    request.target = "/operators/42?x=1";
    request.headers = {{"Content-Type", "application/json"}, {"X-Trace", "t-1"}};
    request.body = R"({"email":null})";
    HttpResult r = co_await client.request(request);
    EXPECT_FALSE(r.error);
    EXPECT_EQ(r.status, 503u);
    EXPECT_EQ(r.body, "busy");
    EXPECT_EQ(find_header(r.headers, "Retry-After"), "7");
    EXPECT_EQ(classify(r), Outcome::retry);
  };
  test::run_until_done(io, body());
  ASSERT_EQ(server.requests(), 1u);
  const auto& seen = server.received[0];
  EXPECT_EQ(seen.method, "PATCH");
  EXPECT_EQ(seen.target, "/operators/42?x=1");
  EXPECT_EQ(seen.body, R"({"email":null})");
  EXPECT_EQ(find_header(seen.headers, "Content-Length"), "14");
  EXPECT_EQ(find_header(seen.headers, "X-Trace"), "t-1");
  EXPECT_EQ(find_header(seen.headers, "Host"), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(find_header(seen.headers, "User-Agent"), "opsync/0.1");
}

TEST_F(HttpClientTest, PoolLimitQueuesCallersBeyondMaxConnections) {
  ScriptedServer server(io, [](const ReceivedRequest&) {
    auto r = ok();
    r.delay = 20ms;  // so that callers overlap; nothing below depends on the duration
    return r;
  });
  auto o = options_for(server);
  o.max_connections = 2;
  HttpClient client(io, o);
  constexpr std::size_t kCallers = 8;
  std::size_t succeeded = 0;
  std::size_t max_queued = 0;
  auto body = [&]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    test::Countdown all(executor, kCallers);
    for (std::size_t i = 0; i < kCallers; ++i) {
      asio::co_spawn(
          executor,
          [&]() -> asio::awaitable<void> {
            HttpResult r = co_await client.request(get("/x"));
            if (!r.error && r.status == 200) ++succeeded;
            all.done();
          },
          asio::detached);
    }
    co_await test::until([&] {
      max_queued = std::max(max_queued, client.stats().queued);
      EXPECT_LE(client.stats().open_connections, 2u);
      return server.requests() > 0;
    });
    co_await all.wait();
  };
  test::run_until_done(io, body());
  EXPECT_EQ(succeeded, kCallers);
  EXPECT_EQ(server.connections(), 2u);
  EXPECT_EQ(server.requests(), kCallers);
  EXPECT_LE(server.max_concurrent_requests(), 2u);
  EXPECT_GE(max_queued, kCallers - 2);
  EXPECT_EQ(client.stats().reused, kCallers - 2);
}

TEST_F(HttpClientTest, RequestTimeoutOnHungServer) {
  ScriptedServer server(io, [](const ReceivedRequest& r) {
    ScriptedResponse s = ok();
    if (r.connection == 0) s.action = Action::hang;
    return s;
  });
  HttpClient client(io, options_for(server));
  auto body = [&]() -> asio::awaitable<void> {
    HttpRequest request = get("/slow");
    request.timeout = 200ms;
    HttpResult r = co_await client.request(request);
    EXPECT_EQ(r.error, HttpError::timeout) << r.error.message();
    EXPECT_EQ(r.status, 0u);
    EXPECT_EQ(classify(r), Outcome::retry);
    EXPECT_EQ(client.stats().open_connections, 0u);  // the hung connection is dropped
    // The next request gets a fresh connection.
    r = co_await client.request(get("/fast"));
    EXPECT_FALSE(r.error);
    EXPECT_EQ(r.status, 200u);
  };
  test::run_until_done(io, body());
  EXPECT_EQ(server.connections(), 2u);
  EXPECT_EQ(client.stats().timeouts, 1u);
}

TEST_F(HttpClientTest, DeadlineCoversWaitingForAConnection) {
  ScriptedServer server(io, [](const ReceivedRequest&) {
    ScriptedResponse s;
    s.action = Action::hang;
    return s;
  });
  auto o = options_for(server);
  o.max_connections = 1;
  HttpClient client(io, o);
  auto body = [&]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    test::Countdown first_done(executor, 1);
    HttpResult first;
    asio::co_spawn(
        executor,
        [&]() -> asio::awaitable<void> {
          HttpRequest request = get("/holds-the-only-connection");
          request.timeout = 2s;
          first = co_await client.request(request);
          first_done.done();
        },
        asio::detached);
    co_await test::until([&] { return server.requests() == 1; });
    HttpRequest queued = get("/queued");
    queued.timeout = 200ms;
    HttpResult second = co_await client.request(queued);
    EXPECT_EQ(second.error, HttpError::timeout);
    EXPECT_EQ(server.requests(), 1u);  // never sent
    EXPECT_EQ(client.stats().queued, 0u);
    client.shutdown();  // releases the first one now rather than after its 2 s
    co_await first_done.wait();
    EXPECT_EQ(first.error, HttpError::shut_down) << first.error.message();
  };
  test::run_until_done(io, body());
  EXPECT_EQ(server.connections(), 1u);
}

TEST_F(HttpClientTest, ResponseBodyLimit) {
  ScriptedServer server(io, [](const ReceivedRequest& r) {
    return ok(std::string(r.target == "/big" ? 4097 : 4096, 'x'));
  });
  auto o = options_for(server);
  o.max_response_bytes = 4096;
  HttpClient client(io, o);
  auto body = [&]() -> asio::awaitable<void> {
    HttpResult r = co_await client.request(get("/exact"));
    EXPECT_FALSE(r.error);
    EXPECT_EQ(r.body.size(), 4096u);
    r = co_await client.request(get("/big"));
    EXPECT_EQ(r.error, HttpError::response_too_large) << r.error.message();
    EXPECT_EQ(classify(r), Outcome::permanent);
    EXPECT_EQ(client.stats().open_connections, 0u);  // the half-read connection is dropped
  };
  test::run_until_done(io, body());
}

TEST_F(HttpClientTest, ConnectionCloseIsNotReused) {
  ScriptedServer server(io, [](const ReceivedRequest&) {
    auto r = ok();
    r.connection_close = true;
    return r;
  });
  HttpClient client(io, options_for(server));
  auto body = [&]() -> asio::awaitable<void> {
    for (int i = 0; i < 3; ++i) {
      HttpResult r = co_await client.request(get("/x"));
      EXPECT_FALSE(r.error) << r.error.message();
      EXPECT_EQ(find_header(r.headers, "Connection"), "close");
    }
  };
  test::run_until_done(io, body());
  EXPECT_EQ(server.connections(), 3u);
  EXPECT_EQ(client.stats().reused, 0u);
  EXPECT_EQ(client.stats().stale_retries, 0u);
  EXPECT_EQ(client.stats().open_connections, 0u);
}

TEST_F(HttpClientTest, StalePooledConnectionIsResentOnceTransparently) {
  // The server closes connection 0 on its second request before answering: the client sent it
  // on a pooled connection, saw no response byte, and re-sends on a fresh connection.
  ScriptedServer server(io, [](const ReceivedRequest& r) {
    auto s = ok();
    if (r.connection == 0 && r.sequence == 1) s.action = Action::close_without_response;
    return s;
  });
  HttpClient client(io, options_for(server));
  auto body = [&]() -> asio::awaitable<void> {
    HttpResult r = co_await client.request(get("/first"));
    EXPECT_FALSE(r.error);
    r = co_await client.request(get("/second"));
    EXPECT_FALSE(r.error) << r.error.message();
    EXPECT_EQ(r.status, 200u);
  };
  test::run_until_done(io, body());
  EXPECT_EQ(server.requests(), 3u);
  EXPECT_EQ(server.connections(), 2u);
  EXPECT_EQ(client.stats().stale_retries, 1u);
}

// A POST (or PATCH) whose outcome is unknown is never repeated by the client: the server read
// it before closing, so it may have acted on it (a create applied twice is a duplicate record at
// the vendor). The caller gets the error and decides (issue 12, defect 4).
TEST_F(HttpClientTest, StalePooledConnectionDoesNotResendAPostOrPatch) {
  for (const char* method : {"POST", "PATCH"}) {
    asio::io_context loop;
    ScriptedServer server(loop, [](const ReceivedRequest& r) {
      auto s = ok();
      if (r.connection == 0 && r.sequence == 1) s.action = Action::close_without_response;
      return s;
    });
    HttpClient client(loop, options_for(server));
    auto body = [&]() -> asio::awaitable<void> {
      HttpResult r = co_await client.request(get("/first"));
      EXPECT_FALSE(r.error);
      HttpRequest create;
      create.method = method;
      create.target = "/operators";
      create.body = "{}";
      r = co_await client.request(create);
      EXPECT_TRUE(r.error) << method;
      EXPECT_EQ(classify(r), Outcome::retry);  // the dispatcher's decision, not the client's
    };
    test::run_until_done(loop, body());
    EXPECT_EQ(server.requests(), 2u) << method << " was sent twice";
    EXPECT_EQ(client.stats().stale_retries, 0u) << method;
  }
}

// GET, PUT and DELETE are idempotent (RFC 9110 9.2.2): the transparent re-send stays for them.
TEST_F(HttpClientTest, StalePooledConnectionResendsAPut) {
  ScriptedServer server(io, [](const ReceivedRequest& r) {
    auto s = ok();
    if (r.connection == 0 && r.sequence == 1) s.action = Action::close_without_response;
    return s;
  });
  HttpClient client(io, options_for(server));
  auto body = [&]() -> asio::awaitable<void> {
    HttpResult r = co_await client.request(get("/first"));
    EXPECT_FALSE(r.error);
    HttpRequest put;
    put.method = "PUT";
    put.target = "/operators/1";
    put.body = "{}";
    r = co_await client.request(put);
    EXPECT_FALSE(r.error) << r.error.message();
  };
  test::run_until_done(io, body());
  EXPECT_EQ(server.requests(), 3u);
  EXPECT_EQ(client.stats().stale_retries, 1u);
}

TEST_F(HttpClientTest, ResendsAtMostOnce) {
  ScriptedServer server(io, [](const ReceivedRequest& r) {
    auto s = ok();
    if (!(r.connection == 0 && r.sequence == 0)) s.action = Action::close_without_response;
    return s;
  });
  HttpClient client(io, options_for(server));
  auto body = [&]() -> asio::awaitable<void> {
    HttpResult r = co_await client.request(get("/first"));
    EXPECT_FALSE(r.error);
    r = co_await client.request(get("/second"));
    EXPECT_TRUE(r.error);
    EXPECT_EQ(classify(r), Outcome::retry);  // the dispatcher's retry, not the client's
  };
  test::run_until_done(io, body());
  EXPECT_EQ(server.requests(), 3u);  // first, second, one re-send
  EXPECT_EQ(client.stats().stale_retries, 1u);
}

TEST_F(HttpClientTest, FreshConnectionFailureIsNotResent) {
  ScriptedServer server(io, [](const ReceivedRequest&) {
    ScriptedResponse s;
    s.action = Action::close_without_response;
    return s;
  });
  HttpClient client(io, options_for(server));
  auto body = [&]() -> asio::awaitable<void> {
    HttpResult r = co_await client.request(get("/x"));
    EXPECT_TRUE(r.error);
  };
  test::run_until_done(io, body());
  EXPECT_EQ(server.requests(), 1u);
  EXPECT_EQ(client.stats().stale_retries, 0u);
}

TEST_F(HttpClientTest, IdleConnectionClosedByServerIsReplaced) {
  ScriptedServer server(io, [](const ReceivedRequest&) {
    auto s = ok();
    s.action = Action::respond_then_close;  // keep-alive announced, then closed anyway
    return s;
  });
  HttpClient client(io, options_for(server));
  auto body = [&]() -> asio::awaitable<void> {
    for (int i = 0; i < 3; ++i) {
      HttpResult r = co_await client.request(get("/x"));
      EXPECT_FALSE(r.error) << r.error.message();
      // Let the server's FIN arrive, as it would in a real idle period.
      co_await test::until([&] { return server.open_connections() == 0; });
    }
  };
  test::run_until_done(io, body());
  EXPECT_EQ(server.requests(), 3u);  // nothing was lost or sent twice
  EXPECT_EQ(server.connections(), 3u);
  // The closed idle connection was noticed before sending, not by a failed send.
  EXPECT_EQ(client.stats().stale_retries, 0u);
  EXPECT_EQ(client.stats().reused, 0u);
}

TEST_F(HttpClientTest, ShutdownFailsQueuedAndLaterRequests) {
  ScriptedServer server(io, [](const ReceivedRequest&) {
    ScriptedResponse s;
    s.action = Action::hang;
    return s;
  });
  auto o = options_for(server);
  o.max_connections = 1;
  HttpClient client(io, o);
  auto body = [&]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    test::Countdown both(executor, 2);
    std::vector<HttpResult> results(2);
    for (std::size_t i = 0; i < 2; ++i) {
      asio::co_spawn(
          executor,
          [&, i]() -> asio::awaitable<void> {
            results[i] = co_await client.request(get("/x"));
            both.done();
          },
          asio::detached);
    }
    co_await test::until([&] { return server.requests() == 1 && client.stats().queued == 1; });
    client.shutdown();
    co_await both.wait();
    EXPECT_EQ(results[0].error, HttpError::shut_down) << results[0].error.message();
    EXPECT_EQ(results[1].error, HttpError::shut_down) << results[1].error.message();
    HttpResult after = co_await client.request(get("/x"));
    EXPECT_EQ(after.error, HttpError::shut_down);
    EXPECT_EQ(client.stats().open_connections, 0u);
  };
  test::run_until_done(io, body());
  EXPECT_EQ(server.requests(), 1u);
}

TEST_F(HttpClientTest, CallerCancellationFreesTheConnection) {
  // The dispatcher may race a request against its own timer or shutdown signal.
  ScriptedServer server(io, [](const ReceivedRequest& r) {
    ScriptedResponse s = ok();
    if (r.target == "/hang") s.action = Action::hang;
    return s;
  });
  auto o = options_for(server);
  o.max_connections = 1;
  HttpClient client(io, o);
  auto body = [&]() -> asio::awaitable<void> {
    using namespace asio::experimental::awaitable_operators;
    asio::steady_timer timer(co_await asio::this_coro::executor, 50ms);
    auto raced = co_await (client.request(get("/hang")) || timer.async_wait(test::kNoThrow));
    EXPECT_EQ(raced.index(), 1u);  // the timer won; the request was cancelled
    EXPECT_EQ(client.stats().open_connections, 0u);
    HttpResult r = co_await client.request(get("/after"));
    EXPECT_FALSE(r.error) << r.error.message();
    EXPECT_EQ(r.status, 200u);
  };
  test::run_until_done(io, body());
  EXPECT_EQ(server.connections(), 2u);
}

TEST_F(HttpClientTest, InvalidRequestsAreNeverSent) {
  ScriptedServer server(io, [](const ReceivedRequest&) { return ok(); });
  HttpClient client(io, options_for(server));
  auto body = [&]() -> asio::awaitable<void> {
    HttpRequest bad_method = get("/x");
    bad_method.method = "FETCH IT";
    HttpRequest injected = get("/x");
    injected.headers = {{"X-Evil", "a\r\nInjected: yes"}};
    HttpRequest bad_name = get("/x");
    bad_name.headers = {{"Bad Name", "v"}};
    HttpRequest bad_target = get("/x y");
    for (auto& request : {bad_method, injected, bad_name, bad_target}) {
      HttpResult r = co_await client.request(request);
      EXPECT_EQ(r.error, HttpError::invalid_request);
      EXPECT_EQ(classify(r), Outcome::permanent);
    }
  };
  test::run_until_done(io, body());
  EXPECT_EQ(server.requests(), 0u);
  EXPECT_EQ(server.connections(), 0u);
}

TEST_F(HttpClientTest, ConnectionRefusedIsAnErrorValue) {
  // A port that was just free: bind one, then close it.
  unsigned short port = 0;
  {
    asio::ip::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
    port = probe.local_endpoint().port();
  }
  HttpClient::Options o;
  o.base_url = "http://127.0.0.1:" + std::to_string(port);
  HttpClient client(io, o);
  auto body = [&]() -> asio::awaitable<void> {
    HttpResult r = co_await client.request(get("/x"));
    EXPECT_EQ(r.error, asio::error::connection_refused) << r.error.message();
    EXPECT_EQ(classify(r), Outcome::retry);
    EXPECT_EQ(client.stats().connect_failures, 1u);
    EXPECT_EQ(client.stats().open_connections, 0u);
  };
  test::run_until_done(io, body());
}

TEST_F(HttpClientTest, RejectsBadOptions) {
  auto make = [&](std::string url) {
    HttpClient::Options o;
    o.base_url = std::move(url);
    return HttpClient(io, o);
  };
  EXPECT_THROW(make("ftp://example.com"), std::invalid_argument);
  EXPECT_THROW(make("example.com"), std::invalid_argument);
  EXPECT_THROW(make("https://example.com/?q=1"), std::invalid_argument);
  try {
    make("https://user:hunter2@example.com/");
    ADD_FAILURE() << "user-info accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos);
  }
  HttpClient::Options o;
  o.base_url = "http://127.0.0.1:1";
  o.max_connections = 0;
  EXPECT_THROW(HttpClient(io, o), std::invalid_argument);
  EXPECT_NO_THROW(make("https://api.glia.com"));
  EXPECT_NO_THROW(make("http://[::1]:8080/base"));
}

}  // namespace
}  // namespace opsync
