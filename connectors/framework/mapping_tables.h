#pragma once
// Configured lookup tables from canonical values to a vendor's ids: team names to team,
// department or group ids; IANA time zones to the vendor's zone ids; locales to its language
// codes. A value with no entry is a per-push mapping error naming the value and the table.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace opsync {

/// A lookup that either found a vendor value or explains why not.
struct Mapped {
  std::string value;
  std::string error;  ///< empty when found
  bool ok() const { return error.empty(); }
};

class MappingTable {
 public:
  MappingTable() = default;
  /// `what` names the canonical value in messages ("team"); `key_path` names the table in the
  /// configuration ("connectors.glia_eu.teams").
  MappingTable(std::string what, std::string key_path, std::map<std::string, std::string> entries)
      : what_(std::move(what)), key_path_(std::move(key_path)), entries_(std::move(entries)) {}

  /// The vendor value for `canonical`; error "team 'vip' has no mapping in
  /// connectors.glia_eu.teams" when absent.
  Mapped lookup(std::string_view canonical) const;
  /// Each value in order; stops at the first value with no mapping and returns its error.
  std::optional<std::string> lookup_all(const std::vector<std::string>& canonical,
                                        std::vector<std::string>& out) const;

  bool empty() const { return entries_.empty(); }
  const std::string& key_path() const { return key_path_; }

 private:
  std::string what_;
  std::string key_path_;
  std::map<std::string, std::string> entries_;
};

/// The three tables a connector instance may configure.
struct MappingTables {
  MappingTable teams;
  MappingTable time_zones;
  MappingTable languages;

  /// Builds the tables of connector instance `connector` from its settings (keys `teams`,
  /// `time_zones`, `languages` under `connectors.<connector>`).
  static MappingTables from_config(const std::string& connector,
                                   std::map<std::string, std::string> teams,
                                   std::map<std::string, std::string> time_zones,
                                   std::map<std::string, std::string> languages);

  /// A locale's language code: the exact locale first ("en-US"), then its language ("en").
  Mapped language_for_locale(std::string_view locale) const;
};

}  // namespace opsync
