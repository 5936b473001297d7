#include "vendorsim/sim_state.h"

#include <exception>
#include <utility>

#include "vendorsim/vendors.h"

namespace opsync::vendorsim {
namespace {

SimContext context_from(const Options& options) {
  SimContext context;
  context.now =
      options.clock ? options.clock : Clock([] { return std::chrono::steady_clock::now(); });
  context.seed = options.seed;
  context.reject_unknown_fields = options.reject_unknown_fields;
  return context;
}

// Each vendor gets its own random stream so one vendor's traffic never shifts another's faults.
std::uint64_t fault_seed(std::uint64_t seed, Vendor v) {
  return seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(v.index) + 1;
}

}  // namespace

SimState::SimState(const Options& options)
    : options_(options), context_(context_from(options)), vendors_(make_vendors()) {}

SimState::PerVendor SimState::make_vendor(Vendor v) const {
  return PerVendor{
      v.entry().make(options_, context_),
      FaultInjector(options_.faults[v.index], fault_seed(options_.seed, v), context_.now),
      RequestLog(options_.max_logged_requests), TrafficStats{}, ReceiptLog{}};
}

template <std::size_t... I>
std::array<SimState::PerVendor, kVendorCount> SimState::make_vendors(
    std::index_sequence<I...>) const {
  return {make_vendor(kAllVendors[I])...};
}

std::array<SimState::PerVendor, kVendorCount> SimState::make_vendors() const {
  return make_vendors(std::make_index_sequence<kVendorCount>{});
}

Reply SimState::handle(Vendor vendor, const HttpRequest& req) {
  const auto received = std::chrono::system_clock::now();
  std::lock_guard lock(mutex_);
  PerVendor& v = at(vendor);
  FaultPlan plan = v.faults.next();
  if (plan.kind == FaultKind::lost_answer && !v.faults.config().lost_answer_method.empty() &&
      req.method_string() != v.faults.config().lost_answer_method) {
    plan.kind = FaultKind::none;  // only that method's answers are lost
  }
  Reply reply;
  reply.delay = plan.delay;
  switch (plan.kind) {
    case FaultKind::reset:
      reply.action = Reply::Action::reset;
      break;
    case FaultKind::hang:
      reply.action = Reply::Action::hang;
      break;
    case FaultKind::none:
    case FaultKind::lost_answer:
      try {
        reply.response = v.sim->handle(req);
      } catch (const std::exception& e) {  // a simulator bug must not take the port down
        reply.response = v.sim->error(req, http::status::internal_server_error,
                                      std::string("simulator error: ") + e.what());
      }
      if (plan.kind == FaultKind::lost_answer) reply.action = Reply::Action::reset;
      break;
    case FaultKind::too_many_requests:
    case FaultKind::rate_limited:
      reply.response = v.sim->error(req, http::status::too_many_requests, "Too many requests");
      reply.response.set(http::field::retry_after, std::to_string(plan.retry_after_s));
      break;
    case FaultKind::error_status:
      reply.response =
          v.sim->error(req, static_cast<http::status>(plan.status), "Injected server error");
      break;
  }
  std::optional<unsigned> status;
  if (reply.action == Reply::Action::respond) status = reply.response.result_int();
  v.log.add(req, received, status, plan.kind);
  v.stats.count(status, plan.kind);
  if (options_.record_receipts) v.receipts.add(req, received, status);
  return reply;
}

FaultConfig SimState::faults(Vendor vendor) const {
  std::lock_guard lock(mutex_);
  return at(vendor).faults.config();
}

void SimState::set_faults(Vendor vendor, const FaultConfig& config) {
  std::lock_guard lock(mutex_);
  at(vendor).faults.configure(config);
}

json::array SimState::requests(Vendor vendor) const {
  std::lock_guard lock(mutex_);
  return at(vendor).log.to_json();
}

void SimState::clear_requests(Vendor vendor) {
  std::lock_guard lock(mutex_);
  at(vendor).log.clear();
}

std::optional<json::object> SimState::receipts(Vendor vendor, std::uint64_t from) const {
  if (!options_.record_receipts) return std::nullopt;
  std::lock_guard lock(mutex_);
  return at(vendor).receipts.since(from);
}

void SimState::clear_receipts(Vendor vendor) {
  std::lock_guard lock(mutex_);
  at(vendor).receipts.clear();
}

json::array SimState::records(Vendor vendor) const {
  std::lock_guard lock(mutex_);
  return at(vendor).sim->records();
}

SeedResult SimState::seed_record(Vendor vendor, json::object record) {
  std::lock_guard lock(mutex_);
  return at(vendor).sim->seed(std::move(record));
}

SeedResult SimState::edit_record(Vendor vendor, std::string_view id, const json::object& changes) {
  std::lock_guard lock(mutex_);
  return at(vendor).sim->edit(id, changes);
}

bool SimState::delete_record(Vendor vendor, std::string_view id) {
  std::lock_guard lock(mutex_);
  return at(vendor).sim->erase(id);
}

std::size_t SimState::revoke_tokens(Vendor vendor) {
  std::lock_guard lock(mutex_);
  return at(vendor).sim->revoke_tokens();
}

json::object SimState::stats() const {
  std::lock_guard lock(mutex_);
  json::object out;
  for (Vendor v : kAllVendors) out[vendor_name(v)] = at(v).stats.to_json();
  return out;
}

void SimState::reset() {
  std::lock_guard lock(mutex_);
  vendors_ = make_vendors();
}

}  // namespace opsync::vendorsim
