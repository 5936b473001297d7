#pragma once
// A connector for the benchmarks: maps a few canonical attributes to plain JSON fields and sends
// each push as one POST to the ReceiptServer (`/<name>/operators/<operator id>`), through the
// project's HttpClient. It stands in for a vendor connector so that a benchmark measures the
// delivery engine (outbox, lanes, rate limiter, HTTP client) rather than one vendor's mapping.

#include <memory>
#include <string>
#include <vector>

#include "common/http_client.h"
#include "framework/connector.h"

namespace opsync::bench {

class BenchConnector final : public Connector {
 public:
  /// `base_url`: "http://127.0.0.1:<port>"; requests go to `<base_url>/<name>/operators/<id>`.
  BenchConnector(boost::asio::io_context& io, std::string name, const std::string& base_url,
                 DeliveryLimits limits);
  ~BenchConnector() override;

  const std::string& name() const override { return name_; }
  std::string_view type() const override { return "bench"; }
  /// {"name": display_name, "email", "active", "max_chats": max_concurrent_chats, "teams"}.
  MapResult map(const CanonicalOperator& op) const override;
  /// `name` carries the benchmark's event sequence number, so it goes out on every call.
  const std::vector<std::string>& required_fields() const override { return required_; }
  DeliveryLimits limits() const override { return limits_; }
  boost::asio::awaitable<PushResult> push(PushContext context) override;

  const HttpClient& client() const { return *client_; }

 private:
  std::string name_;
  DeliveryLimits limits_;
  std::vector<std::string> required_{"name"};
  std::unique_ptr<HttpClient> client_;
};

}  // namespace opsync::bench
