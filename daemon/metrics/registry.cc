#include "metrics/registry.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "metrics/exposition.h"

namespace opsync::metrics {

namespace detail {

void append_sample(std::string& out, std::string_view name,
                   std::span<const std::string> label_names,
                   std::span<const std::string> label_values, double value,
                   std::string_view extra_name, std::string_view extra_value) {
  out += name;
  if (!label_names.empty() || !extra_name.empty()) {
    out += '{';
    bool first = true;
    auto label = [&](std::string_view n, std::string_view v) {
      if (!first) out += ',';
      first = false;
      out += n;
      out += "=\"";
      append_label_value(out, v);
      out += '"';
    };
    for (std::size_t i = 0; i < label_names.size(); ++i) label(label_names[i], label_values[i]);
    if (!extra_name.empty()) label(extra_name, extra_value);
    out += '}';
  }
  out += ' ';
  append_value(out, value);
  out += '\n';
}

void render_child(std::string& out, const FamilyBase& family,
                  std::span<const std::string> label_values, const Counter& metric) {
  append_sample(out, family.name(), family.label_names(), label_values, metric.value());
}

void render_child(std::string& out, const FamilyBase& family,
                  std::span<const std::string> label_values, const Gauge& metric) {
  append_sample(out, family.name(), family.label_names(), label_values, metric.value());
}

void render_child(std::string& out, const FamilyBase& family,
                  std::span<const std::string> label_values, const Histogram& metric) {
  const std::string bucket = family.name() + "_bucket";
  const auto bounds = metric.bounds();
  const auto counts = metric.bucket_counts();
  std::uint64_t cumulative = 0;
  std::string le;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    cumulative += counts[i];
    le.clear();
    if (i < bounds.size()) {
      append_value(le, bounds[i]);
    } else {
      le = "+Inf";
    }
    append_sample(out, bucket, family.label_names(), label_values, static_cast<double>(cumulative),
                  "le", le);
  }
  append_sample(out, family.name() + "_sum", family.label_names(), label_values, metric.sum());
  append_sample(out, family.name() + "_count", family.label_names(), label_values,
                static_cast<double>(metric.count()));
}

void throw_label_count(const std::string& family, std::size_t expected, std::size_t given) {
  throw std::invalid_argument("metric " + family + " takes " + std::to_string(expected) +
                              " label values, given " + std::to_string(given));
}

}  // namespace detail

namespace {

std::string_view type_name(MetricType type) {
  switch (type) {
    case MetricType::counter:
      return "counter";
    case MetricType::gauge:
      return "gauge";
    case MetricType::histogram:
      return "histogram";
  }
  return "untyped";
}

/// Writes a callback family's samples into a buffer.
class BufferSink final : public SampleSink {
 public:
  BufferSink(const FamilyBase& family, std::string& out) : family_(family), out_(out) {}

  void add(std::initializer_list<std::string_view> label_values, double value) override {
    add(std::span<const std::string_view>(label_values.begin(), label_values.size()), value);
  }
  void add(std::span<const std::string_view> label_values, double value) override {
    if (label_values.size() != family_.label_names().size()) {
      detail::throw_label_count(family_.name(), family_.label_names().size(), label_values.size());
    }
    values_.assign(label_values.begin(), label_values.end());
    detail::append_sample(out_, family_.name(), family_.label_names(), values_, value);
  }

 private:
  const FamilyBase& family_;
  std::string& out_;
  std::vector<std::string> values_;
};

class CallbackFamily final : public FamilyBase {
 public:
  CallbackFamily(std::string name, std::string help, MetricType type,
                 std::vector<std::string> label_names, Registry::Collect collect)
      : FamilyBase(std::move(name), std::move(help), type, std::move(label_names)),
        collect_(std::move(collect)) {}

  void render_samples(std::string& out) const override {
    BufferSink sink(*this, out);
    collect_(sink);
  }

 private:
  Registry::Collect collect_;
};

void append_header(std::string& out, const FamilyBase& family) {
  out += "# HELP ";
  out += family.name();
  out += ' ';
  append_help_text(out, family.help());
  out += "\n# TYPE ";
  out += family.name();
  out += ' ';
  out += type_name(family.type());
  out += '\n';
}

}  // namespace

Registry::Registry() {
  collect_errors_ = &counter("opsync_metrics_collect_errors_total",
                             "Scrapes in which a metric's collect callback failed (that metric "
                             "showed no samples).",
                             {"family"});
}

Registry::~Registry() = default;

void Registry::claim_names(std::string_view name, MetricType type,
                           const std::vector<std::string>& label_names) {
  const std::string n(name);
  if (!valid_metric_name(name)) throw std::invalid_argument("invalid metric name: " + n);
  if (type == MetricType::counter && !name.ends_with("_total")) {
    throw std::invalid_argument("counter name must end in _total: " + n);
  }
  for (std::size_t i = 0; i < label_names.size(); ++i) {
    const auto& label = label_names[i];
    if (!valid_label_name(label)) {
      throw std::invalid_argument("metric " + n + ": invalid label name: " + label);
    }
    if (type == MetricType::histogram && label == "le") {
      throw std::invalid_argument("metric " + n + ": the label name le is reserved");
    }
    if (std::find(label_names.begin(), label_names.begin() + static_cast<std::ptrdiff_t>(i),
                  label) != label_names.begin() + static_cast<std::ptrdiff_t>(i)) {
      throw std::invalid_argument("metric " + n + ": duplicate label name: " + label);
    }
  }
  // Every series name a family writes must be unique across the registry.
  std::vector<std::string> wanted{n};
  if (type == MetricType::histogram) {
    wanted = {n + "_bucket", n + "_sum", n + "_count", n};
  }
  for (const auto& w : wanted) {
    if (std::find(series_names_.begin(), series_names_.end(), w) != series_names_.end()) {
      throw std::invalid_argument("metric name already registered: " + w);
    }
  }
  series_names_.insert(series_names_.end(), wanted.begin(), wanted.end());
}

template <class F>
F& Registry::add(std::unique_ptr<F> family) {
  F& ref = *family;
  families_.push_back(std::move(family));
  return ref;
}

Family<Counter>& Registry::counter(std::string_view name, std::string_view help,
                                   std::vector<std::string> label_names) {
  claim_names(name, MetricType::counter, label_names);
  return add(std::make_unique<Family<Counter>>(std::string(name), std::string(help),
                                               MetricType::counter, std::move(label_names),
                                               Counter::Options{}));
}

Family<Gauge>& Registry::gauge(std::string_view name, std::string_view help,
                               std::vector<std::string> label_names) {
  claim_names(name, MetricType::gauge, label_names);
  return add(std::make_unique<Family<Gauge>>(std::string(name), std::string(help),
                                             MetricType::gauge, std::move(label_names),
                                             Gauge::Options{}));
}

Family<Histogram>& Registry::histogram(std::string_view name, std::string_view help,
                                       std::vector<double> bounds,
                                       std::vector<std::string> label_names) {
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && !(bounds[i - 1] < bounds[i]))) {
      throw std::invalid_argument("histogram " + std::string(name) +
                                  ": bucket bounds must be finite and strictly increasing");
    }
  }
  claim_names(name, MetricType::histogram, label_names);
  Histogram::Options options{std::make_shared<const std::vector<double>>(std::move(bounds))};
  return add(std::make_unique<Family<Histogram>>(std::string(name), std::string(help),
                                                 MetricType::histogram, std::move(label_names),
                                                 std::move(options)));
}

void Registry::gauge_callback(std::string_view name, std::string_view help,
                              std::vector<std::string> label_names, Collect collect) {
  claim_names(name, MetricType::gauge, label_names);
  add(std::make_unique<CallbackFamily>(std::string(name), std::string(help), MetricType::gauge,
                                       std::move(label_names), std::move(collect)));
}

void Registry::gauge_callback(std::string_view name, std::string_view help,
                              std::function<double()> read) {
  gauge_callback(name, help, {},
                 [read = std::move(read)](SampleSink& sink) { sink.add({}, read()); });
}

void Registry::counter_callback(std::string_view name, std::string_view help,
                                std::vector<std::string> label_names, Collect collect) {
  claim_names(name, MetricType::counter, label_names);
  add(std::make_unique<CallbackFamily>(std::string(name), std::string(help), MetricType::counter,
                                       std::move(label_names), std::move(collect)));
}

std::string Registry::render() {
  std::string out;
  std::string samples;
  for (const auto& family : families_) {
    if (family.get() == collect_errors_) continue;  // last, so this scrape's failures show
    append_header(out, *family);
    samples.clear();
    try {
      family->render_samples(samples);
    } catch (const std::exception&) {
      samples.clear();  // half a family would be worse than none
      collect_errors_->with({family->name()}).inc();
    }
    out += samples;
  }
  append_header(out, *collect_errors_);
  collect_errors_->render_samples(out);
  return out;
}

}  // namespace opsync::metrics
