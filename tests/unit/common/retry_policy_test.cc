#include "common/retry_policy.h"

#include <gtest/gtest.h>

#include <boost/asio/error.hpp>
#include <set>

#include "common/http_date.h"

namespace opsync {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using std::chrono::system_clock;

// 2026-11-22T10:15:00Z
const system_clock::time_point kNow = system_clock::time_point(1'795'342'500s);

// What the connector framework passes on as PushResult::retry_after for `result`.
std::optional<milliseconds> asked(const BackoffConfig& config, const HttpResult& result) {
  return server_requested_delay(config, result.status, result.headers, kNow);
}

TEST(Classify, StatusTable) {
  struct Row {
    unsigned status;
    Outcome expected;
  };
  const Row rows[] = {
      {200, Outcome::ok},        {201, Outcome::ok},        {204, Outcome::ok},
      {299, Outcome::ok},        {100, Outcome::permanent}, {301, Outcome::permanent},
      {304, Outcome::permanent}, {400, Outcome::permanent}, {401, Outcome::reauth},
      {403, Outcome::permanent}, {404, Outcome::permanent}, {405, Outcome::permanent},
      {408, Outcome::retry},     {409, Outcome::permanent}, {415, Outcome::permanent},
      {422, Outcome::permanent}, {425, Outcome::retry},     {429, Outcome::retry},
      {451, Outcome::permanent}, {499, Outcome::permanent}, {500, Outcome::retry},
      {502, Outcome::retry},     {503, Outcome::retry},     {504, Outcome::retry},
      {599, Outcome::retry},     {600, Outcome::permanent},
  };
  for (const auto& row : rows) {
    EXPECT_EQ(classify_status(row.status), row.expected) << row.status;
    EXPECT_EQ(classify(boost::system::error_code{}, row.status), row.expected) << row.status;
  }
}

TEST(Classify, UnauthorizedReauthenticatesOnce) {
  EXPECT_EQ(classify_status(401, false), Outcome::reauth);
  EXPECT_EQ(classify_status(401, true), Outcome::permanent);
  // The flag changes nothing else.
  EXPECT_EQ(classify_status(503, true), Outcome::retry);
  EXPECT_EQ(classify_status(403, true), Outcome::permanent);
}

TEST(Classify, TransportErrorsRetry) {
  EXPECT_EQ(classify(boost::asio::error::connection_refused, 0), Outcome::retry);
  EXPECT_EQ(classify(boost::asio::error::connection_reset, 0), Outcome::retry);
  EXPECT_EQ(classify(boost::asio::error::timed_out, 0), Outcome::retry);
  EXPECT_EQ(classify(make_error_code(HttpError::timeout), 0), Outcome::retry);
  EXPECT_EQ(classify(make_error_code(HttpError::shut_down), 0), Outcome::retry);
  EXPECT_EQ(classify(boost::system::error_code{}, 0), Outcome::retry);  // no response at all
  // The same request would fail the same way.
  EXPECT_EQ(classify(make_error_code(HttpError::response_too_large), 0), Outcome::permanent);
  EXPECT_EQ(classify(make_error_code(HttpError::invalid_request), 0), Outcome::permanent);

  HttpResult result;
  result.status = 429;
  EXPECT_EQ(classify(result), Outcome::retry);
  result.error = boost::asio::error::eof;
  EXPECT_EQ(classify(result), Outcome::retry);
}

TEST(Backoff, CeilingGrowsThenCaps) {
  const BackoffConfig config{.base = 100ms, .cap = 5'000ms, .max_delay = 60'000ms};
  EXPECT_EQ(backoff_ceiling(config, 0), 100ms);
  EXPECT_EQ(backoff_ceiling(config, 1), 200ms);
  EXPECT_EQ(backoff_ceiling(config, 5), 3'200ms);
  EXPECT_EQ(backoff_ceiling(config, 6), 5'000ms);
  EXPECT_EQ(backoff_ceiling(config, 63), 5'000ms);
  EXPECT_EQ(backoff_ceiling(config, 64), 5'000ms);
  EXPECT_EQ(backoff_ceiling(config, 1'000'000), 5'000ms);
}

TEST(Backoff, FullJitterWithinBoundsAndSpread) {
  const BackoffConfig config{.base = 100ms, .cap = 5'000ms, .max_delay = 60'000ms};
  std::mt19937_64 rng(12345);
  for (unsigned attempt = 0; attempt < 40; ++attempt) {
    const milliseconds ceiling = backoff_ceiling(config, attempt);
    ASSERT_EQ(ceiling,
              std::min(config.cap, milliseconds(attempt < 20 ? 100LL << attempt : 1LL << 62)));
    std::set<std::int64_t> distinct;
    std::int64_t below_half = 0;
    constexpr int kSamples = 2'000;
    for (int i = 0; i < kSamples; ++i) {
      const milliseconds d = backoff_delay(config, attempt, rng);
      ASSERT_GE(d, 0ms);
      ASSERT_LE(d, ceiling);
      ASSERT_LE(d, config.cap);
      distinct.insert(d.count());
      if (d * 2 < ceiling) ++below_half;
    }
    // Not degenerate: many distinct values, roughly half of them in the lower half.
    EXPECT_GT(distinct.size(), 50u) << attempt;
    EXPECT_GT(below_half, kSamples * 4 / 10) << attempt;
    EXPECT_LT(below_half, kSamples * 6 / 10) << attempt;
  }
}

TEST(Backoff, MaxDelayBoundsEverything) {
  const BackoffConfig config{.base = 1'000ms, .cap = 100'000ms, .max_delay = 3'000ms};
  std::mt19937_64 rng(7);
  for (int i = 0; i < 1'000; ++i) EXPECT_LE(backoff_delay(config, 10, rng), 3'000ms);

  HttpResult result;
  result.status = 503;
  result.headers = {{"Retry-After", "86400"}};
  EXPECT_EQ(retry_delay(config, 0, asked(config, result), rng), 3'000ms);
}

TEST(Backoff, SameSeedSameSequence) {
  const BackoffConfig config;
  std::mt19937_64 a(99), b(99);
  for (unsigned i = 0; i < 20; ++i)
    EXPECT_EQ(backoff_delay(config, i, a), backoff_delay(config, i, b));
}

TEST(RetryAfter, DeltaSeconds) {
  EXPECT_EQ(retry_after_delay({{"Retry-After", "120"}}, kNow), 120'000ms);
  EXPECT_EQ(retry_after_delay({{"retry-after", " 0 "}}, kNow), 0ms);
  EXPECT_EQ(retry_after_delay({{"RETRY-AFTER", "5"}}, kNow), 5'000ms);
  EXPECT_EQ(retry_after_delay({}, kNow), std::nullopt);
  EXPECT_EQ(retry_after_delay({{"Retry-After", "-5"}}, kNow), std::nullopt);
  EXPECT_EQ(retry_after_delay({{"Retry-After", "1.5"}}, kNow), std::nullopt);
  EXPECT_EQ(retry_after_delay({{"Retry-After", "soon"}}, kNow), std::nullopt);
  // Absurd values saturate instead of overflowing.
  const auto huge = retry_after_delay({{"Retry-After", "99999999999999999999999"}}, kNow);
  ASSERT_TRUE(huge);
  EXPECT_GT(*huge, 0ms);
}

TEST(RetryAfter, HttpDate) {
  const std::string later = format_http_date(kNow + 90s);
  EXPECT_EQ(retry_after_delay({{"Retry-After", later}}, kNow), 90'000ms);
  // A sub-second wall clock rounds the wait up, never down.
  EXPECT_EQ(retry_after_delay({{"Retry-After", later}}, kNow + 250ms), 89'750ms);
  // A date in the past means "now".
  EXPECT_EQ(retry_after_delay({{"Retry-After", format_http_date(kNow - 10s)}}, kNow), 0ms);
  EXPECT_EQ(retry_after_delay({{"Retry-After", "Sun, 22 Nov 2026 10:16:00 GMT"}}, kNow), 60'000ms);
  // The obsolete forms a recipient must accept.
  EXPECT_EQ(retry_after_delay({{"Retry-After", "Sunday, 22-Nov-26 10:16:00 GMT"}}, kNow), 60'000ms);
  EXPECT_EQ(retry_after_delay({{"Retry-After", "Sun Nov 22 10:16:00 2026"}}, kNow), 60'000ms);
}

TEST(RateLimitHeaders, RemainingZeroWithDeltaReset) {
  EXPECT_EQ(rate_limit_reset_delay(
                200, {{"X-RateLimit-Remaining", "0"}, {"X-RateLimit-Reset", "30"}}, kNow),
            30'000ms);
  EXPECT_EQ(rate_limit_reset_delay(
                200, {{"x-rate-limit-remaining", "0"}, {"x-rate-limit-reset", "7"}}, kNow),
            7'000ms);
}

TEST(RateLimitHeaders, EpochReset) {
  const auto epoch =
      std::chrono::duration_cast<std::chrono::seconds>((kNow + 45s).time_since_epoch()).count();
  EXPECT_EQ(rate_limit_reset_delay(
                200, {{"X-RateLimit-Remaining", "0"}, {"X-RateLimit-Reset", std::to_string(epoch)}},
                kNow),
            45'000ms);
  // An epoch already past: go now.
  EXPECT_EQ(rate_limit_reset_delay(429, {{"x-rate-limit-reset", "1000000000"}}, kNow), 0ms);
}

TEST(RateLimitHeaders, ResetIgnoredWhileQuotaRemains) {
  EXPECT_EQ(rate_limit_reset_delay(
                200, {{"X-RateLimit-Remaining", "12"}, {"X-RateLimit-Reset", "30"}}, kNow),
            std::nullopt);
  EXPECT_EQ(rate_limit_reset_delay(200, {{"X-RateLimit-Reset", "30"}}, kNow), std::nullopt);
  // Exhausted but no reset: nothing specific to honour (backoff applies).
  EXPECT_EQ(rate_limit_reset_delay(200, {{"X-RateLimit-Remaining", "0"}}, kNow), std::nullopt);
  // A 429 is exhaustion even without Remaining.
  EXPECT_EQ(rate_limit_reset_delay(429, {{"X-RateLimit-Reset", "30"}}, kNow), 30'000ms);
}

TEST(RetryDelay, ServerHintsPushTheNextAttemptOut) {
  const BackoffConfig config{.base = 100ms, .cap = 1'000ms, .max_delay = 600'000ms};
  std::mt19937_64 rng(1);
  HttpResult result;
  result.status = 429;
  result.headers = {{"Retry-After", "20"}};
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(retry_delay(config, 3, asked(config, result), rng), 20'000ms);

  // The longer of Retry-After and the rate-limit reset wins.
  result.headers = {
      {"Retry-After", "20"}, {"X-RateLimit-Remaining", "0"}, {"X-RateLimit-Reset", "40"}};
  EXPECT_EQ(retry_delay(config, 0, asked(config, result), rng), 40'000ms);
  EXPECT_EQ(server_requested_delay(config, 200, result.headers, kNow), 40'000ms);

  // Without hints, the jittered backoff.
  result.headers.clear();
  for (int i = 0; i < 100; ++i)
    EXPECT_LE(retry_delay(config, 2, asked(config, result), rng), 400ms);

  // A hint shorter than the backoff does not shorten it.
  result.headers = {{"Retry-After", "0"}};
  const BackoffConfig slow{.base = 10'000ms, .cap = 10'000ms, .max_delay = 600'000ms};
  std::int64_t total = 0;
  for (int i = 0; i < 100; ++i) total += retry_delay(slow, 0, asked(slow, result), rng).count();
  EXPECT_GT(total, 0);
}

}  // namespace
}  // namespace opsync
