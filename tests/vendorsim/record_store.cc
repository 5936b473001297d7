#include "vendorsim/record_store.h"

#include <boost/json/serialize.hpp>

namespace opsync::vendorsim {

std::string RecordStore::key_of(const json::value& id) {
  if (id.is_string()) return std::string(id.as_string());
  return json::serialize(id);
}

json::object* RecordStore::find(std::string_view id) {
  auto it = index_.find(std::string(id));
  return it == index_.end() ? nullptr : &records_[it->second];
}

const json::object* RecordStore::find(std::string_view id) const {
  auto it = index_.find(std::string(id));
  return it == index_.end() ? nullptr : &records_[it->second];
}

json::object& RecordStore::put(json::object record) {
  std::string key = key_of(record.at("id"));
  if (auto it = index_.find(key); it != index_.end()) {
    records_[it->second] = std::move(record);
    return records_[it->second];
  }
  index_.emplace(key, records_.size());
  records_.push_back(std::move(record));
  return records_.back();
}

json::object* RecordStore::edit(std::string_view id, const json::object& changes) {
  json::object* record = find(id);
  if (record == nullptr) return nullptr;
  for (const auto& [key, value] : changes) {
    if (key != "id") (*record)[key] = value;
  }
  return record;
}

bool RecordStore::erase(std::string_view id) {
  auto it = index_.find(std::string(id));
  if (it == index_.end()) return false;
  records_.erase(records_.begin() + static_cast<std::ptrdiff_t>(it->second));
  index_.clear();
  for (std::size_t i = 0; i < records_.size(); ++i) index_.emplace(key_of(records_[i].at("id")), i);
  return true;
}

void RecordStore::clear() {
  records_.clear();
  index_.clear();
}

}  // namespace opsync::vendorsim
