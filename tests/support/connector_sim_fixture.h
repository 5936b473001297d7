#pragma once
// The fixture of the connector tests against the vendor simulators (tests/integration/
// connectors): the five simulators on loopback on a thread of their own, one connector instance
// built through its ConnectorType from YAML, and pushes made the way the dispatcher makes them
// (map, diff against the shadow, required fields, push, merge the shadow, learn the id).

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "framework/diff.h"
#include "framework/registry.h"
#include "vendorsim/vendor_simulators.h"

namespace opsync::test {

class ConnectorSimFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    sims_ = std::make_unique<vendorsim::VendorSimulators>(sim_io_, sim_options());
    sim_thread_ = std::thread([this] { sim_io_.run(); });
  }

  void TearDown() override {
    connector_.reset();
    sims_->stop();
    sim_thread_.join();
    sims_.reset();
  }

  /// The simulators' options (a fixture may override: token lifetimes, clocks).
  virtual vendorsim::Options sim_options() { return {}; }

  /// Builds instance `name` of `type` from `yaml` (the entry under `connectors:`), which must
  /// check without a problem.
  void make_connector(const ConnectorType& type, const std::string& name, const std::string& yaml) {
    ConnectorConfig config;
    config.name = name;
    config.type = type.name;
    config.file = "test.yaml";
    config.settings = YAML::Load(yaml);
    Diagnostics diagnostics;
    type.check(config, diagnostics);
    ASSERT_TRUE(diagnostics.empty());
    connector_ = type.create(config, io_);
  }

  /// Runs one push to the end (at most 20 s).
  PushResult run(PushContext ctx) {
    std::optional<PushResult> result;
    std::exception_ptr error;
    io_.restart();
    boost::asio::co_spawn(io_, connector_->push(std::move(ctx)),
                          [&](std::exception_ptr e, PushResult r) {
                            error = e;
                            result = std::move(r);
                          });
    io_.run_for(std::chrono::seconds(20));
    if (error) std::rethrow_exception(error);
    EXPECT_TRUE(result.has_value()) << "push did not finish";
    return result.value_or(PushResult{});
  }

  /// The dispatcher's part around a push of `op`: the vendor id learned so far (ids_), the
  /// fields that differ from the shadow plus the required ones, and on success the shadow and
  /// the id updated. nullopt when there is nothing to send.
  std::optional<PushResult> push(const CanonicalOperator& op) {
    PushContext ctx;
    ctx.operator_id = op.id;
    if (auto it = ids_.find(op.id); it != ids_.end()) ctx.vendor_id = it->second;
    ctx.deleted = op.deleted;
    // As the dispatcher: after a retry the outcome of the last attempt is unknown.
    ctx.attempt = retries_[op.id];
    ctx.outcome_unknown = ctx.attempt > 0;
    ctx.vendor_id_taken = [this, id = op.id](std::string_view vendor_id) {
      for (const auto& [op_id, known] : ids_) {
        if (known == vendor_id && op_id != id) return true;
      }
      return false;
    };
    boost::json::object& shadow = shadows_[op.id];
    if (!(op.deleted && connector_->delete_policy() == DeletePolicy::remove)) {
      MapResult mapped = connector_->map(op);
      EXPECT_TRUE(mapped.ok()) << mapped.error;
      ctx.desired = std::move(mapped.fields);
      ctx.changed = diff_fields(ctx.desired, shadow, connector_->clear_style());
      add_required_fields(ctx.changed, ctx.desired, connector_->required_fields());
      if (ctx.changed.empty()) return std::nullopt;
    }
    const boost::json::object desired = ctx.desired;
    const boost::json::object changed = ctx.changed;
    PushResult result = run(std::move(ctx));
    if (result.outcome == PushOutcome::retry) {
      ++retries_[op.id];
    } else {
      retries_.erase(op.id);
    }
    if (result.outcome == PushOutcome::ok) {
      shadow = merge_into_shadow(shadow, result.acknowledged.value_or(changed), desired);
      if (result.vendor_id) ids_[op.id] = *result.vendor_id;
    }
    return result;
  }

  boost::asio::io_context sim_io_;
  boost::asio::io_context io_;
  std::unique_ptr<vendorsim::VendorSimulators> sims_;
  std::thread sim_thread_;
  std::unique_ptr<Connector> connector_;
  /// Per canonical operator: the vendor's id and the shadow (what the vendor acknowledged).
  std::map<std::string, std::string> ids_;
  std::map<std::string, boost::json::object> shadows_;
  /// Per canonical operator: retries since its last push that was not a retry.
  std::map<std::string, std::int64_t> retries_;
};

}  // namespace opsync::test
