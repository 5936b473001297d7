#include "metrics/registry.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "exposition_checker.h"
#include "metrics/exposition.h"

namespace opsync::metrics {
namespace {

using test::check_exposition;
using test::sample_value;

std::string checked(Registry& registry) {
  const std::string text = registry.render();
  const auto check = check_exposition(text);
  for (const auto& p : check.problems) ADD_FAILURE() << p << "\n" << text;
  return text;
}

bool contains(const std::string& text, std::string_view needle) {
  return text.find(needle) != std::string::npos;
}

TEST(Registry, RendersCountersAndGaugesWithHelpAndType) {
  Registry registry;
  auto& consumed = registry.counter("opsync_events_consumed_total", "Events read from Kafka.");
  auto& pushes = registry.counter("opsync_pushes_total", "Pushes by connector and outcome.",
                                  {"connector", "outcome"});
  auto& breaker =
      registry.gauge("opsync_breaker_state", "0 closed, 1 half-open, 2 open.", {"connector"});
  consumed.with({}).inc(3);
  pushes.with({"glia", "ok"}).inc();
  pushes.with({"glia", "ok"}).inc();
  pushes.with({"commpeak", "retry"}).inc();
  breaker.with({"glia"}).set(2);

  const std::string text = checked(registry);
  EXPECT_TRUE(contains(text,
                       "# HELP opsync_events_consumed_total Events read from Kafka.\n"
                       "# TYPE opsync_events_consumed_total counter\n"
                       "opsync_events_consumed_total 3\n"));
  EXPECT_TRUE(contains(text,
                       "# TYPE opsync_pushes_total counter\n"
                       "opsync_pushes_total{connector=\"commpeak\",outcome=\"retry\"} 1\n"
                       "opsync_pushes_total{connector=\"glia\",outcome=\"ok\"} 2\n"));
  EXPECT_TRUE(contains(text,
                       "# TYPE opsync_breaker_state gauge\n"
                       "opsync_breaker_state{connector=\"glia\"} 2\n"));
}

TEST(Registry, UnlabelledFamiliesShowZeroFromTheStart) {
  Registry registry;
  registry.counter("opsync_events_invalid_total", "Invalid events.");
  registry.gauge("opsync_up", "Up.");
  const auto check = check_exposition(registry.render());
  EXPECT_EQ(sample_value(check, "opsync_events_invalid_total"), 0);
  EXPECT_EQ(sample_value(check, "opsync_up"), 0);
}

TEST(Registry, WithReturnsTheSameChild) {
  Registry registry;
  auto& family = registry.counter("x_total", "x", {"a"});
  Counter& one = family.with({"1"});
  family.with({"2"}).inc();  // adding children keeps references valid
  EXPECT_EQ(&one, &family.with({"1"}));
  const std::vector<std::string> values{"1"};
  EXPECT_EQ(&one, &family.with(std::span<const std::string>(values)));
  one.inc(-5);  // ignored
  one.inc(std::nan(""));
  EXPECT_EQ(one.value(), 0);
}

TEST(Registry, EscapesLabelValuesAndHelp) {
  Registry registry;
  registry.gauge("g", "Back\\slash and\nnewline \"quoted\".", {"v"}).with({"a\\b\"c\nd"}).set(1);
  const std::string text = checked(registry);
  EXPECT_TRUE(contains(text, "# HELP g Back\\\\slash and\\nnewline \"quoted\".\n"));
  EXPECT_TRUE(contains(text, "g{v=\"a\\\\b\\\"c\\nd\"} 1\n"));
  // And the checker reads it back to the original value.
  const auto check = check_exposition(text);
  EXPECT_EQ(sample_value(check, "g", {{"v", "a\\b\"c\nd"}}), 1);
}

TEST(Registry, FormatsSpecialValues) {
  Registry registry;
  auto& g = registry.gauge("g", "g", {"k"});
  g.with({"inf"}).set(HUGE_VAL);
  g.with({"minf"}).set(-HUGE_VAL);
  g.with({"nan"}).set(std::nan(""));
  g.with({"small"}).set(0.000123);
  g.with({"big"}).set(1e21);
  g.with({"neg"}).set(-2.5);
  const std::string text = checked(registry);
  EXPECT_TRUE(contains(text, "g{k=\"inf\"} +Inf\n"));
  EXPECT_TRUE(contains(text, "g{k=\"minf\"} -Inf\n"));
  EXPECT_TRUE(contains(text, "g{k=\"nan\"} NaN\n"));
  EXPECT_TRUE(contains(text, "g{k=\"neg\"} -2.5\n"));
  const auto check = check_exposition(text);
  EXPECT_EQ(sample_value(check, "g", {{"k", "small"}}), 0.000123);
  EXPECT_EQ(sample_value(check, "g", {{"k", "big"}}), 1e21);
}

TEST(Registry, HistogramBucketsAreCumulativeAndInfEqualsCount) {
  Registry registry;
  auto& h = registry.histogram("opsync_push_duration_seconds", "Push latency.", {0.1, 0.5, 1},
                               {"connector"});
  auto& glia = h.with({"glia"});
  for (double v : {0.05, 0.1, 0.2, 0.7, 3.0, 0.5}) glia.observe(v);
  glia.observe(std::nan(""));  // ignored
  h.with({"iadvize"});         // an empty child still renders complete

  const std::string text = checked(registry);
  EXPECT_TRUE(contains(text,
                       "# TYPE opsync_push_duration_seconds histogram\n"
                       "opsync_push_duration_seconds_bucket{connector=\"glia\",le=\"0.1\"} 2\n"
                       "opsync_push_duration_seconds_bucket{connector=\"glia\",le=\"0.5\"} 4\n"
                       "opsync_push_duration_seconds_bucket{connector=\"glia\",le=\"1\"} 5\n"
                       "opsync_push_duration_seconds_bucket{connector=\"glia\",le=\"+Inf\"} 6\n"
                       "opsync_push_duration_seconds_sum{connector=\"glia\"} 4.55\n"
                       "opsync_push_duration_seconds_count{connector=\"glia\"} 6\n"));
  EXPECT_TRUE(contains(text,
                       "opsync_push_duration_seconds_bucket{connector=\"iadvize\",le=\"+Inf\"} 0\n"
                       "opsync_push_duration_seconds_sum{connector=\"iadvize\"} 0\n"
                       "opsync_push_duration_seconds_count{connector=\"iadvize\"} 0\n"));
  EXPECT_EQ(glia.count(), 6u);
}

TEST(Registry, DefaultAndExponentialBuckets) {
  const auto latency = latency_buckets_seconds();
  EXPECT_EQ(latency.front(), 0.005);
  EXPECT_EQ(latency.back(), 10);
  EXPECT_EQ(exponential_buckets(1, 2, 4), (std::vector<double>{1, 2, 4, 8}));
  EXPECT_THROW(exponential_buckets(0, 2, 4), std::invalid_argument);
  Registry registry;
  registry.histogram("h_seconds", "h", latency).with({}).observe(0.3);
  checked(registry);
}

TEST(Registry, CallbackGaugesAreReadAtScrapeTime) {
  Registry registry;
  int backlog = 4;
  registry.gauge_callback("opsync_outbox_backlog", "Pending pushes.", {"connector"},
                          [&](SampleSink& sink) {
                            sink.add({"glia"}, backlog);
                            sink.add({"plugchat"}, backlog * 2);
                          });
  registry.gauge_callback("opsync_roster_size", "Operators.", [] { return 42.0; });
  registry.counter_callback("opsync_events_applied_total", "Applied.", {},
                            [&](SampleSink& sink) { sink.add({}, 7); });

  auto check = check_exposition(registry.render());
  EXPECT_TRUE(check.problems.empty());
  EXPECT_EQ(sample_value(check, "opsync_outbox_backlog", {{"connector", "glia"}}), 4);
  EXPECT_EQ(sample_value(check, "opsync_roster_size"), 42);
  EXPECT_EQ(sample_value(check, "opsync_events_applied_total"), 7);
  backlog = 9;
  check = check_exposition(registry.render());
  EXPECT_EQ(sample_value(check, "opsync_outbox_backlog", {{"connector", "plugchat"}}), 18);
}

TEST(Registry, AFailingCallbackDropsOnlyItsFamilyAndIsCounted) {
  Registry registry;
  registry.gauge("before", "b").with({}).set(1);
  registry.gauge_callback("opsync_consumer_lag", "Lag.", {"partition"}, [](SampleSink& sink) {
    sink.add({"0"}, 5);
    throw std::runtime_error("store closed");
  });
  registry.gauge_callback("wrong_arity", "w", {"a", "b"},
                          [](SampleSink& sink) { sink.add({"only-one"}, 1); });
  const std::string text = checked(registry);
  const auto check = check_exposition(text);
  EXPECT_FALSE(contains(text, "opsync_consumer_lag{"));
  EXPECT_EQ(sample_value(check, "before"), 1);
  EXPECT_EQ(sample_value(check, "opsync_metrics_collect_errors_total",
                         {{"family", "opsync_consumer_lag"}}),
            1);
  EXPECT_EQ(sample_value(check, "opsync_metrics_collect_errors_total", {{"family", "wrong_arity"}}),
            1);
}

TEST(Registry, RejectsBadRegistrations) {
  Registry registry;
  registry.counter("a_total", "a");
  EXPECT_THROW(registry.counter("a_total", "again"), std::invalid_argument);
  EXPECT_THROW(registry.gauge("a_total", "clash"), std::invalid_argument);
  EXPECT_THROW(registry.counter("no_suffix", "c"), std::invalid_argument);
  EXPECT_THROW(registry.gauge("1abc", "g"), std::invalid_argument);
  EXPECT_THROW(registry.gauge("a-b", "g"), std::invalid_argument);
  EXPECT_THROW(registry.gauge("g", "g", {"__reserved"}), std::invalid_argument);
  EXPECT_THROW(registry.gauge("g2", "g", {"x", "x"}), std::invalid_argument);
  EXPECT_THROW(registry.gauge("g3", "g", {"bad-label"}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("h", "h", {1, 1}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("h", "h", {2, 1}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("h", "h", {1, HUGE_VAL}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("h", "h", {1}, {"le"}), std::invalid_argument);
  registry.gauge("lat_count", "g");
  EXPECT_THROW(registry.histogram("lat", "h", {1}), std::invalid_argument);  // lat_count taken
  auto& family = registry.counter("b_total", "b", {"x", "y"});
  EXPECT_THROW(family.with({"only-one"}), std::invalid_argument);
  checked(registry);
}

TEST(Exposition, NameRules) {
  EXPECT_TRUE(valid_metric_name("opsync:push_duration_seconds"));
  EXPECT_FALSE(valid_metric_name(""));
  EXPECT_FALSE(valid_metric_name("9x"));
  EXPECT_TRUE(valid_label_name("_x9"));
  EXPECT_FALSE(valid_label_name("a:b"));
  EXPECT_FALSE(valid_label_name("__name__"));
}

}  // namespace
}  // namespace opsync::metrics
