// The admin server against a fake backend on 127.0.0.1, port 0. Every test runs a coroutine on
// the same io_context as the server, and waits on events, never on sleeps.

#include "admin/admin_server.h"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <sstream>
#include <stdexcept>

#include "exposition_checker.h"

namespace opsync::admin {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr std::string_view kToken = "tok-7f3a9c-secret";

class FakeBackend final : public AdminBackend {
 public:
  bool is_ready = false;
  bool throw_on_status = false;
  std::vector<std::string> seen_ids;
  std::vector<std::optional<std::string>> seen_connectors;
  metrics::Registry* registry = nullptr;

  bool ready(std::string& why_not) override {
    if (!is_ready) why_not = "consumer not assigned";
    return is_ready;
  }
  std::string metrics() override { return registry->render(); }
  std::optional<boost::json::object> operator_view(const std::string& id) override {
    seen_ids.push_back(id);
    if (id == "missing") return std::nullopt;
    return boost::json::object{{"operator_id", id}, {"canonical", {{"active", true}}}};
  }
  ResyncResult resync(const std::string& id, const std::optional<std::string>& connector) override {
    seen_ids.push_back(id);
    seen_connectors.push_back(connector);
    if (id == "missing") return {ResyncResult::Status::unknown_operator, {}, {}};
    if (connector && *connector != "glia") {
      return {ResyncResult::Status::rejected, {}, "unknown connector: " + *connector};
    }
    if (connector) return {ResyncResult::Status::accepted, {"glia"}, {}};
    return {ResyncResult::Status::accepted, {"glia", "plugchat"}, {}};
  }
  std::vector<std::string> resumed;
  ResumeStatus resume(const std::string& connector) override {
    resumed.push_back(connector);
    if (connector == "glia") return ResumeStatus::resumed;
    if (connector == "idle") return ResumeStatus::not_paused;
    return ResumeStatus::unknown_connector;
  }
  std::vector<std::string> bulk;
  BulkResyncAnswer bulk_resync(const std::string& connector) override {
    bulk.push_back(connector);
    if (connector == "glia") return {BulkResyncAnswer::Status::started, {{"queued", 0}}};
    if (connector == "busy") return {BulkResyncAnswer::Status::already_running, {{"queued", 7}}};
    return {BulkResyncAnswer::Status::unknown_connector, {}};
  }
  std::vector<DeadLetterQuery> listed;
  std::optional<boost::json::object> dead_letters(const DeadLetterQuery& q) override {
    listed.push_back(q);
    if (q.connector != "glia") return std::nullopt;
    return boost::json::object{{"connector", "glia"}, {"total", 1}};
  }
  std::vector<std::string> retried;
  std::optional<boost::json::object> retry_dead_letters(const std::string& connector) override {
    retried.push_back(connector);
    if (connector != "glia") return std::nullopt;
    return boost::json::object{{"connector", "glia"}, {"queued", 3}};
  }
  std::vector<std::string> reconciled;
  ReconcileStatus start_reconcile(const std::string& connector) override {
    reconciled.push_back(connector);
    if (connector == "glia") return ReconcileStatus::started;
    if (connector == "busy") return ReconcileStatus::already_running;
    if (connector == "reloading") return ReconcileStatus::unavailable;
    return ReconcileStatus::unknown_connector;
  }
  std::optional<boost::json::object> reconcile_view(const std::string& connector) override {
    if (connector == "fresh")
      return boost::json::object{{"connector", connector}, {"pass", nullptr}};
    if (connector != "glia") return std::nullopt;
    return boost::json::object{{"connector", connector},
                               {"pass", {{"state", "running"}, {"records_read", 3}}}};
  }
  boost::json::object status() override {
    if (throw_on_status) throw std::runtime_error("database is locked: detail-xyz");
    return {{"connectors", {{"glia", {{"breaker", "closed"}}}}}};
  }
};

using Response = http::response<http::string_body>;

asio::awaitable<void> pause(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(d);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

/// A keep-alive client connection for the tests.
class Client {
 public:
  explicit Client(asio::any_io_executor executor) : stream_(std::move(executor)) {}

  asio::awaitable<boost::system::error_code> connect(std::uint16_t port) {
    auto [ec] = co_await stream_.async_connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), kNoThrow);
    co_return ec;
  }

  /// Sends a request, reads the answer; `raw` gets the whole answer as written on the wire.
  asio::awaitable<Response> request(http::verb verb, std::string target,
                                    std::optional<std::string> authorization = std::nullopt,
                                    std::string body = {}, unsigned version = 11) {
    http::request<http::string_body> req{verb, target, version};
    req.set(http::field::host, "127.0.0.1");
    if (authorization) req.set(http::field::authorization, *authorization);
    if (!body.empty() || verb == http::verb::post) {
      req.body() = std::move(body);
      req.prepare_payload();
    }
    stream_.expires_after(std::chrono::seconds(10));
    auto [wec, wn] = co_await http::async_write(stream_, req, kNoThrow);
    EXPECT_FALSE(wec) << wec.message();
    co_return co_await read();
  }

  asio::awaitable<Response> read() {
    Response res;
    stream_.expires_after(std::chrono::seconds(10));
    auto [ec, n] = co_await http::async_read(stream_, buffer_, res, kNoThrow);
    EXPECT_FALSE(ec) << ec.message();
    std::ostringstream wire;
    wire << res;
    raw = wire.str();
    co_return res;
  }

  asio::awaitable<void> send_raw(std::string bytes) {
    auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(bytes), kNoThrow);
    EXPECT_FALSE(ec) << ec.message();
  }

  /// True if the server closes the connection (end of stream or reset) before sending anything.
  asio::awaitable<bool> closed_by_server() {
    stream_.expires_after(std::chrono::seconds(10));
    char byte;
    auto [ec, n] = co_await stream_.async_read_some(asio::buffer(&byte, 1), kNoThrow);
    co_return ec == asio::error::eof || ec == asio::error::connection_reset;
  }

  std::string raw;

 private:
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

class AdminServerTest : public ::testing::Test {
 protected:
  void start(AdminServerOptions options = {}) {
    options.listen = "127.0.0.1:0";
    backend_.registry = &registry_;
    server_ = std::make_unique<AdminServer>(io_, backend_, registry_, std::move(options));
    server_->start();
    ASSERT_NE(server_->port(), 0);
  }

  /// Runs `body` on the io_context until it finishes (or fails the test after 20 s).
  void run(std::function<asio::awaitable<void>()> body) {
    bool done = false;
    std::exception_ptr error;
    io_.restart();
    asio::co_spawn(io_, body(), [&](std::exception_ptr e) {
      error = e;
      done = true;
      io_.stop();
    });
    io_.run_for(std::chrono::seconds(20));
    ASSERT_TRUE(done) << "the test coroutine did not finish";
    if (error) std::rethrow_exception(error);
  }

  asio::awaitable<Client> connected() {
    Client client(io_.get_executor());
    auto ec = co_await client.connect(server_->port());
    EXPECT_FALSE(ec) << ec.message();
    co_return client;
  }

  asio::awaitable<Response> get(std::string target, std::optional<std::string> auth = {}) {
    Client client = co_await connected();
    co_return co_await client.request(http::verb::get, std::move(target), std::move(auth));
  }

  double requests(std::string_view route, std::string_view code) {
    const auto check = metrics::test::check_exposition(registry_.render());
    return metrics::test::sample_value(
        check, "opsync_admin_requests_total",
        {{"route", std::string(route)}, {"code", std::string(code)}});
  }

  static boost::json::value json(const Response& res) {
    EXPECT_EQ(res[http::field::content_type], "application/json");
    return boost::json::parse(res.body());
  }

  asio::io_context io_;
  metrics::Registry registry_;
  FakeBackend backend_;
  std::unique_ptr<AdminServer> server_;
};

TEST_F(AdminServerTest, HealthzAnswersOk) {
  start();
  run([&]() -> asio::awaitable<void> {
    auto res = co_await get("/healthz");
    EXPECT_EQ(res.result(), http::status::ok);
    EXPECT_EQ(res.body(), "ok\n");
    EXPECT_EQ(res[http::field::cache_control], "no-store");
  });
  EXPECT_EQ(requests("/healthz", "200"), 1);
}

TEST_F(AdminServerTest, ReadyzIs503UntilTheBackendIsReady) {
  start();
  run([&]() -> asio::awaitable<void> {
    auto res = co_await get("/readyz");
    EXPECT_EQ(res.result(), http::status::service_unavailable);
    EXPECT_EQ(res.body(), "not ready: consumer not assigned\n");
    backend_.is_ready = true;
    res = co_await get("/readyz");
    EXPECT_EQ(res.result(), http::status::ok);
    EXPECT_EQ(res.body(), "ready\n");
  });
  EXPECT_EQ(requests("/readyz", "503"), 1);
  EXPECT_EQ(requests("/readyz", "200"), 1);
}

TEST_F(AdminServerTest, MetricsServesTheExpositionWithItsOwnRequestCounts) {
  start();
  run([&]() -> asio::awaitable<void> {
    co_await get("/healthz");
    co_await get("/nope");
    auto res = co_await get("/metrics");
    EXPECT_EQ(res.result(), http::status::ok);
    EXPECT_EQ(res[http::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
    const auto check = metrics::test::check_exposition(res.body());
    EXPECT_TRUE(check.problems.empty()) << res.body();
    EXPECT_EQ(metrics::test::sample_value(check, "opsync_admin_requests_total",
                                          {{"route", "/healthz"}, {"code", "200"}}),
              1);
    EXPECT_EQ(metrics::test::sample_value(check, "opsync_admin_requests_total",
                                          {{"route", "unmatched"}, {"code", "404"}}),
              1);
    EXPECT_EQ(metrics::test::sample_value(check, "opsync_admin_open_connections"), 1);
  });
}

TEST_F(AdminServerTest, OperatorViewWithPercentEncodedIds) {
  start();
  run([&]() -> asio::awaitable<void> {
    auto res = co_await get("/operators/emp-00042");
    EXPECT_EQ(res.result(), http::status::ok);
    EXPECT_EQ(json(res).at("operator_id"), "emp-00042");

    res = co_await get("/operators/emp%2F42%20x%C3%A9");
    EXPECT_EQ(res.result(), http::status::ok);
    EXPECT_EQ(json(res).at("operator_id"), "emp/42 x\xC3\xA9");

    res = co_await get("/operators/missing");
    EXPECT_EQ(res.result(), http::status::not_found);
    EXPECT_EQ(json(res).at("error"), "unknown operator");

    res = co_await get("/operators/bad%zzescape");
    EXPECT_EQ(res.result(), http::status::bad_request);
  });
  EXPECT_EQ(backend_.seen_ids,
            (std::vector<std::string>{"emp-00042", "emp/42 x\xC3\xA9", "missing"}));
  EXPECT_EQ(requests("/operators/{id}", "200"), 2);
}

TEST_F(AdminServerTest, Resync) {
  start();
  run([&]() -> asio::awaitable<void> {
    Client c = co_await connected();
    auto res = co_await c.request(http::verb::post, "/operators/a%40b/resync");
    EXPECT_EQ(res.result(), http::status::accepted);
    EXPECT_EQ(json(res),
              boost::json::parse(R"({"operator_id":"a@b","connectors":["glia","plugchat"]})"));

    res = co_await c.request(http::verb::post, "/operators/e1/resync?connector=glia");
    EXPECT_EQ(res.result(), http::status::accepted);
    EXPECT_EQ(json(res).at("connectors"), boost::json::parse(R"(["glia"])"));

    res = co_await c.request(http::verb::post, "/operators/e1/resync?connector=nobody");
    EXPECT_EQ(res.result(), http::status::bad_request);
    EXPECT_EQ(json(res).at("error"), "unknown connector: nobody");

    res = co_await c.request(http::verb::post, "/operators/missing/resync");
    EXPECT_EQ(res.result(), http::status::not_found);

    // Refused by the server before the backend sees them.
    for (const char* target :
         {"/operators/e1/resync?connectr=glia",
          "/operators/e1/resync?connector=", "/operators/e1/resync?connector=a&connector=b"}) {
      res = co_await c.request(http::verb::post, target);
      EXPECT_EQ(res.result(), http::status::bad_request) << target;
    }
  });
  EXPECT_EQ(backend_.seen_ids, (std::vector<std::string>{"a@b", "e1", "e1", "missing"}));
  EXPECT_EQ(backend_.seen_connectors[0], std::nullopt);
  EXPECT_EQ(backend_.seen_connectors[1], "glia");
  EXPECT_EQ(requests("/operators/{id}/resync", "202"), 2);
  EXPECT_EQ(requests("/operators/{id}/resync", "400"), 4);
}

// Issue 13 item 11: an operator can end a vendor's pause of a connector.
TEST_F(AdminServerTest, ResumeAConnector) {
  start();
  run([&]() -> asio::awaitable<void> {
    Client c = co_await connected();
    auto res = co_await c.request(http::verb::post, "/connectors/glia/resume");
    EXPECT_EQ(res.result(), http::status::accepted);
    EXPECT_EQ(json(res), boost::json::parse(R"({"connector":"glia"})"));

    res = co_await c.request(http::verb::post, "/connectors/idle/resume");
    EXPECT_EQ(res.result(), http::status::conflict);
    EXPECT_EQ(json(res).at("error"), "connector is not paused");

    res = co_await c.request(http::verb::post, "/connectors/no%20such/resume");
    EXPECT_EQ(res.result(), http::status::not_found);
    EXPECT_EQ(json(res).at("error"), "unknown connector");

    // Refused by the server before the backend sees them.
    res = co_await c.request(http::verb::get, "/connectors/glia/resume");
    EXPECT_EQ(res.result(), http::status::method_not_allowed);
    EXPECT_EQ(res[http::field::allow], "POST");
    res = co_await c.request(http::verb::post, "/connectors/glia/resume?now=1");
    EXPECT_EQ(res.result(), http::status::bad_request);
    for (const char* target : {"/connectors", "/connectors/glia", "/connectors//resume",
                               "/connectors/glia/resume/more", "/connectors/glia/pause"}) {
      res = co_await c.request(http::verb::post, target);
      EXPECT_EQ(res.result(), http::status::not_found) << target;
    }
  });
  EXPECT_EQ(backend_.resumed, (std::vector<std::string>{"glia", "idle", "no such"}));
  EXPECT_EQ(requests("/connectors/{name}/resume", "202"), 1);
  EXPECT_EQ(requests("/connectors/{name}/resume", "409"), 1);
  EXPECT_EQ(requests("/connectors/{name}/resume", "404"), 1);
}

// Issue 12: a bulk resync of one connector, and the refused pairs with their retry.
TEST_F(AdminServerTest, BulkResyncAndDeadLetters) {
  start();
  run([&]() -> asio::awaitable<void> {
    Client c = co_await connected();
    auto res = co_await c.request(http::verb::post, "/connectors/glia/resync");
    EXPECT_EQ(res.result(), http::status::accepted);
    res = co_await c.request(http::verb::post, "/connectors/busy/resync");
    EXPECT_EQ(res.result(), http::status::conflict);
    EXPECT_EQ(json(res).at("queued"), 7);
    EXPECT_TRUE(json(res).as_object().contains("error"));
    res = co_await c.request(http::verb::post, "/connectors/nope/resync");
    EXPECT_EQ(res.result(), http::status::not_found);
    res = co_await c.request(http::verb::get, "/connectors/glia/resync");
    EXPECT_EQ(res.result(), http::status::method_not_allowed);
    res = co_await c.request(http::verb::post, "/connectors/glia/resync?all=1");
    EXPECT_EQ(res.result(), http::status::bad_request);

    res = co_await c.request(http::verb::get, "/dead-letters?connector=glia&after=op-9&limit=50");
    EXPECT_EQ(res.result(), http::status::ok);
    EXPECT_EQ(json(res).at("total"), 1);
    res = co_await c.request(http::verb::get, "/dead-letters?connector=nope");
    EXPECT_EQ(res.result(), http::status::not_found);
    for (const char* target :
         {"/dead-letters", "/dead-letters?connector=", "/dead-letters?x=1",
          "/dead-letters?connector=glia&limit=0", "/dead-letters?connector=glia&limit=1001",
          "/dead-letters?connector=glia&limit=ten", "/dead-letters?connector=a&connector=b"}) {
      res = co_await c.request(http::verb::get, target);
      EXPECT_EQ(res.result(), http::status::bad_request) << target;
    }
    res = co_await c.request(http::verb::post, "/dead-letters?connector=glia");
    EXPECT_EQ(res.result(), http::status::method_not_allowed);

    res = co_await c.request(http::verb::post, "/dead-letters/retry?connector=glia");
    EXPECT_EQ(res.result(), http::status::accepted);
    EXPECT_EQ(json(res).at("queued"), 3);
    res = co_await c.request(http::verb::post, "/dead-letters/retry?connector=nope");
    EXPECT_EQ(res.result(), http::status::not_found);
    res = co_await c.request(http::verb::post, "/dead-letters/retry?connector=glia&after=x");
    EXPECT_EQ(res.result(), http::status::bad_request);
    res = co_await c.request(http::verb::get, "/dead-letters/retry?connector=glia");
    EXPECT_EQ(res.result(), http::status::method_not_allowed);
  });
  EXPECT_EQ(backend_.bulk, (std::vector<std::string>{"glia", "busy", "nope"}));
  ASSERT_EQ(backend_.listed.size(), 2u);
  EXPECT_EQ(backend_.listed[0].after, "op-9");
  EXPECT_EQ(backend_.listed[0].limit, 50u);
  EXPECT_EQ(backend_.listed[1].limit, 100u);
  EXPECT_EQ(backend_.retried, (std::vector<std::string>{"glia", "nope"}));
  EXPECT_EQ(requests("/connectors/{name}/resync", "202"), 1);
  EXPECT_EQ(requests("/dead-letters", "400"), 7);
  EXPECT_EQ(requests("/dead-letters/retry", "202"), 1);
}

// Issue 12: a reconcile pass can be started now and watched.
TEST_F(AdminServerTest, ReconcileAConnector) {
  start();
  run([&]() -> asio::awaitable<void> {
    Client c = co_await connected();
    auto res = co_await c.request(http::verb::post, "/connectors/glia/reconcile");
    EXPECT_EQ(res.result(), http::status::accepted);
    EXPECT_EQ(json(res), boost::json::parse(R"({"connector":"glia"})"));
    res = co_await c.request(http::verb::post, "/connectors/busy/reconcile");
    EXPECT_EQ(res.result(), http::status::conflict);
    EXPECT_EQ(json(res).at("error"), "a reconcile pass is running");
    res = co_await c.request(http::verb::post, "/connectors/no%20such/reconcile");
    EXPECT_EQ(res.result(), http::status::not_found);
    EXPECT_EQ(json(res).at("error"), "unknown connector");
    res = co_await c.request(http::verb::post, "/connectors/reloading/reconcile");
    EXPECT_EQ(res.result(), http::status::service_unavailable);

    res = co_await c.request(http::verb::get, "/connectors/glia/reconcile");
    EXPECT_EQ(res.result(), http::status::ok);
    EXPECT_EQ(json(res).at("pass").at("state"), "running");
    res = co_await c.request(http::verb::get, "/connectors/fresh/reconcile");
    EXPECT_EQ(res.result(), http::status::ok);
    EXPECT_TRUE(json(res).at("pass").is_null());
    res = co_await c.request(http::verb::get, "/connectors/other/reconcile");
    EXPECT_EQ(res.result(), http::status::not_found);

    res = co_await c.request(http::verb::delete_, "/connectors/glia/reconcile");
    EXPECT_EQ(res.result(), http::status::method_not_allowed);
    EXPECT_EQ(res[http::field::allow], "GET, POST");
    res = co_await c.request(http::verb::post, "/connectors/glia/reconcile?full=1");
    EXPECT_EQ(res.result(), http::status::bad_request);
    res = co_await c.request(http::verb::post, "/connectors//reconcile");
    EXPECT_EQ(res.result(), http::status::not_found);
  });
  EXPECT_EQ(backend_.reconciled,
            (std::vector<std::string>{"glia", "busy", "no such", "reloading"}));
  EXPECT_EQ(requests("/connectors/{name}/reconcile", "202"), 1);
  EXPECT_EQ(requests("/connectors/{name}/reconcile", "409"), 1);
  EXPECT_EQ(requests("/connectors/{name}/reconcile", "404"), 2);
}

TEST_F(AdminServerTest, Status) {
  start();
  run([&]() -> asio::awaitable<void> {
    auto res = co_await get("/status");
    EXPECT_EQ(res.result(), http::status::ok);
    EXPECT_EQ(json(res).at("connectors").at("glia").at("breaker"), "closed");
  });
}

TEST_F(AdminServerTest, BackendFailureIs500WithoutDetails) {
  start();
  backend_.throw_on_status = true;
  run([&]() -> asio::awaitable<void> {
    Client c = co_await connected();
    auto res = co_await c.request(http::verb::get, "/status");
    EXPECT_EQ(res.result(), http::status::internal_server_error);
    EXPECT_EQ(c.raw.find("detail-xyz"), std::string::npos);
    // The connection stays usable.
    res = co_await c.request(http::verb::get, "/healthz");
    EXPECT_EQ(res.result(), http::status::ok);
  });
}

TEST_F(AdminServerTest, WrongMethodIs405WithAllow) {
  start();
  run([&]() -> asio::awaitable<void> {
    Client c = co_await connected();
    auto res = co_await c.request(http::verb::post, "/healthz");
    EXPECT_EQ(res.result(), http::status::method_not_allowed);
    EXPECT_EQ(res[http::field::allow], "GET");
    res = co_await c.request(http::verb::delete_, "/operators/e1");
    EXPECT_EQ(res.result(), http::status::method_not_allowed);
    res = co_await c.request(http::verb::get, "/operators/e1/resync");
    EXPECT_EQ(res.result(), http::status::method_not_allowed);
    EXPECT_EQ(res[http::field::allow], "POST");
  });
  EXPECT_TRUE(backend_.seen_ids.empty());
}

TEST_F(AdminServerTest, UnknownPathsAre404) {
  start();
  run([&]() -> asio::awaitable<void> {
    Client c = co_await connected();
    for (const char* target : {"/", "/nope", "/healthz/", "/operators", "/operators/",
                               "/operators/e1/other", "/operators/e1/resync/more"}) {
      auto res = co_await c.request(http::verb::get, target);
      EXPECT_EQ(res.result(), http::status::not_found) << target;
      EXPECT_EQ(json(res).at("error"), "no such endpoint");
    }
  });
  EXPECT_EQ(requests("unmatched", "404"), 7);
}

TEST_F(AdminServerTest, BearerTokenRequiredAndNeverEchoed) {
  AdminServerOptions options;
  options.bearer_token = std::string(kToken);
  start(options);
  run([&]() -> asio::awaitable<void> {
    const std::string good = "Bearer " + std::string(kToken);
    struct Case {
      std::string target;
      std::optional<std::string> auth;
      http::status expected;
    };
    const std::vector<Case> cases{
        {"/healthz", std::nullopt, http::status::unauthorized},
        {"/metrics", "Bearer wrong", http::status::unauthorized},
        {"/metrics", "Bearer " + std::string(kToken) + "x", http::status::unauthorized},
        {"/nope", std::nullopt, http::status::unauthorized},  // no path discovery without it
        {"/operators/e1", std::string(kToken), http::status::unauthorized},
        {"/healthz", good, http::status::ok},
        {"/metrics", good, http::status::ok},
        {"/operators/e1", "bearer " + std::string(kToken), http::status::ok},
    };
    for (const auto& test : cases) {
      // A 401 closes the connection: each case connects anew.
      Client c = co_await connected();
      auto res = co_await c.request(http::verb::get, test.target, test.auth);
      EXPECT_EQ(res.result(), test.expected) << test.target;
      if (test.expected == http::status::unauthorized) {
        EXPECT_EQ(res[http::field::www_authenticate], "Bearer realm=\"opsync-admin\"");
        EXPECT_FALSE(res.keep_alive());
        EXPECT_TRUE(co_await c.closed_by_server());
      }
      EXPECT_EQ(c.raw.find(kToken), std::string::npos) << c.raw;
    }
  });
  EXPECT_EQ(backend_.seen_ids, (std::vector<std::string>{"e1"}));
  EXPECT_EQ(registry_.render().find(kToken), std::string::npos);
}

TEST_F(AdminServerTest, BodyOverTheLimitIs413AndCloses) {
  start();
  run([&]() -> asio::awaitable<void> {
    Client c = co_await connected();
    auto res = co_await c.request(http::verb::post, "/operators/e1/resync", std::nullopt,
                                  std::string(70 * 1024, 'x'));
    EXPECT_EQ(res.result(), http::status::payload_too_large);
    EXPECT_FALSE(res.keep_alive());
    EXPECT_TRUE(co_await c.closed_by_server());

    // Within the limit is fine.
    Client d = co_await connected();
    res = co_await d.request(http::verb::post, "/operators/e1/resync", std::nullopt,
                             std::string(60 * 1024, 'x'));
    EXPECT_EQ(res.result(), http::status::accepted);
  });
  EXPECT_EQ(backend_.seen_ids, (std::vector<std::string>{"e1"}));
}

TEST_F(AdminServerTest, OversizedHeadersAre431AndMalformedRequests400) {
  start();
  run([&]() -> asio::awaitable<void> {
    Client c = co_await connected();
    co_await c.send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') +
                        "\r\n\r\n");
    auto res = co_await c.read();
    EXPECT_EQ(res.result(), http::status::request_header_fields_too_large);
    EXPECT_TRUE(co_await c.closed_by_server());

    Client d = co_await connected();
    co_await d.send_raw("NOT HTTP AT ALL\r\n\r\n");
    res = co_await d.read();
    EXPECT_EQ(res.result(), http::status::bad_request);
    EXPECT_TRUE(co_await d.closed_by_server());
  });
}

TEST_F(AdminServerTest, KeepAliveReusesTheConnection) {
  start();
  run([&]() -> asio::awaitable<void> {
    Client c = co_await connected();
    for (int i = 0; i < 3; ++i) {
      auto res = co_await c.request(http::verb::get, "/healthz");
      EXPECT_EQ(res.result(), http::status::ok);
      EXPECT_TRUE(res.keep_alive());
      EXPECT_EQ(server_->open_connections(), 1u);
    }
    // HTTP/1.0 without keep-alive: answered, then closed.
    Client d = co_await connected();
    auto res = co_await d.request(http::verb::get, "/healthz", std::nullopt, {}, 10);
    EXPECT_EQ(res.result(), http::status::ok);
    EXPECT_FALSE(res.keep_alive());
    EXPECT_TRUE(co_await d.closed_by_server());
  });
  EXPECT_EQ(requests("/healthz", "200"), 4);
}

TEST_F(AdminServerTest, ASilentClientIsClosedAtTheReadDeadline) {
  AdminServerOptions options;
  options.first_request_timeout = std::chrono::milliseconds(100);
  start(options);
  run([&]() -> asio::awaitable<void> {
    Client c = co_await connected();
    co_await c.send_raw("GET /healthz HTTP/1.1\r\n");  // and never the rest
    EXPECT_TRUE(co_await c.closed_by_server());
  });
  EXPECT_EQ(server_->open_connections(), 0u);
}

TEST_F(AdminServerTest, PastTheKeptAliveLimitAnswersClose) {
  AdminServerOptions options;
  options.max_connections = 1;
  start(options);
  run([&]() -> asio::awaitable<void> {
    Client c = co_await connected();
    auto res = co_await c.request(http::verb::get, "/healthz");  // c is now kept alive
    EXPECT_TRUE(res.keep_alive());
    Client d = co_await connected();
    res = co_await d.request(http::verb::get, "/healthz");  // answered, then closed
    EXPECT_EQ(res.result(), http::status::ok);
    EXPECT_FALSE(res.keep_alive());
    EXPECT_TRUE(co_await d.closed_by_server());
    res = co_await c.request(http::verb::get, "/healthz");
    EXPECT_EQ(res.result(), http::status::ok);
  });
  const auto check = metrics::test::check_exposition(registry_.render());
  EXPECT_EQ(metrics::test::sample_value(check, "opsync_admin_connections_rejected_total"), 1);
}

// Issue 13: unauthenticated keep-alive clients took the connection cap before authenticating and
// a 401 kept the connection open, so a handful of them locked the API (and /healthz) out.
TEST_F(AdminServerTest, UnauthenticatedClientsCannotLockTheApiOut) {
  AdminServerOptions options;
  options.bearer_token = std::string(kToken);
  options.max_connections = 4;
  start(options);
  run([&]() -> asio::awaitable<void> {
    std::vector<Client> hostile;
    for (int i = 0; i < 10; ++i) {
      hostile.push_back(co_await connected());
      auto res = co_await hostile.back().request(http::verb::get, "/metrics");
      EXPECT_EQ(res.result(), http::status::unauthorized);
    }
    for (auto& h : hostile) EXPECT_TRUE(co_await h.closed_by_server());
    auto res = co_await get("/healthz", "Bearer " + std::string(kToken));
    EXPECT_EQ(res.result(), http::status::ok);
  });
}

// Issue 13: slow clients (a byte now and then) held every connection slot until their read
// deadline; now the oldest unanswered connection makes room for a new one, and a first request
// has its own, short deadline.
TEST_F(AdminServerTest, SlowClientsCannotLockTheApiOut) {
  AdminServerOptions options;
  options.max_connections = 4;
  options.max_pending_connections = 4;
  options.first_request_timeout = std::chrono::milliseconds(1500);
  start(options);
  run([&]() -> asio::awaitable<void> {
    std::vector<Client> slow;
    for (int i = 0; i < 8; ++i) {
      slow.push_back(co_await connected());
      co_await slow.back().send_raw("G");
    }
    co_await pause(std::chrono::milliseconds(100));
    auto res = co_await get("/healthz");
    EXPECT_EQ(res.result(), http::status::ok);
    // The slow ones are all gone by their first-request deadline (some evicted before it).
    for (auto& s : slow) EXPECT_TRUE(co_await s.closed_by_server());
  });
  EXPECT_GE(metrics::test::sample_value(metrics::test::check_exposition(registry_.render()),
                                        "opsync_admin_connections_rejected_total"),
            4);
}

TEST_F(AdminServerTest, StopClosesIdleConnectionsAndLeavesNoWork) {
  start();
  run([&]() -> asio::awaitable<void> {
    Client c = co_await connected();
    auto res = co_await c.request(http::verb::get, "/healthz");
    EXPECT_EQ(res.result(), http::status::ok);
    server_->stop();
    EXPECT_TRUE(co_await c.closed_by_server());
    Client d(io_.get_executor());
    EXPECT_TRUE(co_await d.connect(server_->port()));  // refused
  });
  // Nothing of the server is left on the loop: run() returns at once.
  io_.restart();
  io_.run_for(std::chrono::seconds(5));
  EXPECT_TRUE(io_.stopped());
  EXPECT_EQ(server_->open_connections(), 0u);
  server_.reset();  // and destroying a stopped server is fine
}

TEST_F(AdminServerTest, DestroyingTheServerWithOpenConnectionsIsSafe) {
  start();
  run([&]() -> asio::awaitable<void> {
    Client c = co_await connected();
    co_await c.request(http::verb::get, "/healthz");
    server_.reset();
    EXPECT_TRUE(co_await c.closed_by_server());
  });
  // The registry outlives the server: its callback gauge must not reach into freed state.
  const auto check = metrics::test::check_exposition(registry_.render());
  EXPECT_EQ(metrics::test::sample_value(check, "opsync_admin_open_connections"), 0);
}

TEST_F(AdminServerTest, StartFailsOnAPortInUse) {
  start();
  AdminServerOptions options;
  options.listen = "127.0.0.1:" + std::to_string(server_->port());
  metrics::Registry other;
  AdminServer second(io_, backend_, other, options);
  EXPECT_THROW(second.start(), boost::system::system_error);
}

}  // namespace
}  // namespace opsync::admin
