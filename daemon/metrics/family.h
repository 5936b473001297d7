#pragma once
// A metric family: one name, one help text, fixed label names, and one child metric per set of
// label values.

#include <algorithm>
#include <initializer_list>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "metrics/metric.h"

namespace opsync::metrics {

enum class MetricType { counter, gauge, histogram };

/// What the registry renders. Not for callers to implement.
class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, MetricType type,
             std::vector<std::string> label_names)
      : name_(std::move(name)),
        help_(std::move(help)),
        type_(type),
        label_names_(std::move(label_names)) {}
  virtual ~FamilyBase() = default;
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  MetricType type() const { return type_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

  /// Appends the sample lines (not HELP and TYPE). May throw (a callback family's callback).
  virtual void render_samples(std::string& out) const = 0;

 private:
  std::string name_;
  std::string help_;
  MetricType type_;
  std::vector<std::string> label_names_;
};

namespace detail {

/// Orders label value lists; transparent so a lookup by string_views does not allocate.
struct LabelValuesLess {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    return std::lexicographical_compare(
        a.begin(), a.end(), b.begin(), b.end(),
        [](std::string_view x, std::string_view y) { return x < y; });
  }
};

/// Appends `name{l1="v1",...,extra_name="extra_value"} value\n` (braces only if there are labels).
void append_sample(std::string& out, std::string_view name,
                   std::span<const std::string> label_names,
                   std::span<const std::string> label_values, double value,
                   std::string_view extra_name = {}, std::string_view extra_value = {});

void render_child(std::string& out, const FamilyBase& family,
                  std::span<const std::string> label_values, const Counter& metric);
void render_child(std::string& out, const FamilyBase& family,
                  std::span<const std::string> label_values, const Gauge& metric);
void render_child(std::string& out, const FamilyBase& family,
                  std::span<const std::string> label_values, const Histogram& metric);

[[noreturn]] void throw_label_count(const std::string& family, std::size_t expected,
                                    std::size_t given);

}  // namespace detail

/// A family of Counter, Gauge or Histogram children, created by the Registry.
///
/// with() returns a reference that stays valid as long as the registry: look it up once, keep it,
/// and update it with no allocation and no lookup. Children are never removed, so use labels with
/// a bounded set of values (connector names, outcomes, reasons), never operator ids.
template <class Metric>
class Family final : public FamilyBase {
 public:
  Family(std::string name, std::string help, MetricType type, std::vector<std::string> label_names,
         typename Metric::Options options)
      : FamilyBase(std::move(name), std::move(help), type, std::move(label_names)),
        options_(std::move(options)) {
    // A family without labels has exactly one child, and it shows (as 0) from the start.
    if (label_names_size() == 0) find_or_add(std::span<const std::string_view>());
  }

  /// The child for these label values, given in the order of the family's label names; created
  /// at 0 on first use. Throws std::invalid_argument if the number of values is wrong. Finding an
  /// existing child does not allocate.
  Metric& with(std::initializer_list<std::string_view> label_values) {
    return with(std::span<const std::string_view>(label_values.begin(), label_values.size()));
  }
  Metric& with(std::span<const std::string_view> label_values) { return find_or_add(label_values); }
  Metric& with(std::span<const std::string> label_values) { return find_or_add(label_values); }

  void render_samples(std::string& out) const override {
    for (const auto& [values, metric] : children_) detail::render_child(out, *this, values, metric);
  }

 private:
  std::size_t label_names_size() const { return label_names().size(); }

  template <class Values>
  Metric& find_or_add(const Values& label_values) {
    if (label_values.size() != label_names_size()) {
      detail::throw_label_count(name(), label_names_size(), label_values.size());
    }
    if (auto it = children_.find(label_values); it != children_.end()) return it->second;
    std::vector<std::string> key(label_values.begin(), label_values.end());
    auto [it, inserted] =
        children_.emplace(std::piecewise_construct, std::forward_as_tuple(std::move(key)),
                          std::forward_as_tuple(options_));
    return it->second;
  }

  typename Metric::Options options_;
  // std::map: references to children stay valid when others are added.
  std::map<std::vector<std::string>, Metric, detail::LabelValuesLess> children_;
};

/// Receives the samples of a callback family at scrape time.
class SampleSink {
 public:
  /// Adds one sample; label values in the order of the family's label names. Throws
  /// std::invalid_argument if the number of values is wrong. Each label set once per scrape.
  virtual void add(std::initializer_list<std::string_view> label_values, double value) = 0;
  virtual void add(std::span<const std::string_view> label_values, double value) = 0;

 protected:
  ~SampleSink() = default;
};

}  // namespace opsync::metrics
