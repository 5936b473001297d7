#include "vendorsim/faults.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

namespace opsync::vendorsim {
namespace {

std::optional<double> number_of(const json::value& v) {
  if (v.is_double()) return v.as_double();
  if (auto i = json_int(v)) return static_cast<double>(*i);
  return std::nullopt;
}

// Whole numbers print as integers ("1", not Boost.JSON's "1E0").
json::value number_value(double d) {
  if (d == std::floor(d) && std::abs(d) < 1e15) return static_cast<std::int64_t>(d);
  return d;
}

}  // namespace

json::object to_json(const FaultConfig& c) {
  return {{"latency_ms", c.latency_ms},
          {"error_rate", number_value(c.error_rate)},
          {"error_status", c.error_status},
          {"rate_429", number_value(c.rate_429)},
          {"retry_after_s", c.retry_after_s},
          {"reset_rate", number_value(c.reset_rate)},
          {"hang_rate", number_value(c.hang_rate)},
          {"lost_answer_rate", number_value(c.lost_answer_rate)},
          {"rate_limit_per_s", number_value(c.rate_limit_per_s)},
          {"lost_answer_method", c.lost_answer_method}};
}

std::optional<FaultConfig> fault_config_from_json(const json::value& value, std::string& error) {
  if (!value.is_object()) {
    error = "fault configuration must be a JSON object";
    return std::nullopt;
  }
  FaultConfig c;
  for (const auto& [key, v] : value.as_object()) {
    auto number = number_of(v);
    auto fail = [&](std::string_view why) {
      error = "fault key '" + std::string(key) + "': " + std::string(why);
      return std::nullopt;
    };
    if (key == "lost_answer_method") {
      if (!v.is_string()) return fail("must be a method name (\"POST\") or \"\"");
      c.lost_answer_method = std::string(v.as_string());
      continue;
    }
    if (!number) return fail("must be a number");
    auto share = [&](double& out) {
      out = *number;
      return out >= 0 && out <= 1;
    };
    auto whole = [&](auto& out, double lo, double hi) {
      if (*number != std::floor(*number) || *number < lo || *number > hi) return false;
      out = static_cast<std::remove_reference_t<decltype(out)>>(*number);
      return true;
    };
    if (key == "latency_ms") {
      if (!whole(c.latency_ms, 0, 3'600'000)) return fail("must be an integer in [0, 3600000]");
    } else if (key == "error_status") {
      if (!whole(c.error_status, 500, 599)) return fail("must be an integer in [500, 599]");
    } else if (key == "retry_after_s") {
      if (!whole(c.retry_after_s, 0, 86'400)) return fail("must be an integer in [0, 86400]");
    } else if (key == "rate_limit_per_s") {
      c.rate_limit_per_s = *number;
      if (*number < 0) return fail("must be >= 0");
    } else if (key == "error_rate") {
      if (!share(c.error_rate)) return fail("must be in [0, 1]");
    } else if (key == "rate_429") {
      if (!share(c.rate_429)) return fail("must be in [0, 1]");
    } else if (key == "reset_rate") {
      if (!share(c.reset_rate)) return fail("must be in [0, 1]");
    } else if (key == "hang_rate") {
      if (!share(c.hang_rate)) return fail("must be in [0, 1]");
    } else if (key == "lost_answer_rate") {
      if (!share(c.lost_answer_rate)) return fail("must be in [0, 1]");
    } else {
      error = "unknown fault key '" + std::string(key) +
              "' (known: latency_ms, error_rate, error_status, rate_429, retry_after_s, "
              "reset_rate, hang_rate, lost_answer_rate, rate_limit_per_s, lost_answer_method)";
      return std::nullopt;
    }
  }
  if (c.error_rate + c.rate_429 + c.reset_rate + c.hang_rate + c.lost_answer_rate > 1.0 + 1e-9) {
    error = "error_rate + rate_429 + reset_rate + hang_rate + lost_answer_rate must not exceed 1";
    return std::nullopt;
  }
  return c;
}

std::string_view fault_name(FaultKind kind) {
  switch (kind) {
    case FaultKind::none:
      return "";
    case FaultKind::error_status:
      return "error";
    case FaultKind::too_many_requests:
      return "429";
    case FaultKind::rate_limited:
      return "rate_limit";
    case FaultKind::reset:
      return "reset";
    case FaultKind::hang:
      return "hang";
    case FaultKind::lost_answer:
      return "lost_answer";
  }
  return "";
}

FaultInjector::FaultInjector(FaultConfig config, std::uint64_t seed, Clock now)
    : rng_(seed), now_(std::move(now)) {
  configure(config);
}

void FaultInjector::configure(const FaultConfig& config) {
  config_ = config;
  tokens_ = std::max(1.0, config.rate_limit_per_s);
  refilled_at_ = now_();
}

FaultPlan FaultInjector::next() {
  FaultPlan plan;
  plan.delay = std::chrono::milliseconds(config_.latency_ms);

  if (config_.rate_limit_per_s > 0) {
    auto now = now_();
    double elapsed = std::chrono::duration<double>(now - refilled_at_).count();
    refilled_at_ = now;
    double capacity = std::max(1.0, config_.rate_limit_per_s);
    tokens_ = std::min(capacity, tokens_ + std::max(0.0, elapsed) * config_.rate_limit_per_s);
    if (tokens_ < 1.0) {
      plan.kind = FaultKind::rate_limited;
      plan.status = 429;
      plan.retry_after_s = static_cast<std::uint32_t>(
          std::max(1.0, std::ceil((1.0 - tokens_) / config_.rate_limit_per_s)));
      return plan;
    }
    tokens_ -= 1.0;
  }

  // One draw per request so the configured shares are exact and independent of each other.
  double draw = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  double band = config_.reset_rate;
  if (draw < band) {
    plan.kind = FaultKind::reset;
  } else if (draw < (band += config_.hang_rate)) {
    plan.kind = FaultKind::hang;
  } else if (draw < (band += config_.rate_429)) {
    plan.kind = FaultKind::too_many_requests;
    plan.status = 429;
    plan.retry_after_s = config_.retry_after_s;
  } else if (draw < (band += config_.error_rate)) {
    plan.kind = FaultKind::error_status;
    plan.status = config_.error_status;
  } else if (draw < (band += config_.lost_answer_rate)) {
    plan.kind = FaultKind::lost_answer;
  }
  return plan;
}

}  // namespace opsync::vendorsim
