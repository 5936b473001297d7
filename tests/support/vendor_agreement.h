#pragma once
// Checks that every vendor agrees with the canonical roster: for each connector instance and
// each canonical operator, the connector's own mapping of the record (Connector::map) against
// the vendor's record under the vendor id the store learned. Vendors store values their own way
// (CommPeak strings, iAdvize form values, Plug Chat department lists), so values are compared
// by meaning: 1 == true == "1", 42 == "42", lists as multisets, null == "" == absent.

#include <boost/asio/io_context.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "framework/connector.h"
#include "framework/registry.h"
#include "store/state_store.h"
#include "vendorsim/vendor_simulators.h"
#include "vendorsim/vendors.h"

namespace opsync::testing {

/// One field on which a vendor disagrees with the canonical record.
struct VendorDisagreement {
  std::string operator_id;
  std::string connector;
  std::string field;  ///< a vendor field, or "<id>" (no mapping / no record), "<map>" (unmappable)
  std::string want;
  std::string got;
};

struct AgreementReport {
  std::size_t operators = 0;              ///< canonical operators looked at
  std::size_t pairs_checked = 0;          ///< (operator, connector) pairs compared
  std::size_t fields_checked = 0;         ///< field comparisons made
  std::size_t excused = 0;                ///< pairs skipped because the caller excused them
  std::size_t disagreements = 0;          ///< all of them, not only those kept below
  std::vector<VendorDisagreement> first;  ///< the first AgreementOptions::keep of them

  bool ok() const { return disagreements == 0; }
  std::string summary() const {
    std::ostringstream out;
    out << operators << " operators, " << pairs_checked << " operator/vendor pairs, "
        << fields_checked << " fields checked, " << excused << " excused, " << disagreements
        << " disagreements";
    for (const auto& d : first) {
      out << "\n  " << d.operator_id << " @" << d.connector << " ." << d.field << ": want "
          << d.want << ", got " << d.got;
    }
    return out.str();
  }
};

struct AgreementOptions {
  std::size_t keep = 20;
  /// Only these connector instances (empty: all).
  std::set<std::string> only;
  /// (operator id, connector) pairs not checked, e.g. records a vendor refused on purpose.
  std::set<std::pair<std::string, std::string>> excused;
  /// Vendor fields that must be cleared (null, "" or absent) when the mapping leaves them out,
  /// by connector type. Fields the mapping never produced stay as the vendor had them; iAdvize
  /// is absent because a form cannot clear its fields, and CommPeak keeps numbers, flags and
  /// enumerations (max_concurrent_sessions...) because the connector never sends them as "".
  /// The defaults are each simulated vendor's VendorEntry::clearable_fields.
  std::map<std::string, std::vector<std::string>> clearable = default_clearable();

  static std::map<std::string, std::vector<std::string>> default_clearable() {
    std::map<std::string, std::vector<std::string>> out;
    for (const vendorsim::VendorEntry* v : vendorsim::kVendorTable) {
      if (v->clearable_fields.empty()) continue;
      out[std::string(v->name)].assign(v->clearable_fields.begin(), v->clearable_fields.end());
    }
    return out;
  }
};

namespace agreement_detail {

inline std::string show(const boost::json::value* v) {
  return v == nullptr ? std::string("<absent>") : boost::json::serialize(*v);
}

inline bool is_cleared(const boost::json::value* v) {
  return v == nullptr || v->is_null() || (v->is_string() && v->as_string().empty()) ||
         (v->is_array() && v->as_array().empty());
}

inline std::optional<long long> as_integer(const boost::json::value& v) {
  if (v.is_int64()) return v.as_int64();
  if (v.is_uint64()) return static_cast<long long>(v.as_uint64());
  if (v.is_bool()) return v.as_bool() ? 1 : 0;
  if (v.is_double() && v.as_double() == static_cast<double>(static_cast<long long>(v.as_double())))
    return static_cast<long long>(v.as_double());
  if (v.is_string()) {
    const std::string s(v.as_string());
    if (s == "true") return 1;
    if (s == "false") return 0;
    if (s.empty()) return std::nullopt;
    std::size_t used = 0;
    try {
      long long n = std::stoll(s, &used);
      if (used == s.size()) return n;
    } catch (...) {
    }
  }
  return std::nullopt;
}

/// True when the vendor's `got` means the value `want` the mapping produced.
inline bool same(const boost::json::value& want, const boost::json::value* got) {
  if (want.is_null() || (want.is_string() && want.as_string().empty())) return is_cleared(got);
  if (got == nullptr) return false;
  if (want == *got) return true;
  if (want.is_bool() || want.is_number()) {
    auto w = as_integer(want), g = as_integer(*got);
    return w && g && *w == *g;
  }
  if (want.is_string()) {
    if (got->is_number()) {
      auto g = as_integer(*got);
      return g && std::to_string(*g) == want.as_string();
    }
    return false;
  }
  if (want.is_array()) {
    if (!got->is_array() || got->as_array().size() != want.as_array().size()) return false;
    std::vector<bool> used(got->as_array().size(), false);
    for (const auto& w : want.as_array()) {
      bool found = false;
      for (std::size_t i = 0; i < used.size() && !found; ++i) {
        if (!used[i] && same(w, &got->as_array()[i])) found = used[i] = true;
      }
      if (!found) return false;
    }
    return true;
  }
  if (want.is_object()) {
    if (!got->is_object()) return false;
    for (const auto& [k, w] : want.as_object()) {
      if (!same(w, got->as_object().if_contains(k))) return false;
    }
    return true;
  }
  return false;
}

inline std::string id_text(const boost::json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (auto n = as_integer(v)) return std::to_string(*n);
  return boost::json::serialize(v);
}

}  // namespace agreement_detail

/// Vendor records by connector instance name (each the vendor's `records()` answer).
using VendorRecords = std::map<std::string, boost::json::array>;

/// Compares every canonical operator with every connector's vendor record (see the file comment).
/// Deleted operators must be deactivated as the mapping says, or, for a connector whose delete
/// policy is `remove`, gone (or deactivated). An operator the vendor never got a mapping for is a
/// disagreement unless it is deleted (nothing to deactivate) or excused.
inline AgreementReport check_vendor_agreement(
    StateStore& store, const std::vector<std::unique_ptr<Connector>>& connectors,
    const VendorRecords& records, const AgreementOptions& options = {}) {
  namespace d = agreement_detail;
  AgreementReport report;
  auto disagree = [&](const std::string& op, const std::string& connector, std::string field,
                      std::string want, std::string got) {
    ++report.disagreements;
    if (report.first.size() < options.keep) {
      report.first.push_back({op, connector, std::move(field), std::move(want), std::move(got)});
    }
  };
  // Vendor records by id, per connector.
  std::map<std::string, std::map<std::string, const boost::json::object*>> by_id;
  for (const auto& [name, list] : records) {
    for (const auto& r : list) {
      if (!r.is_object()) continue;
      if (const auto* id = r.as_object().if_contains("id")) {
        by_id[name][d::id_text(*id)] = &r.as_object();
      }
    }
  }
  store.operators().for_each([&](const CanonicalOperator& op) {
    ++report.operators;
    for (const auto& c : connectors) {
      const std::string& name = c->name();
      if (!options.only.empty() && !options.only.contains(name)) continue;
      if (options.excused.contains({op.id, name})) {
        ++report.excused;
        continue;
      }
      ++report.pairs_checked;
      const MapResult mapped = c->map(op);
      if (!mapped.ok()) {
        disagree(op.id, name, "<map>", "a mappable record", mapped.error);
        continue;
      }
      const auto vendor_id = store.shadows().load_vendor_id(name, op.id);
      if (!vendor_id) {
        if (!op.deleted) disagree(op.id, name, "<id>", "a vendor id", "none learned");
        continue;
      }
      const boost::json::object* record = nullptr;
      if (auto it = by_id.find(name); it != by_id.end()) {
        if (auto r = it->second.find(*vendor_id); r != it->second.end()) record = r->second;
      }
      if (record == nullptr) {
        if (op.deleted && c->delete_policy() == DeletePolicy::remove) continue;
        disagree(op.id, name, "<id>", "a record with id " + *vendor_id, "no such record");
        continue;
      }
      for (const auto& [field, want] : mapped.fields) {
        ++report.fields_checked;
        const boost::json::value* got = record->if_contains(field);
        if (!d::same(want, got)) {
          disagree(op.id, name, field, boost::json::serialize(want), d::show(got));
        }
      }
      if (c->clear_style() == ClearStyle::unsupported) continue;
      if (auto it = options.clearable.find(std::string(c->type())); it != options.clearable.end()) {
        for (const auto& field : it->second) {
          if (mapped.fields.contains(field)) continue;
          ++report.fields_checked;
          const boost::json::value* got = record->if_contains(field);
          if (!d::is_cleared(got)) disagree(op.id, name, field, "<cleared>", d::show(got));
        }
      }
    }
  });
  return report;
}

/// Builds the configured connectors (for their mappings only; nothing is sent).
inline std::vector<std::unique_ptr<Connector>> mapping_connectors(const Config& config,
                                                                  boost::asio::io_context& io) {
  return builtin_connectors().create_all(config.connectors, io);
}

/// Every configured connector's vendor records, from the simulators (the connector type names
/// the simulated vendor).
inline VendorRecords simulator_records(const vendorsim::VendorSimulators& sims,
                                       const std::vector<std::unique_ptr<Connector>>& connectors) {
  VendorRecords out;
  for (const auto& c : connectors) {
    if (auto vendor = vendorsim::vendor_from_name(c->type()))
      out[c->name()] = sims.records(*vendor);
  }
  return out;
}

/// A `connectors:` section with every simulated vendor (vendorsim/vendors.h) against the
/// simulators, creating operators where the vendor can (CommPeak cannot: seed its users), with
/// the team, language and time-zone tables the sample event stream (daemon/samples) needs.
/// `credentials` replaces a vendor's default credential lines (by type); `extra` is added to
/// every connector (e.g. "    rate_per_second: 500\n").
inline std::string vendor_connectors_yaml(const vendorsim::VendorSimulators& sims,
                                          const vendorsim::VendorCredentials& credentials = {},
                                          const std::string& extra = {}) {
  return vendorsim::connectors_yaml(sims, credentials,
                                    [&extra](const vendorsim::VendorEntry&) { return extra; });
}

}  // namespace opsync::testing
