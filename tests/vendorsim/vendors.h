// The vendor table's rows (vendor.h: kVendorTable): per simulated vendor, its simulator and what
// the tests, the benchmarks and the demo need to configure a connector against it. Each row is
// defined in its simulator's file (glia.cc: kGliaVendor).
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "vendorsim/options.h"
#include "vendorsim/vendor.h"

namespace opsync::vendorsim {

class VendorSimulators;

/// An operator as it exists at the vendor before opsync runs, and the vendor id it has.
struct SeededOperator {
  json::object record;
  std::string id;
};

struct VendorEntry {
  /// The connector type, and the name on the command line, in the ports line and in control
  /// paths.
  std::string_view name;
  /// The simulator, configured from `options` (its own member of Options).
  std::unique_ptr<VendorSim> (*make)(const Options& options, const SimContext& context);

  // The vendor's `connectors:` entry against the simulator (connector_yaml below).
  /// Appended to the simulator's base URL for the connector's base_url ("/api/2").
  std::string_view api_root;
  /// The credential lines for the simulator's default credentials (docs/vendorsim.md), joined
  /// by "\n    " (YAML at four spaces of indentation).
  std::string_view credentials;
  /// Further settings every configuration needs ("    account_id: ...\n"), or "".
  std::string_view settings;
  /// What the sample event stream (daemon/samples) needs: create_missing where the vendor can
  /// create, and the team, language and time-zone tables ("    key: value\n" lines).
  std::string_view sample_settings;
  /// Vendor fields that must be cleared (null, "" or absent) when the connector's mapping leaves
  /// them out (tests/support/vendor_agreement.h): those the connector can clear.
  std::span<const std::string_view> clearable_fields;
  /// The highest rate_per_second and burst the connector's schema allows.
  double max_rate_per_second = 1000;
  long max_burst = 10'000;

  /// A well-formed id the simulator holds no operator under (a push to it is refused).
  std::string_view unknown_id;
  /// Operator number `n`, id `key`, as the benchmarks seed it (e-mail `<key>@example.com`).
  SeededOperator (*seeded_operator)(std::int64_t n, const std::string& key) = nullptr;
  /// For a vendor that cannot create operators (CommPeak): the record that must exist before
  /// opsync pushes the operator with e-mail `email`, found by it. Null when the vendor creates.
  json::object (*precreated_operator)(const std::string& email) = nullptr;
};

/// VendorEntry::make for simulator `Sim`, configured from its member `options` of Options.
template <class Sim, auto options_member>
std::unique_ptr<VendorSim> make_simulator(const Options& options, const SimContext& context) {
  return std::make_unique<Sim>(options.*options_member, context);
}

/// The vendor named `name` in kVendorTable, or nullptr.
const VendorEntry* find_vendor(std::string_view name);

/// Replaces a vendor's default credential lines, by vendor name.
using VendorCredentials = std::map<std::string, std::string>;

/// The `connectors:` entry (two spaces in) of instance `vendor.name` of type `vendor.name` at
/// `base_url` (the simulator's): base_url, credentials (`credentials[vendor.name]` if given),
/// the vendor's settings, its sample settings when `sample` is set, then `extra` (lines at four
/// spaces, e.g. "    rate_per_second: 500\n").
std::string connector_yaml(const VendorEntry& vendor, const std::string& base_url,
                           const VendorCredentials& credentials = {}, const std::string& extra = {},
                           bool sample = true);

/// A `connectors:` section with every vendor of the table against `sims` (connector_yaml with
/// the sample settings), `extra(vendor)` added to each entry.
std::string connectors_yaml(const VendorSimulators& sims, const VendorCredentials& credentials = {},
                            const std::function<std::string(const VendorEntry&)>& extra = {});

}  // namespace opsync::vendorsim
