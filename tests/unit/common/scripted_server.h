#pragma once
// A tiny HTTP/1.1 server for client tests: binds 127.0.0.1 port 0 on the test's io_context,
// answers each request as a script says, and counts connections and requests.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "common/http_message.h"

namespace opsync::test {

struct ReceivedRequest {
  std::string method;
  std::string target;
  HttpHeaders headers;
  std::string body;
  std::size_t connection = 0;  ///< 0-based index of the accepted connection
  std::size_t sequence = 0;    ///< 0-based index of the request on that connection
};

struct ScriptedResponse {
  enum class Action {
    respond,                 ///< send the response, keep the connection open
    respond_then_close,      ///< send it without "Connection: close", then close anyway
    close_without_response,  ///< read the request, close before any response byte
    hang,                    ///< never answer (until stop())
  };
  Action action = Action::respond;
  unsigned status = 200;
  HttpHeaders headers;
  std::string body;
  bool connection_close = false;  ///< send "Connection: close" and close after the response
  std::chrono::milliseconds delay{0};
};

/// Destroy it only after the io_context has stopped running its coroutines.
class ScriptedServer {
 public:
  using Script = std::function<ScriptedResponse(const ReceivedRequest&)>;

  /// `tls`: serve HTTPS with this context (certificate and key loaded); null for plain HTTP.
  ScriptedServer(boost::asio::io_context& io, Script script,
                 boost::asio::ssl::context* tls = nullptr);
  ~ScriptedServer();

  unsigned short port() const { return port_; }
  /// "http://127.0.0.1:<port>" (or https).
  std::string base_url(std::string_view host = "127.0.0.1") const;

  /// Closes the listener and every connection, and releases hung requests.
  void stop();

  std::size_t connections() const { return connections_; }
  std::size_t requests() const { return received.size(); }
  std::size_t max_concurrent_requests() const { return max_in_flight_; }
  std::size_t open_connections() const { return sessions_.size(); }

  std::vector<ReceivedRequest> received;
  /// The SNI host name of the last TLS handshake ("" if none was sent).
  std::string last_sni;

 private:
  struct Session;
  boost::asio::awaitable<void> accept_loop();
  template <class Stream>
  boost::asio::awaitable<void> serve(std::shared_ptr<Session> session, Stream& stream);
  boost::asio::awaitable<void> run_session(std::shared_ptr<Session> session);

  boost::asio::io_context& io_;
  Script script_;
  boost::asio::ssl::context* tls_;
  boost::asio::ip::tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::list<std::shared_ptr<Session>> sessions_;
  std::size_t connections_ = 0;
  std::size_t in_flight_ = 0;
  std::size_t max_in_flight_ = 0;
  bool stopped_ = false;
};

/// A self-signed certificate (also its own CA) and its key, in PEM, for TLS tests.
struct TestCertificate {
  std::string certificate_pem;
  std::string private_key_pem;
};
/// `subject_alt_names` in OpenSSL syntax, e.g. "DNS:localhost,IP:127.0.0.1".
TestCertificate make_self_signed_certificate(const std::string& subject_alt_names);

}  // namespace opsync::test
