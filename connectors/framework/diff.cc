#include "framework/diff.h"

namespace opsync {

boost::json::object diff_fields(const boost::json::object& desired,
                                const boost::json::object& shadow, ClearStyle clear) {
  boost::json::object changed;
  for (const auto& [key, value] : desired) {
    const auto* old = shadow.if_contains(key);
    if (old == nullptr || *old != value) changed[key] = value;
  }
  if (clear == ClearStyle::unsupported) return changed;
  for (const auto& [key, value] : shadow) {
    if (desired.contains(key)) continue;
    if (clear == ClearStyle::null_value) {
      changed[key] = nullptr;
    } else {
      changed[key] = "";
    }
  }
  return changed;
}

void add_required_fields(boost::json::object& changed, const boost::json::object& desired,
                         const std::vector<std::string>& required) {
  if (changed.empty()) return;
  for (const auto& key : required) {
    if (changed.contains(key)) continue;
    if (const auto* value = desired.if_contains(key)) changed[key] = *value;
  }
}

boost::json::object merge_into_shadow(boost::json::object shadow,
                                      const boost::json::object& acknowledged,
                                      const boost::json::object& desired) {
  for (const auto& [key, value] : acknowledged) {
    if (!desired.contains(key) || value.is_null()) {
      shadow.erase(key);
    } else {
      shadow[key] = value;
    }
  }
  return shadow;
}

}  // namespace opsync
