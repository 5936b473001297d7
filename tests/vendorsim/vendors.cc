#include "vendorsim/vendors.h"

#include "vendorsim/vendor_simulators.h"

namespace opsync::vendorsim {

const VendorEntry* find_vendor(std::string_view name) {
  for (const VendorEntry* v : kVendorTable) {
    if (v->name == name) return v;
  }
  return nullptr;
}

std::string_view vendor_name(Vendor vendor) {
  return vendor.index < kVendorCount ? vendor.entry().name : std::string_view();
}

std::optional<Vendor> vendor_from_name(std::string_view name) {
  for (Vendor v : kAllVendors)
    if (vendor_name(v) == name) return v;
  return std::nullopt;
}

std::string connector_yaml(const VendorEntry& vendor, const std::string& base_url,
                           const VendorCredentials& credentials, const std::string& extra,
                           bool sample) {
  const std::string name(vendor.name);
  const auto own = credentials.find(name);
  std::string out = "  " + name + ":\n    type: " + name + "\n    base_url: " + base_url +
                    std::string(vendor.api_root) + "\n    " +
                    (own != credentials.end() ? own->second : std::string(vendor.credentials)) +
                    "\n" + std::string(vendor.settings);
  if (sample) out += vendor.sample_settings;
  return out + extra;
}

std::string connectors_yaml(const VendorSimulators& sims, const VendorCredentials& credentials,
                            const std::function<std::string(const VendorEntry&)>& extra) {
  std::string out = "connectors:\n";
  for (Vendor v : kAllVendors) {
    out += connector_yaml(v.entry(), sims.base_url(v), credentials,
                          extra ? extra(v.entry()) : std::string());
  }
  return out;
}

}  // namespace opsync::vendorsim
