#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <filesystem>
#include <fstream>

#include "async_test.h"
#include "common/http_client.h"
#include "common/retry_policy.h"
#include "scripted_server.h"

namespace opsync {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::ReceivedRequest;
using test::ScriptedResponse;
using test::ScriptedServer;

/// A TLS server with a fresh self-signed certificate, and that certificate in a CA file.
class HttpClientTlsTest : public ::testing::Test {
 protected:
  void serve_certificate_for(const std::string& subject_alt_names) {
    const auto cert = test::make_self_signed_certificate(subject_alt_names);
    server_tls.use_certificate_chain(asio::buffer(cert.certificate_pem));
    server_tls.use_private_key(asio::buffer(cert.private_key_pem), asio::ssl::context::pem);
    ca_file = std::filesystem::temp_directory_path() /
              ("opsync-common-test-ca-" + std::to_string(::getpid()) + ".pem");
    std::ofstream(ca_file) << cert.certificate_pem;
    server = std::make_unique<ScriptedServer>(
        io, [](const ReceivedRequest&) { return ScriptedResponse{.body = "secure"}; }, &server_tls);
  }
  void TearDown() override {
    if (!ca_file.empty()) std::filesystem::remove(ca_file);
  }

  HttpClient::Options options(std::string host = "127.0.0.1") {
    HttpClient::Options o;
    o.base_url = server->base_url(host);
    o.connect_timeout = 2s;
    o.request_timeout = 5s;
    return o;
  }

  /// Two requests; returns the results.
  std::vector<HttpResult> two_requests(HttpClient& client) {
    std::vector<HttpResult> results;
    auto body = [&]() -> asio::awaitable<void> {
      for (int i = 0; i < 2; ++i) {
        HttpRequest request;  // named: GCC 12 mishandles braced temporaries inside co_await
        request.target = "/x";
        HttpResult result = co_await client.request(std::move(request));
        results.push_back(std::move(result));
      }
    };
    test::run_until_done(io, body());
    return results;
  }

  asio::io_context io;
  asio::ssl::context server_tls{asio::ssl::context::tls_server};
  std::filesystem::path ca_file;
  std::unique_ptr<ScriptedServer> server;
};

TEST_F(HttpClientTlsTest, VerifiedCertificateForAnIpAddressAndKeepAlive) {
  serve_certificate_for("IP:127.0.0.1");
  auto o = options();
  o.ca_file = ca_file.string();
  HttpClient client(io, o);
  for (const auto& r : two_requests(client)) {
    EXPECT_FALSE(r.error) << r.error.message();
    EXPECT_EQ(r.body, "secure");
  }
  EXPECT_EQ(server->connections(), 1u);
  EXPECT_EQ(server->last_sni, "");  // no SNI for an IP literal (RFC 6066)
}

TEST_F(HttpClientTlsTest, VerifiedHostNameAndSni) {
  serve_certificate_for("DNS:localhost");
  auto o = options("localhost");
  o.ca_file = ca_file.string();
  HttpClient client(io, o);
  for (const auto& r : two_requests(client)) EXPECT_FALSE(r.error) << r.error.message();
  EXPECT_EQ(server->last_sni, "localhost");
}

TEST_F(HttpClientTlsTest, UntrustedCertificateIsRejectedByDefault) {
  serve_certificate_for("IP:127.0.0.1");
  HttpClient client(io, options());  // system trust store only
  for (const auto& r : two_requests(client)) {
    EXPECT_TRUE(r.error);
    EXPECT_EQ(classify(r), Outcome::retry);
  }
  EXPECT_EQ(server->requests(), 0u);
}

TEST_F(HttpClientTlsTest, HostNameMismatchIsRejected) {
  serve_certificate_for("DNS:other.example");
  auto o = options();
  o.ca_file = ca_file.string();
  HttpClient client(io, o);
  for (const auto& r : two_requests(client)) EXPECT_TRUE(r.error);
  EXPECT_EQ(server->requests(), 0u);
}

TEST_F(HttpClientTlsTest, VerificationCanBeTurnedOff) {
  serve_certificate_for("DNS:other.example");
  auto o = options();
  o.verify_tls = false;
  HttpClient client(io, o);
  for (const auto& r : two_requests(client)) EXPECT_FALSE(r.error) << r.error.message();
  EXPECT_EQ(server->requests(), 2u);
}

TEST_F(HttpClientTlsTest, MissingCaFileFailsAtStartUp) {
  serve_certificate_for("IP:127.0.0.1");
  auto o = options();
  o.ca_file = "/nonexistent/ca.pem";
  EXPECT_THROW(HttpClient(io, o), std::runtime_error);
}

}  // namespace
}  // namespace opsync
