#pragma once
// A connector for dispatcher tests: maps a few canonical attributes one to one, and answers
// pushes from a script. Each push is recorded with its time; a push can be held open until the
// test releases it, to observe lanes with a request in flight.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "framework/connector.h"
#include "framework/mapping_tables.h"

namespace opsync::test {

class FakeConnector : public Connector {
 public:
  struct Call {
    PushContext context;
    std::chrono::steady_clock::time_point at;
  };
  using Script = std::function<PushResult(const PushContext&)>;

  explicit FakeConnector(std::string name = "fake") : name_(std::move(name)) {
    teams = MappingTables::from_config(name_, {{"support", "T1"}, {"sales", "T2"}}, {}, {});
  }

  const std::string& name() const override { return name_; }
  std::string_view type() const override { return "fake"; }
  const std::vector<std::string>& required_fields() const override { return required; }
  DeletePolicy delete_policy() const override { return policy; }
  DeliveryLimits limits() const override { return delivery; }

  MapResult map(const CanonicalOperator& op) const override {
    MapResult out;
    for (const char* key : {"email", "display_name", "phone"}) {
      if (const auto* v = op.attributes.if_contains(key)) out.fields[key] = *v;
    }
    if (const auto* v = op.attributes.if_contains("teams"); v && v->is_array()) {
      boost::json::array ids;
      for (const auto& t : v->as_array()) {
        Mapped m = teams.teams.lookup(t.as_string());
        if (!m.ok()) return MapResult::failure(m.error);
        ids.push_back(boost::json::string(m.value));
      }
      out.fields["team_ids"] = std::move(ids);
    }
    out.fields["active"] = !op.deleted;
    return out;
  }

  boost::asio::awaitable<PushResult> push(PushContext context) override {
    calls.push_back({context, std::chrono::steady_clock::now()});
    ++in_flight;
    max_in_flight = std::max(max_in_flight, in_flight);
    per_operator_in_flight[context.operator_id]++;
    max_per_operator = std::max(max_per_operator, per_operator_in_flight[context.operator_id]);
    boost::asio::steady_timer gate(co_await boost::asio::this_coro::executor);
    while (held.contains(context.operator_id)) {
      gate.expires_after(std::chrono::milliseconds(1));
      auto [ec] = co_await gate.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      if (ec) break;
    }
    --in_flight;
    per_operator_in_flight[context.operator_id]--;
    PushResult r;
    if (script) r = script(context);
    if (r.outcome == PushOutcome::ok && !r.vendor_id && !context.vendor_id) {
      r.vendor_id = "v-" + context.operator_id;
    }
    co_return r;
  }

  std::vector<std::string> required;
  DeletePolicy policy = DeletePolicy::deactivate;
  DeliveryLimits delivery{.concurrency = 4, .rate_per_second = 1000, .burst = 1000};
  MappingTables teams;
  Script script;
  std::set<std::string> held;  ///< pushes for these operators wait until removed
  std::vector<Call> calls;
  int in_flight = 0;
  int max_in_flight = 0;
  std::map<std::string, int> per_operator_in_flight;
  int max_per_operator = 0;

 private:
  std::string name_;
};

}  // namespace opsync::test
