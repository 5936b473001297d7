#pragma once
// The metrics registry: every metric the process exposes, rendered in the Prometheus text
// exposition format (version 0.0.4) by render().
//
// Use it from one thread (the event loop): nothing here is synchronised.
//
//   metrics::Registry registry;
//   auto& pushes = registry.counter("opsync_pushes_total", "Pushes by connector and outcome.",
//                                   {"connector", "outcome"});
//   metrics::Counter& glia_ok = pushes.with({"glia", "ok"});  // once
//   glia_ok.inc();                                             // on the data path: no allocation
//
// Registration happens at start-up and throws std::invalid_argument on a bad or duplicate name.

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/family.h"
#include "metrics/metric.h"

namespace opsync::metrics {

class Registry {
 public:
  /// Fills a callback family's samples at scrape time.
  using Collect = std::function<void(SampleSink&)>;

  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  /// A counter family. The name must end in `_total`.
  Family<Counter>& counter(std::string_view name, std::string_view help,
                           std::vector<std::string> label_names = {});
  Family<Gauge>& gauge(std::string_view name, std::string_view help,
                       std::vector<std::string> label_names = {});
  /// A histogram family; `bounds` strictly increasing and finite (`+Inf` is added). The label
  /// name `le` is reserved.
  Family<Histogram>& histogram(std::string_view name, std::string_view help,
                               std::vector<double> bounds,
                               std::vector<std::string> label_names = {});

  /// A gauge family whose samples `collect` produces at each render() (outbox backlog per
  /// connector, consumer lag per partition). If `collect` throws, that family shows no samples
  /// for this scrape and `opsync_metrics_collect_errors_total{family=...}` goes up.
  void gauge_callback(std::string_view name, std::string_view help,
                      std::vector<std::string> label_names, Collect collect);
  /// A gauge with no labels whose value `read` returns at each render().
  void gauge_callback(std::string_view name, std::string_view help, std::function<double()> read);
  /// A counter family whose samples `collect` produces at each render() (for totals kept
  /// elsewhere, such as the ingest counts). The name must end in `_total`.
  void counter_callback(std::string_view name, std::string_view help,
                        std::vector<std::string> label_names, Collect collect);

  /// The exposition text: every family in registration order, each with `# HELP` and `# TYPE`,
  /// children in label-value order. Runs the callbacks.
  std::string render();

 private:
  void claim_names(std::string_view name, MetricType type,
                   const std::vector<std::string>& label_names);
  template <class F>
  F& add(std::unique_ptr<F> family);

  std::vector<std::unique_ptr<FamilyBase>> families_;
  std::vector<std::string> series_names_;
  Family<Counter>* collect_errors_ = nullptr;
};

}  // namespace opsync::metrics
