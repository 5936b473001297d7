// One reconcile pass per vendor against the vendor simulators: how long it takes to read a roster
// back and compare it, and how that compares with the floor the request budget sets.
//
// Per vendor (the five real connectors, built through their ConnectorType from the simulators'
// YAML as the daemon builds them; the simulators in process on 127.0.0.1, port 0, real HTTP):
// 1. seed `--operators` operators so that the store and the simulator agree: the canonical
//    records (once, shared by the five vendors), and per vendor the simulator's record (the
//    vendor table's seeded operator with map(canonical) on top, through the simulator's
//    in-process seed call), the shadow (map(canonical), what a push leaves) and the vendor id;
// 2. time one pass (ReconcileScheduler::start_now, trigger admin, as POST
//    /connectors/{name}/reconcile starts it) with no dispatcher running, so no live request
//    competes with the pass;
// 3. edit `--drift` percent of the records at the simulator (edit_record: a name changed in the
//    vendor's UI) and time a second pass.
// Printed per pass: wall time (start_now to the pass's end), HTTP requests the pass sent
// (counted at the simulator), list pages and single reads the pass asked for, records read, in
// step, drifted, repairs queued, and the floor = (pages + reads + repairs) / (rate x share) with
// time / floor. The pass only queues repairs (the dispatcher sends them later), so the floor
// counts requests the pass itself never sends; floor(sent) = requests / (rate x share) is the
// budget's bound on what it did send.
//
//   build/release/bench/reconcile_bench [--operators 10000] [--drift 5] [--rate 1000]
//       [--share 1] [--burst rate] [--vendors glia,plugchat,...] [--sync FULL|NORMAL]
//       [--sim-limit VENDOR=PER_SECOND,...] [--realistic]
//
// --rate is clamped to each vendor's schema maximum (IdentityCall: 100/s) and the burst to its
// maximum; what applied is printed. The simulators rate-limit nothing by default; IdentityCall's
// documented quota (300 requests/minute on Pro) is turned on with --sim-limit identitycall=5
// (over it the simulator answers 429 with Retry-After).
// --realistic: Glia only, 300 operators, rate 10, share 0.25, burst 1 (unless given), to see that
// a pass keeps to its share of the budget: ~2.5 pages/s.

#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/request_budget.h"
#include "config/diagnostic.h"
#include "dispatch/reconcile_pass.h"
#include "framework/registry.h"
#include "store/state_store.h"
#include "vendorsim/vendor_simulators.h"
#include "vendorsim/vendors.h"

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace opsync;
using vendorsim::Vendor;
using Clock = std::chrono::steady_clock;

std::string sarg(int argc, char** argv, const char* name, const std::string& def) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  }
  return def;
}
bool given(int argc, char** argv, const char* name) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return true;
  }
  return false;
}
double darg(int argc, char** argv, const char* name, double def) {
  const std::string s = sarg(argc, argv, name, "");
  return s.empty() ? def : std::stod(s);
}

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string number_text(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

/// The connector as the pass sees it, counting the list pages and single reads it asks for.
class CountingConnector final : public Connector {
 public:
  explicit CountingConnector(std::unique_ptr<Connector> inner) : inner_(std::move(inner)) {}

  const std::string& name() const override { return inner_->name(); }
  std::string_view type() const override { return inner_->type(); }
  MapResult map(const CanonicalOperator& op) const override { return inner_->map(op); }
  const std::vector<std::string>& required_fields() const override {
    return inner_->required_fields();
  }
  ClearStyle clear_style() const override { return inner_->clear_style(); }
  DeletePolicy delete_policy() const override { return inner_->delete_policy(); }
  DeliveryLimits limits() const override { return inner_->limits(); }
  RequestBudget* request_budget() override { return inner_->request_budget(); }
  asio::awaitable<PushResult> push(PushContext context) override {
    return inner_->push(std::move(context));
  }
  asio::awaitable<ReadResult> list_operators(std::optional<std::string> page) override {
    ++pages;
    return inner_->list_operators(std::move(page));
  }
  asio::awaitable<ReadResult> read_operator(std::string vendor_id) override {
    ++reads;
    return inner_->read_operator(std::move(vendor_id));
  }
  bool in_step(std::string_view field, const json::value& vendor,
               const json::value& desired) const override {
    return inner_->in_step(field, vendor, desired);
  }

  std::uint64_t pages = 0;
  std::uint64_t reads = 0;

 private:
  std::unique_ptr<Connector> inner_;
};

/// Requests `vendor`'s simulator received since it started, and those it answered 429.
struct Traffic {
  std::uint64_t total = 0;
  std::uint64_t too_many = 0;
};
Traffic traffic_at(const vendorsim::VendorSimulators& sims, Vendor vendor) {
  const json::object stats = sims.stats();
  const json::value* v = stats.if_contains(vendorsim::vendor_name(vendor));
  const json::object* o = v ? v->if_object() : nullptr;
  Traffic t;
  if (o == nullptr) return t;
  if (const json::value* total = o->if_contains("total"))
    t.total = total->to_number<std::uint64_t>();
  const json::value* by_status = o->if_contains("by_status");
  if (by_status && by_status->is_object()) {
    if (const json::value* n = by_status->as_object().if_contains("429")) {
      t.too_many = n->to_number<std::uint64_t>();
    }
  }
  return t;
}

/// The vendor field a drifted record has changed (one every connector compares).
std::string drift_field(std::string_view vendor) {
  return vendor == "commpeak" ? "first_name" : "name";
}

std::string operator_id(std::int64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "op-%06lld", static_cast<long long>(n));
  return buf;
}

/// The canonical operator number `n`: every vendor maps its name (display, given or family) and
/// e-mail; nothing that needs a mapping table.
CanonicalOperator canonical(std::int64_t n) {
  CanonicalOperator op;
  op.id = operator_id(n);
  op.attributes = {{"display_name", "Seed " + op.id},
                   {"given_name", "Seed"},
                   {"family_name", op.id},
                   {"email", op.id + "@example.com"},
                   {"active", true}};
  return op;
}

struct Settings {
  std::int64_t operators = 10000;
  double drift = 5;
  double rate = 1000;
  double share = 1;
  double burst = 0;  // 0: one second's worth of the rate
  std::string sync = "FULL";
  /// Simulator rate limits (FaultConfig::rate_limit_per_s) by vendor name; none by default.
  std::map<std::string, double> sim_limits;
  bool realistic = false;
  std::vector<std::string> vendors;
};

struct PassFigures {
  double drift = 0;
  double seconds = 0;
  std::uint64_t http = 0;
  std::uint64_t too_many = 0;  // of them answered 429
  std::uint64_t metered = 0;   // background tokens the connector's budget gave out
  std::uint64_t pages = 0;
  std::uint64_t reads = 0;
  ReconcilePassRow pass;
};

/// Runs one pass of `c` to its end and measures it.
PassFigures time_pass(asio::io_context& io, StateStore& store, CountingConnector& c,
                      const vendorsim::VendorSimulators& sims, Vendor vendor) {
  PassFigures f;
  bool ended = false;
  ReconcileOptions options;
  options.now_ms = wall_ms;
  options.on_end = [&](const ReconcilePassRow& pass) {
    f.pass = pass;
    ended = true;
  };
  ReconcileScheduler scheduler(io, store, {&c}, options);
  scheduler.start();
  const Traffic http0 = traffic_at(sims, vendor);
  RequestBudget* budget = c.request_budget();
  const std::uint64_t metered0 = budget ? budget->admitted(RequestPriority::background) : 0;
  c.pages = c.reads = 0;
  io.restart();
  const auto t0 = Clock::now();
  if (scheduler.start_now(c.name()) != ReconcileStart::started) {
    throw std::runtime_error("the pass of " + c.name() + " did not start");
  }
  while (!ended) {
    if (io.run_one() == 0) throw std::runtime_error("the pass of " + c.name() + " never ended");
  }
  f.seconds = since(t0);
  io.poll();  // the pass's completion
  const Traffic http1 = traffic_at(sims, vendor);
  f.http = http1.total - http0.total;
  f.too_many = http1.too_many - http0.too_many;
  f.metered = (budget ? budget->admitted(RequestPriority::background) : 0) - metered0;
  f.pages = c.pages;
  f.reads = c.reads;
  scheduler.stop();
  io.poll();
  return f;
}

struct VendorRun {
  std::string name;
  double rate = 0;  // applied
  std::uint32_t burst = 0;
  std::string sim_limit;
  double seed_seconds = 0;
  std::vector<PassFigures> passes;
};

void print_header() {
  std::printf("%-13s %5s %8s %6s %5s %6s %6s %6s %7s %7s %7s %7s %8s %7s %8s %7s\n", "vendor",
              "drift", "time_s", "http", "429", "meter", "pages", "reads", "read", "in_step",
              "drifted", "repairs", "floor_s", "ratio", "floor_tx", "pages/s");
}

void print_row(const VendorRun& v, const PassFigures& f, double share) {
  const ReconcileCounts& k = f.pass.counts;
  const double per_s = v.rate * share;
  const double floor = static_cast<double>(f.pages + f.reads + k.repairs_queued) / per_s;
  const double floor_sent = static_cast<double>(f.http) / per_s;
  std::printf(
      "%-13s %4.0f%% %8.3f %6llu %5llu %6llu %6llu %6llu %7lld %7lld %7lld %7lld %8.3f %7.2f %8.3f "
      "%7.1f%s\n",
      v.name.c_str(), f.drift, f.seconds, static_cast<unsigned long long>(f.http),
      static_cast<unsigned long long>(f.too_many), static_cast<unsigned long long>(f.metered),
      static_cast<unsigned long long>(f.pages), static_cast<unsigned long long>(f.reads),
      static_cast<long long>(k.read), static_cast<long long>(k.in_step),
      static_cast<long long>(k.drifted_operators), static_cast<long long>(k.repairs_queued), floor,
      f.seconds / floor, floor_sent, static_cast<double>(f.pages) / f.seconds,
      f.pass.state == PassState::finished ? "" : ("  FAILED: " + f.pass.error).c_str());
}

/// Builds `entry`'s connector against its simulator with the bench's limits.
std::unique_ptr<Connector> make_connector(const vendorsim::VendorEntry& entry,
                                          const std::string& base_url, asio::io_context& io,
                                          double rate, std::uint32_t burst, double share) {
  const std::string extra =
      "    concurrency: 4\n    rate_per_second: " + number_text(rate) +
      "\n    burst: " + std::to_string(burst) +
      "\n    reconcile:\n      interval: 0\n      rate_share: " + number_text(share) + "\n";
  const std::string yaml = vendorsim::connector_yaml(entry, base_url, {}, extra, false);
  ConnectorConfig config;
  config.name = std::string(entry.name);
  config.type = std::string(entry.name);
  config.file = "reconcile_bench.yaml";
  config.settings = YAML::Load(yaml)[config.name];
  const ConnectorType* type = builtin_connectors().find(config.type);
  if (type == nullptr) throw std::runtime_error("no connector type " + config.type);
  Diagnostics diagnostics;
  type->check(config, diagnostics);
  if (!diagnostics.empty()) {
    std::string why;
    for (const auto& d : diagnostics.items()) why += "\n  " + d.key_path + ": " + d.message;
    throw std::runtime_error("connector settings of " + config.name + ":" + why);
  }
  return type->create(config, io);
}

VendorRun run_vendor(const Settings& s, Vendor vendor, vendorsim::VendorSimulators& sims,
                     StateStore& store, asio::io_context& io) {
  const vendorsim::VendorEntry& entry = vendor.entry();
  VendorRun run;
  run.name = std::string(entry.name);
  run.rate = std::min(s.rate, entry.max_rate_per_second);
  const double burst = s.burst > 0 ? s.burst : std::max(1.0, std::round(run.rate));
  run.burst = static_cast<std::uint32_t>(std::clamp(burst, 1.0, double(entry.max_burst)));
  const vendorsim::FaultConfig faults = sims.faults(vendor);
  run.sim_limit = faults.rate_limit_per_s > 0 ? number_text(faults.rate_limit_per_s) + "/s" : "off";
  CountingConnector c(
      make_connector(entry, sims.base_url(vendor), io, run.rate, run.burst, s.share));

  // The simulator's records and the store's shadows and vendor ids, in agreement.
  const auto t0 = Clock::now();
  std::vector<std::string> vendor_ids;
  vendor_ids.reserve(static_cast<std::size_t>(s.operators));
  {
    Transaction tx(store);
    const std::int64_t now = wall_ms();
    for (std::int64_t n = 0; n < s.operators; ++n) {
      const CanonicalOperator op = canonical(n);
      MapResult mapped = c.map(op);
      if (!mapped.ok()) throw std::runtime_error(run.name + ": " + mapped.error);
      vendorsim::SeededOperator seeded = entry.seeded_operator(n, op.id);
      for (const auto& [key, value] : mapped.fields) seeded.record[key] = value;
      // The Glia simulator's seed checks that the e-mail is unique by scanning every record
      // (quadratic: ~19 s for 10,000); an edit does not check, so the e-mail comes in by one.
      json::object late;
      if (vendor == Vendor::glia) {
        if (json::value* email = seeded.record.if_contains("email")) {
          late["email"] = std::move(*email);
          seeded.record.erase("email");
        }
      }
      vendorsim::SeedResult r = sims.seed_record(vendor, std::move(seeded.record));
      if (r.ok() && !late.empty()) r = sims.edit_record(vendor, seeded.id, late);
      if (!r.ok()) throw std::runtime_error(run.name + " seed: " + r.error);
      store.shadows().save(c.name(), op.id, mapped.fields, now);
      store.shadows().save_vendor_id(c.name(), op.id, seeded.id);
      vendor_ids.push_back(seeded.id);
    }
    tx.commit();
  }
  run.seed_seconds = since(t0);

  std::vector<double> drifts{0};
  if (s.drift > 0) drifts.push_back(s.drift);
  for (double drift : drifts) {
    if (drift > 0) {
      std::vector<std::size_t> order(vendor_ids.size());
      for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::mt19937_64 rng(42);
      std::shuffle(order.begin(), order.end(), rng);
      const auto edits =
          static_cast<std::size_t>(std::llround(static_cast<double>(order.size()) * drift / 100.0));
      const std::string field = drift_field(entry.name);
      for (std::size_t i = 0; i < edits && i < order.size(); ++i) {
        const std::size_t n = order[i];
        vendorsim::SeedResult r =
            sims.edit_record(vendor, vendor_ids[n],
                             {{field, "Edited " + operator_id(static_cast<std::int64_t>(n))}});
        if (!r.ok()) throw std::runtime_error(run.name + " edit: " + r.error);
      }
    }
    PassFigures f = time_pass(io, store, c, sims, vendor);
    f.drift = drift;
    run.passes.push_back(std::move(f));
  }
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::err);
  Settings s;
  s.realistic = given(argc, argv, "--realistic");
  if (s.realistic) {
    s.operators = 300;
    s.rate = 10;
    s.share = 0.25;
    s.burst = 1;
    s.vendors = {"glia"};
  }
  s.operators = static_cast<std::int64_t>(darg(argc, argv, "--operators", double(s.operators)));
  s.drift = darg(argc, argv, "--drift", s.drift);
  s.rate = darg(argc, argv, "--rate", s.rate);
  s.share = darg(argc, argv, "--share", s.share);
  s.burst = darg(argc, argv, "--burst", s.burst);
  s.sync = sarg(argc, argv, "--sync", s.sync);
  if (const std::string list = sarg(argc, argv, "--sim-limit", ""); !list.empty()) {
    std::stringstream in(list);
    for (std::string item; std::getline(in, item, ',');) {
      const auto eq = item.find('=');
      if (eq == std::string::npos || !vendorsim::vendor_from_name(item.substr(0, eq))) {
        std::fprintf(stderr, "--sim-limit: expected VENDOR=PER_SECOND, got %s\n", item.c_str());
        return 2;
      }
      s.sim_limits[item.substr(0, eq)] = std::stod(item.substr(eq + 1));
    }
  }
  if (const std::string list = sarg(argc, argv, "--vendors", ""); !list.empty()) {
    s.vendors.clear();
    std::stringstream in(list);
    for (std::string v; std::getline(in, v, ',');) s.vendors.push_back(v);
  }
  std::vector<Vendor> vendors;
  if (s.vendors.empty()) {
    vendors.assign(vendorsim::kAllVendors.begin(), vendorsim::kAllVendors.end());
  } else {
    for (const auto& name : s.vendors) {
      auto v = vendorsim::vendor_from_name(name);
      if (!v) {
        std::fprintf(stderr, "unknown vendor %s\n", name.c_str());
        return 2;
      }
      vendors.push_back(*v);
    }
  }

  vendorsim::Options sim_options;
  for (const auto& [name, limit] : s.sim_limits) {
    sim_options.faults[vendorsim::vendor_from_name(name)->index].rate_limit_per_s = limit;
  }
  asio::io_context sim_io;
  vendorsim::VendorSimulators sims(sim_io, sim_options);
  std::thread sim_thread([&] { sim_io.run(); });

  std::random_device rd;
  const auto dir =
      std::filesystem::temp_directory_path() / ("opsync-reconcile-bench-" + std::to_string(rd()));
  int status = 0;
  {
    StateStore store(dir.string(), StoreOptions{s.sync});
    asio::io_context io;
    std::printf(
        "reconcile_bench%s: %lld operators per vendor, drift 0%% then %g%%, rate %g/s, share %g, "
        "burst %s, store synchronous=%s\n",
        s.realistic ? " --realistic" : "", static_cast<long long>(s.operators), s.drift, s.rate,
        s.share, s.burst > 0 ? number_text(s.burst).c_str() : "one second of the rate",
        s.sync.c_str());
    const auto t0 = Clock::now();
    {
      Transaction tx(store);
      const std::int64_t now = wall_ms();
      for (std::int64_t n = 0; n < s.operators; ++n) store.operators().save(canonical(n), now);
      tx.commit();
    }
    std::printf("canonical records: %lld in %.2f s\n", static_cast<long long>(s.operators),
                since(t0));
    std::fflush(stdout);
    std::vector<VendorRun> runs;
    try {
      for (Vendor v : vendors) {
        runs.push_back(run_vendor(s, v, sims, store, io));
        const VendorRun& r = runs.back();
        std::printf(
            "%s: seeded (simulator, shadows, vendor ids) in %.2f s; rate applied %g/s, burst %u, "
            "share %g: %g requests/s for the pass; simulator rate limit %s\n",
            r.name.c_str(), r.seed_seconds, r.rate, r.burst, s.share, r.rate * s.share,
            r.sim_limit.c_str());
        std::fflush(stdout);
      }
    } catch (const std::exception& e) {
      std::fprintf(stderr, "reconcile_bench: %s\n", e.what());
      status = 1;
    }
    std::printf("\n");
    print_header();
    for (const VendorRun& r : runs) {
      for (const PassFigures& f : r.passes) print_row(r, f, s.share);
    }
    std::printf(
        "\nhttp: requests the simulator received during the pass (429: of them refused by its rate "
        "limit); meter: background tokens the "
        "connector's budget gave out; pages/reads: list and single-read calls of the pass;\n"
        "floor_s = (pages + reads + repairs) / (rate x share); ratio = time_s / floor_s; "
        "floor_tx = http / (rate x share) (repairs are only queued, not sent, by the pass).\n");
  }
  sims.stop();
  sim_thread.join();
  std::filesystem::remove_all(dir);
  return status;
}
