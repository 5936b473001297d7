#pragma once
// Drives one Connector::push against a scripted transport whose answers come from the fuzz input,
// so that every parser of a vendor's answer (token, id lookup, list pages, create, error bodies,
// pacing headers) sees arbitrary bytes. A push must end with a PushResult: no exception, no
// crash, no hang, no sanitizer report. (A failed push with an empty message is allowed: the
// framework's push_result_from_http gives one for a non-2xx answer with an empty body.)
//
// Input: byte 0 = scenario flags (below), then a script of responses (fuzz_input.h), answered in
// order; once the script runs out every request fails with a connection error.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/http_transport.h"
#include "framework/connector.h"
#include "fuzz_input.h"

namespace opsync::fuzz {

constexpr std::uint8_t kKnownVendorId = 0x01;  // the push carries a vendor id
constexpr std::uint8_t kDeleted = 0x02;        // the operator was deleted
constexpr std::uint8_t kCreateMissing = 0x04;  // settings: create_missing
constexpr std::uint8_t kHardDelete = 0x08;     // settings: delete_policy delete
constexpr std::uint8_t kOddVendorId = 0x10;    // the vendor id is not a plain id
constexpr std::uint8_t kRetryAttempt = 0x20;   // attempt 3 rather than 0

constexpr std::size_t kMaxResponses = 64;
constexpr std::size_t kMaxRequests = 4096;  // beyond this a connector is looping

class ScriptedTransport final : public HttpTransport {
 public:
  explicit ScriptedTransport(std::vector<Response> script) : script_(std::move(script)) {}

  boost::asio::awaitable<HttpResult> request(HttpRequest) override {
    if (++requests_ > kMaxRequests) {
      std::fprintf(stderr, "connector made more than %zu requests for one push\n", kMaxRequests);
      std::abort();
    }
    HttpResult r;
    if (next_ >= script_.size() || script_[next_].status == 0) {
      r.error = boost::asio::error::connection_refused;
      ++next_;
      co_return r;
    }
    const Response& answer = script_[next_++];
    r.status = answer.status;
    r.headers = answer.headers;
    r.body = answer.body;
    co_return r;
  }

 private:
  std::vector<Response> script_;
  std::size_t next_ = 0;
  std::size_t requests_ = 0;
};

struct Scenario {
  std::uint8_t flags = 0;
  std::vector<Response> script;
};

inline Scenario parse_scenario(const std::uint8_t* data, std::size_t size) {
  Scenario s;
  if (size == 0) return s;
  s.flags = data[0];
  s.script = parse_script(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1),
                          kMaxResponses);
  return s;
}

/// A canonical operator with every attribute the connectors map.
inline CanonicalOperator sample_operator(bool deleted) {
  CanonicalOperator op;
  op.id = "emp-42";
  op.deleted = deleted;
  op.attributes = boost::json::parse(R"({"given_name": "Jane", "family_name": "Doe",
      "display_name": "Jane Doe", "email": "Jane.Doe@example.com", "phone": "+15551234567",
      "phone_extension": "12", "sip_uri": "sip:jane@pbx.example.com", "active": true,
      "role": "operator", "teams": ["support"], "languages": ["en", "pt"], "locale": "en-US",
      "timezone": "Europe/Lisbon", "max_concurrent_chats": 2,
      "channels": {"chat": true, "voice": true, "video": false}})")
                      .as_object();
  return op;
}

/// One push the way the dispatcher builds it (map, empty shadow), run to completion.
inline void run_push(Connector& connector, std::uint8_t flags) {
  const CanonicalOperator op = sample_operator((flags & kDeleted) != 0);
  PushContext ctx;
  ctx.operator_id = op.id;
  ctx.deleted = op.deleted;
  ctx.attempt = (flags & kRetryAttempt) ? 3 : 0;
  if (flags & kKnownVendorId) ctx.vendor_id = (flags & kOddVendorId) ? "../a b?c=1" : "4242";
  if (!(op.deleted && connector.delete_policy() == DeletePolicy::remove)) {
    const MapResult m = connector.map(op);
    if (!m.ok()) return;  // the sample does not fit these settings: nothing to push
    ctx.desired = m.fields;
    ctx.changed = m.fields;
  }
  boost::asio::io_context io;
  bool done = false;
  boost::asio::co_spawn(io, connector.push(std::move(ctx)),
                        [&](std::exception_ptr error, const PushResult&) {
                          if (error) {
                            try {
                              std::rethrow_exception(error);
                            } catch (const std::exception& e) {
                              std::fprintf(stderr, "push threw: %s\n", e.what());
                            } catch (...) {
                              std::fprintf(stderr, "push threw a non-std exception\n");
                            }
                            std::abort();
                          }
                          done = true;
                        });
  io.run();
  if (!done) {
    std::fprintf(stderr, "push did not complete\n");
    std::abort();
  }
}

}  // namespace opsync::fuzz
