#include "framework/mapping_tables.h"

namespace opsync {

Mapped MappingTable::lookup(std::string_view canonical) const {
  if (auto it = entries_.find(std::string(canonical)); it != entries_.end()) {
    return {it->second, {}};
  }
  return {{}, what_ + " '" + std::string(canonical) + "' has no mapping in " + key_path_};
}

std::optional<std::string> MappingTable::lookup_all(const std::vector<std::string>& canonical,
                                                    std::vector<std::string>& out) const {
  out.clear();
  out.reserve(canonical.size());
  for (const auto& value : canonical) {
    Mapped m = lookup(value);
    if (!m.ok()) return std::move(m.error);
    out.push_back(std::move(m.value));
  }
  return std::nullopt;
}

MappingTables MappingTables::from_config(const std::string& connector,
                                         std::map<std::string, std::string> teams,
                                         std::map<std::string, std::string> time_zones,
                                         std::map<std::string, std::string> languages) {
  const std::string prefix = "connectors." + connector + ".";
  return {MappingTable("team", prefix + "teams", std::move(teams)),
          MappingTable("time zone", prefix + "time_zones", std::move(time_zones)),
          MappingTable("locale", prefix + "languages", std::move(languages))};
}

Mapped MappingTables::language_for_locale(std::string_view locale) const {
  Mapped exact = languages.lookup(locale);
  if (exact.ok()) return exact;
  if (auto dash = locale.find_first_of("-_"); dash != std::string_view::npos) {
    Mapped language = languages.lookup(locale.substr(0, dash));
    if (language.ok()) return language;
  }
  return exact;
}

}  // namespace opsync
