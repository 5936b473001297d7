#pragma once
// Reference lists embedded at build time (see gen_reference_tables.py): nothing here reads the
// file system, so validation gives the same answer on every host.

#include <optional>
#include <span>
#include <string_view>

namespace opsync::reference {

/// Every IANA time zone name (Zone and Link lines of tzdata), sorted by ASCII-lowercase spelling.
std::span<const std::string_view> iana_zone_names();

/// The tzdata release the zone list was generated from, e.g. "2025b".
std::string_view tzdata_version();

/// Every ISO 639-1 two-letter language code, lowercase, sorted.
std::span<const std::string_view> iso639_1_codes();

/// The IANA spelling of `name` (matched ignoring ASCII case), or nullopt if it is not a zone or
/// link name.
std::optional<std::string_view> find_iana_zone(std::string_view name);

/// True if `code` is exactly a lowercase ISO 639-1 code.
bool is_iso639_1(std::string_view code);

}  // namespace opsync::reference
