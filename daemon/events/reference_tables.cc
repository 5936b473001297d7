#include "events/reference_tables.h"

#include <algorithm>

namespace opsync::reference {
namespace {

char fold(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Orders like the generator's sort of str.lower(): bytewise on the ASCII-lowercase spelling.
bool folded_less(std::string_view a, std::string_view b) {
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const auto ca = static_cast<unsigned char>(fold(a[i]));
    const auto cb = static_cast<unsigned char>(fold(b[i]));
    if (ca != cb) return ca < cb;
  }
  return a.size() < b.size();
}

}  // namespace

std::optional<std::string_view> find_iana_zone(std::string_view name) {
  const auto zones = iana_zone_names();
  const auto it = std::lower_bound(zones.begin(), zones.end(), name, folded_less);
  if (it == zones.end() || folded_less(name, *it)) return std::nullopt;
  return *it;
}

bool is_iso639_1(std::string_view code) {
  const auto codes = iso639_1_codes();
  return std::binary_search(codes.begin(), codes.end(), code);
}

}  // namespace opsync::reference
