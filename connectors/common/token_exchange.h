#pragma once
// Bearer tokens obtained from the vendor's token endpoint (Glia:
// POST /operator_authentication/tokens {"api_key_id","api_key_secret"} -> {"token": ...}).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/auth.h"
#include "common/http_transport.h"

namespace opsync {

/// Caches one token and shares it between all callers:
/// - the first apply() fetches; later calls reuse the token until `lifetime - refresh_ahead`
///   after it was obtained, then fetch a fresh one (still using the old one if that fetch fails
///   and the old one has not expired);
/// - concurrent callers that need a token share one in-flight fetch;
/// - invalidate() (after a 401) drops the token so the next apply() fetches.
/// Must be used on the transport's event loop. The transport must outlive this object.
class TokenExchange final : public AuthProvider {
 public:
  struct Options {
    std::string path = "/operator_authentication/tokens";
    std::string api_key_id;
    std::string api_key_secret;
    /// Extra headers on the token call (Glia: Accept: application/vnd.salemove.v1+json).
    HttpHeaders headers;
    /// Assumed token lifetime; a shorter `expires_in` (seconds) in the answer wins.
    std::chrono::seconds lifetime{3600};
    /// How long before expiry a new token is fetched.
    std::chrono::seconds refresh_ahead{300};
    /// Deadline of the token call; nullopt: the transport's default.
    std::optional<std::chrono::milliseconds> timeout;
  };
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  /// Throws std::invalid_argument if the key id or secret is empty, or refresh_ahead is not
  /// shorter than lifetime.
  TokenExchange(
      HttpTransport& transport, Options options,
      Clock clock = [] { return std::chrono::steady_clock::now(); });
  ~TokenExchange() override;

  boost::asio::awaitable<AuthResult> apply(HttpRequest& request) override;
  void invalidate() override;

  /// Token requests sent so far (for metrics and tests).
  std::uint64_t fetches() const { return fetches_; }

 private:
  struct Fetch;
  boost::asio::awaitable<AuthResult> fetch();

  HttpTransport& transport_;
  Options options_;
  Clock clock_;
  std::optional<std::string> token_;
  std::chrono::steady_clock::time_point refresh_at_{};
  std::chrono::steady_clock::time_point expires_at_{};
  std::shared_ptr<Fetch> in_flight_;
  std::uint64_t fetches_ = 0;
};

}  // namespace opsync
