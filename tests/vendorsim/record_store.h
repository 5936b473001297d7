// Operator records of one simulated vendor, in insertion order, found by id.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace opsync::vendorsim {

namespace json = boost::json;

class RecordStore {
 public:
  /// The string form of an id (integers are printed in decimal).
  static std::string key_of(const json::value& id);

  json::object* find(std::string_view id);
  const json::object* find(std::string_view id) const;
  /// Stores `record` (which must have an "id"), replacing any record with the same id.
  json::object& put(json::object record);
  bool erase(std::string_view id);
  /// Sets `changes` (except "id") on record `id`; nullptr when there is none.
  json::object* edit(std::string_view id, const json::object& changes);
  void clear();

  const std::vector<json::object>& all() const { return records_; }
  std::size_t size() const { return records_.size(); }

 private:
  std::vector<json::object> records_;
  std::unordered_map<std::string, std::size_t> index_;
};

}  // namespace opsync::vendorsim
