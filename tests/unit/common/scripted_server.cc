#include "scripted_server.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <memory>
#include <optional>
#include <stdexcept>

namespace opsync::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {
constexpr auto kToken = asio::as_tuple(asio::use_awaitable);
}

struct ScriptedServer::Session {
  Session(tcp::socket socket, std::size_t index, asio::ssl::context* tls_context)
      : index(index), hang(socket.get_executor()) {
    if (tls_context) {
      tls.emplace(std::move(socket), *tls_context);
    } else {
      plain.emplace(std::move(socket));
    }
  }
  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  std::size_t index;
  asio::steady_timer hang;  // hung requests and delays wait here; stop() cancels it
};

ScriptedServer::ScriptedServer(asio::io_context& io, Script script, asio::ssl::context* tls)
    : io_(io), script_(std::move(script)), tls_(tls), acceptor_(io) {
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen();
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(io_, accept_loop(), asio::detached);
}

ScriptedServer::~ScriptedServer() {
  stop();
}

std::string ScriptedServer::base_url(std::string_view host) const {
  return std::string(tls_ ? "https://" : "http://") + std::string(host) + ":" +
         std::to_string(port_);
}

void ScriptedServer::stop() {
  if (stopped_) return;
  stopped_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  for (auto& session : sessions_) {
    session->hang.cancel();
    session->lowest().close();
  }
}

asio::awaitable<void> ScriptedServer::accept_loop() {
  while (!stopped_) {
    auto [ec, socket] = co_await acceptor_.async_accept(kToken);
    if (ec) co_return;
    auto session = std::make_shared<Session>(std::move(socket), connections_++, tls_);
    sessions_.push_back(session);
    asio::co_spawn(io_, run_session(session), asio::detached);
  }
}

asio::awaitable<void> ScriptedServer::run_session(std::shared_ptr<Session> session) {
  if (session->tls) {
    session->lowest().expires_after(std::chrono::seconds(10));
    auto [ec] = co_await session->tls->async_handshake(asio::ssl::stream_base::server, kToken);
    session->lowest().expires_never();
    const char* sni = SSL_get_servername(session->tls->native_handle(), TLSEXT_NAMETYPE_host_name);
    last_sni = sni ? sni : "";
    if (!ec) co_await serve(session, *session->tls);
  } else {
    co_await serve(session, *session->plain);
  }
  session->lowest().close();
  sessions_.remove(session);
}

template <class Stream>
asio::awaitable<void> ScriptedServer::serve(std::shared_ptr<Session> session, Stream& stream) {
  beast::flat_buffer buffer;
  for (std::size_t sequence = 0; !stopped_; ++sequence) {
    http::request<http::string_body> request;
    auto [read_ec, n] = co_await http::async_read(stream, buffer, request, kToken);
    if (read_ec) co_return;
    ReceivedRequest received_request{std::string(request.method_string()),
                                     std::string(request.target()),
                                     {},
                                     request.body(),
                                     session->index,
                                     sequence};
    for (const auto& field : request.base()) {
      received_request.headers.push_back(
          {std::string(field.name_string()), std::string(field.value())});
    }
    received.push_back(received_request);
    const ScriptedResponse script = script_(received_request);

    ++in_flight_;
    max_in_flight_ = std::max(max_in_flight_, in_flight_);
    struct InFlight {
      std::size_t& n;
      ~InFlight() { --n; }
    } in_flight{in_flight_};

    using Action = ScriptedResponse::Action;
    if (script.action == Action::hang) {
      session->hang.expires_at(asio::steady_timer::time_point::max());
      co_await session->hang.async_wait(kToken);
      co_return;
    }
    if (script.action == Action::close_without_response) co_return;
    if (script.delay.count() > 0) {
      session->hang.expires_after(script.delay);
      co_await session->hang.async_wait(kToken);
      if (stopped_) co_return;
    }
    http::response<http::string_body> response;
    response.version(11);
    response.result(script.status);
    for (const auto& h : script.headers) response.insert(h.name, h.value);
    response.body() = script.body;
    response.keep_alive(!script.connection_close);
    response.prepare_payload();
    auto [write_ec, written] = co_await http::async_write(stream, response, kToken);
    if (write_ec || script.connection_close || script.action == Action::respond_then_close) {
      co_return;
    }
  }
}

TestCertificate make_self_signed_certificate(const std::string& subject_alt_names) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  if (!key || !cert) throw std::runtime_error("openssl: cannot create a test certificate");
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("opsync test"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, subject_alt_names.c_str()},
                            std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (!ext) throw std::runtime_error("openssl: bad test certificate extension");
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (!X509_sign(cert, key, EVP_sha256())) throw std::runtime_error("openssl: signing failed");

  TestCertificate out;
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  out.certificate_pem.assign(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  len = BIO_get_mem_data(bio, &data);
  out.private_key_pem.assign(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  X509_free(cert);
  EVP_PKEY_free(key);
  return out;
}

}  // namespace opsync::test
