#include "vendorsim/vendor_simulators.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>

#include "vendorsim/control.h"
#include "vendorsim/duplicates.h"
#include "vendorsim/server.h"
#include "vendorsim/sim_state.h"

namespace opsync::vendorsim {

VendorSimulators::VendorSimulators(boost::asio::io_context& io_context, Options options)
    : bind_address_(options.bind_address), state_(std::make_shared<SimState>(options)) {
  const auto address = boost::asio::ip::make_address(options.bind_address);
  const ListenerLimits limits{options.body_limit, options.idle_timeout};
  const auto executor = io_context.get_executor();
  try {
    for (Vendor v : kAllVendors) {
      const std::size_t i = v.index;
      listeners_[i] = HttpListener::bind(executor, {address, options.ports[i]}, limits);
    }
    control_ = HttpListener::bind(executor, {address, options.control_port}, limits);
  } catch (...) {
    stop();
    throw;
  }
  control_port_ = control_->port();
  for (Vendor v : kAllVendors)
    listeners_[v.index]->serve(
        [state = state_, v](const HttpRequest& req) { return state->handle(v, req); });
  control_->serve([state = state_, line = ports()](const HttpRequest& req) {
    return Reply{Reply::Action::respond, {}, handle_control(*state, line, req)};
  });
}

VendorSimulators::~VendorSimulators() {
  stop();
}

std::uint16_t VendorSimulators::port(Vendor vendor) const {
  return listeners_[vendor.index]->port();
}

std::string VendorSimulators::base_url(Vendor vendor) const {
  return "http://" + bind_address_ + ":" + std::to_string(port(vendor));
}

json::object VendorSimulators::ports() const {
  json::object out;
  for (Vendor v : kAllVendors) out[vendor_name(v)] = port(v);
  out["control"] = control_port_;
  return out;
}

void VendorSimulators::stop() {
  for (auto& listener : listeners_)
    if (listener) listener->stop();
  if (control_) control_->stop();
}

FaultConfig VendorSimulators::faults(Vendor vendor) const {
  return state_->faults(vendor);
}
void VendorSimulators::set_faults(Vendor vendor, const FaultConfig& config) {
  state_->set_faults(vendor, config);
}
json::array VendorSimulators::requests(Vendor vendor) const {
  return state_->requests(vendor);
}
void VendorSimulators::clear_requests(Vendor vendor) {
  state_->clear_requests(vendor);
}
std::optional<json::object> VendorSimulators::receipts(Vendor vendor, std::uint64_t from) const {
  return state_->receipts(vendor, from);
}
json::array VendorSimulators::records(Vendor vendor) const {
  return state_->records(vendor);
}
json::array VendorSimulators::duplicates(Vendor vendor) const {
  return find_duplicates(vendor, state_->records(vendor));
}
SeedResult VendorSimulators::seed_record(Vendor vendor, json::object record) {
  return state_->seed_record(vendor, std::move(record));
}
SeedResult VendorSimulators::edit_record(Vendor vendor, std::string_view id,
                                         const json::object& changes) {
  return state_->edit_record(vendor, id, changes);
}
bool VendorSimulators::delete_record(Vendor vendor, std::string_view id) {
  return state_->delete_record(vendor, id);
}
std::size_t VendorSimulators::revoke_tokens(Vendor vendor) {
  return state_->revoke_tokens(vendor);
}
json::object VendorSimulators::stats() const {
  return state_->stats();
}
void VendorSimulators::reset() {
  state_->reset();
}

}  // namespace opsync::vendorsim
